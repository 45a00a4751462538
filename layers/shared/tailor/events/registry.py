"""Which canonical models exist, and which Shopify topics translate into each.

Each event module (canonical, fulfillment, interests) declares its own `EVENTS` and
`SHOPIFY_TOPICS`; this module merges them for parsing and for the JSON Schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tailor.events.canonical import Model
    from tailor.settings import Settings

# payload, settings -> the canonical model
Translator = Callable[[Mapping[str, Any], "Settings"], "Model"]


def all_events() -> tuple[type[Model], ...]:
    from tailor.events import canonical, fulfillment, interests

    return canonical.CANONICAL_EVENTS + fulfillment.EVENTS + interests.EVENTS


def shopify_topics(model: type[Model]) -> dict[str, Translator]:
    from tailor.events import fulfillment, inbound, interests

    merged: dict[str, Translator] = {}
    for registry in (inbound.SHOPIFY_TOPICS, fulfillment.SHOPIFY_TOPICS, interests.SHOPIFY_TOPICS):
        merged.update(registry.get(model, {}))
    return merged
