"""Helpers for the order confirmation's tests: a shop with products, orders shaped to fit."""

from __future__ import annotations

from typing import Any

from tests.helpers.events import load_event


def stock_the_shop(run: Any) -> None:
    """The catalog the example orders buy from: the Classic Oxford and the merino sock."""
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("CatalogSyncFunction", load_event("shopify/products-update.json"))


def shoes_only(event: dict[str, Any]) -> dict[str, Any]:
    payload = event["detail"]["payload"]
    payload["line_items"] = [li for li in payload["line_items"] if li["title"] == "Classic Oxford"]
    return event
