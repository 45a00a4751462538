"""The orders support can talk about: a summary of each order, kept in the tickets table.

Customers write "#1001" or "order 1001", not Shopify's internal id; the summary is stored
under the order id with an index by number, holding what canned responses show (items,
total, status page), so an answer needs no call to the shop. Storing is a plain
overwrite, so a repeated delivery changes nothing.
"""

from __future__ import annotations

from typing import Any

from tailor.events.canonical import OrderPlaced
from tailor.support.config import get_support_settings
from tailor.support.context import order_record
from tailor.support.store import Store


def index_order(order: OrderPlaced) -> dict[str, Any]:
    Store(get_support_settings().need("tickets_table")).save_order(order_record(order))
    return {"order_id": order.order_id, "indexed": True}
