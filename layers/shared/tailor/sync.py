"""Keeping Tailor's memory current: catalog from products, profiles from customers and orders."""

from __future__ import annotations

from typing import Any

from tailor import addresses
from tailor.catalog import Catalog
from tailor.consent import ConsentLedger, apply_shopify_consent, update_consent
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
    """Name, locale and consent from the shop, onto the customer's profile: found by email
    address, or by customer id when the update carries no address (consent updates may)."""
    settings = get_settings()
    profiles = Profiles(settings.need("profiles_table"))
    email = addresses.normalize(customer.email)
    emails = [email] if email else profiles.emails_for_customer(customer.customer_id)
    if not emails:
        reason = "no valid email and no profile with this customer id"
        logger.info(
            f"customer update not stored: {reason}", extra={"customer_id": customer.customer_id}
        )
        return {"customer_id": customer.customer_id, "stored": False, "reason": reason}
    ledger = ConsentLedger(settings.need("consent_ledger_table"))
    for address in emails:
        update_consent(
            profiles,
            ledger,
            address,
            lambda p: apply_shopify_consent(
                apply_customer(p, customer), customer.marketing_consent, customer.updated_at
            ),
        )
    return {
        "customer_id": customer.customer_id,
        "stored": True,
        "matched_by": "email" if email else "customer_id",
    }


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
    # The consent Shopify knew at checkout counts like any other Shopify consent update.
    update_consent(
        Profiles(settings.need("profiles_table")),
        ConsentLedger(settings.need("consent_ledger_table")),
        email,
        lambda p: apply_shopify_consent(
            record_order(p, event, bought), event.customer.marketing_consent, event.placed_at
        ),
    )
    catalog.record_copurchase(bought)
    return {"order_id": event.order_id, "recorded": True}
