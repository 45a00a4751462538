"""Review request: some days after delivery, "how is it working out?", one link per product.

Marketing (topic review_requests): it needs consent and waits for quiet hours and the
frequency cap like any other. It is sent only for what the customer kept and has not
reviewed yet, and not at all for a cancelled or refunded order or a deleted customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tailor import addresses, clock, i18n, zones
from tailor.aftercare import context as base_context
from tailor.aftercare import reviews
from tailor.aftercare.config import get_aftercare_settings
from tailor.aftercare.store import AftercareStore
from tailor.catalog import Catalog
from tailor.delivery import deliver, skipped
from tailor.events.fulfillment import ReviewDue
from tailor.idempotency import email_once
from tailor.links import signer_from_secret
from tailor.profiles import Profiles

EMAIL_TYPE = "review_request"


@email_once(key="[order_id, email]")
def send_review_request(*, event: ReviewDue, raw: Mapping[str, Any]) -> dict[str, Any]:
    settings = get_aftercare_settings()
    email = addresses.normalize(event.email)
    profile = Profiles(settings.need("profiles_table")).get(email) if email else None
    if email is None or profile is None:
        return skipped(EMAIL_TYPE, "no profile: the customer was deleted or never known")
    store = AftercareStore(settings.need("aftercare_table"))
    history = store.history(event.order_id)
    reason = reviews.skip_reason(history)
    if reason:
        return skipped(EMAIL_TYPE, reason)
    reviewed = store.reviewed(email, (item.product_id for item in event.items))
    items = reviews.items_to_ask(event, history, reviewed)
    if not items:
        return skipped(EMAIL_TYPE, "everything in the order was reviewed or refunded")
    products = Catalog(settings.need("catalog_table")).get_many(i.product_id for i in items)
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    now = clock.now()
    shown = []
    for item in items:
        product = products.get(item.product_id)
        claim = reviews.ReviewClaim(event.order_id, item.product_id, email)
        shown.append(
            {
                "title": product.title if product else item.title,
                "variant_title": item.variant_title,
                "size": base_context.size_of(item, products),
                "image_url": product.image_url if product else None,
                "review_url": reviews.review_url(
                    settings.review_form_url, product.url if product else None, claim, signer, now
                ),
            }
        )
    context = base_context.base(settings, profile.locale, profile.first_name)
    context |= {
        "order": {"number": event.order_number or history.order_number or ""},
        "items": shown,
        "delivered_on": i18n.day(
            event.delivered_at, zones.customer_zone(profile, settings), context["locale"]
        ),
    }
    return deliver(
        EMAIL_TYPE,
        context,
        profile,
        retry_event=raw,
        dedupe_key=f"{email}|{event.order_id}",
    )
