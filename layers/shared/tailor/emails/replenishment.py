"""Replenishment reminder: "those wool socks may be starting to wear a bit thin in the heel".

A reminder, not a shout: when a product's interval has passed since the customer bought
it, one quiet email offers the same item in the size they bought, with a one-click reorder
link (Shopify's cart permalink, `/cart/<variant id>:<quantity>`). Marketing (topic
replenishment): consent, quiet hours and the frequency cap apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from tailor import addresses, clock, i18n
from tailor.aftercare import replenishment
from tailor.aftercare.config import get_aftercare_settings
from tailor.aftercare.store import AftercareStore
from tailor.catalog import Catalog, product_page
from tailor.delivery import deliver, skipped
from tailor.emails.newsletter import page_context
from tailor.events.fulfillment import ReplenishmentDue
from tailor.idempotency import email_once
from tailor.profiles import Profiles

EMAIL_TYPE = "replenishment_reminder"
# What time does to a product, by product type (the template words it).
WEAR = {"sock": "socks", "polish": "runs_out", "care": "runs_out", "insole": "wears"}


@email_once(key="[email, product_id, order_id]")
def send_replenishment_reminder(
    *, event: ReplenishmentDue, raw: Mapping[str, Any]
) -> dict[str, Any]:
    settings = get_aftercare_settings()
    email = addresses.normalize(event.email)
    profile = Profiles(settings.need("profiles_table")).get(email) if email else None
    if email is None or profile is None:
        return skipped(EMAIL_TYPE, "no profile: the customer was deleted or never known")
    product = Catalog(settings.need("catalog_table")).get(event.product_id)
    variant = replenishment.reorder_variant(product, event) if product else None
    history = AftercareStore(settings.need("aftercare_table")).history(event.order_id)
    reason = replenishment.reason_not_to_remind(event, profile, history, product, variant)
    if reason:
        return skipped(EMAIL_TYPE, reason)
    assert product is not None and variant is not None
    purchase = profile.purchases.get(event.product_id)
    quantity = event.quantity or (purchase.quantity if purchase else 1)
    kind = f"{product.product_type} {product.title}".lower()
    context = page_context(profile, settings)
    context = {
        **context,
        "item": {
            "title": product.title,
            "size": variant.size or event.size,
            "variant_title": variant.title or None,
            "quantity": quantity,
            "price": variant.price,
            "compare_at_price": variant.compare_at_price if variant.on_sale else None,
            "image_url": product.image_url,
            "url": product_page(product, settings),
            "reorder_url": f"{settings.shop_base_url}/cart/{quote(variant.variant_id)}:{quantity}",
        },
        "since": i18n.elapsed(event.bought_at, clock.now(), context["locale"]),
        "wear": next((w for word, w in WEAR.items() if word in kind), "refresh"),
    }
    return deliver(
        EMAIL_TYPE,
        context,
        profile,
        retry_event=raw,
        dedupe_key=f"{email}|{event.product_id}",
    )
