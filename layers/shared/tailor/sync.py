"""Keeping Tailor's memory current: catalog from products, profiles from customers and orders."""

from __future__ import annotations

from typing import Any

from tailor import addresses
from tailor.catalog import Catalog
from tailor.consent import apply_shopify_consent
from tailor.events.canonical import CustomerUpdated, OrderPlaced, ProductUpdated
from tailor.idempotency import once
from tailor.observability import logger
from tailor.profiles import Profiles, apply_customer, record_order
from tailor.settings import get_settings


def sync_product(product: ProductUpdated) -> dict[str, Any]:
    settings = get_settings()
    stored = Catalog(settings.need("catalog_table")).save(product)
    if not stored:
        logger.info("older product update ignored", extra={"product_id": product.product_id})
    return {"product_id": product.product_id, "stored": stored}


def sync_customer(customer: CustomerUpdated) -> dict[str, Any]:
    email = addresses.normalize(customer.email)
    if email is None:
        logger.info(
            "customer without a valid email address", extra={"customer_id": customer.customer_id}
        )
        return {"customer_id": customer.customer_id, "stored": False, "reason": "no valid email"}
    settings = get_settings()
    Profiles(settings.need("profiles_table")).update(
        email, lambda p: apply_shopify_consent(apply_customer(p, customer), customer)
    )
    return {"customer_id": customer.customer_id, "stored": True}


@once(key="order_id")
def record_purchase(*, event: OrderPlaced) -> dict[str, Any]:
    """Remember the order in the buyer's profile and count what was bought together."""
    email = addresses.normalize(event.email)
    if email is None:
        logger.info("order without a valid email address: profile not updated")
        return {"order_id": event.order_id, "recorded": False}
    settings = get_settings()
    catalog = Catalog(settings.need("catalog_table"), settings.need("copurchase_table"))
    bought = catalog.get_many(line.product_id for line in event.lines if line.product_id)
    Profiles(settings.need("profiles_table")).update(
        email, lambda p: record_order(p, event, bought)
    )
    catalog.record_copurchase(bought)
    return {"order_id": event.order_id, "recorded": True}
