"""Which canonical models exist, and which Shopify topics translate into each.

Each event module (canonical, shopify, fulfillment, interests) declares its own events and
Shopify topics; this module merges them for parsing and for the JSON Schemas. It depends on
them, never they on it.
"""

from __future__ import annotations

from tailor.events import canonical, fulfillment, interests, shopify
from tailor.events.canonical import Model
from tailor.events.shopify import Translator


def all_events() -> tuple[type[Model], ...]:
    return canonical.CANONICAL_EVENTS + fulfillment.EVENTS + interests.EVENTS


def shopify_topics(model: type[Model]) -> dict[str, Translator]:
    merged: dict[str, Translator] = {}
    for topics in (shopify.SHOPIFY_TOPICS, fulfillment.SHOPIFY_TOPICS, interests.SHOPIFY_TOPICS):
        merged.update(topics.get(model, {}))
    return merged
