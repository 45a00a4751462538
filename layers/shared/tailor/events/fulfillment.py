"""After the order: shipments, deliveries, cancellations and refunds (canonical and Shopify)."""

from __future__ import annotations

from tailor.events.canonical import Model
from tailor.events.registry import Translator

EVENTS: tuple[type[Model], ...] = ()
SHOPIFY_TOPICS: dict[type[Model], dict[str, Translator]] = {}
