"""Remembering orders and reviews for the emails that come later.

Each placed order is kept (lines, address, total) so later webhooks that carry little can
be answered, and its replenishable products get their reminders. Submitted reviews are
noted per customer and product, so nobody is asked to review what they already reviewed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import AwareDatetime, Field

from tailor import addresses, zones
from tailor.aftercare.config import get_aftercare_settings
from tailor.aftercare.replenishment import schedule_reminders
from tailor.aftercare.store import AftercareStore
from tailor.catalog import Catalog
from tailor.events.canonical import Id, Model, OrderPlaced
from tailor.idempotency import once
from tailor.observability import logger
from tailor.profiles import Profiles
from tailor.scheduling import Schedules


class ReviewSubmitted(Model):
    """The fields of a submitted review (published by the review form or the support desk)
    that tell whether a customer already reviewed a product."""

    detail_type: ClassVar[str] = "ReviewSubmitted"

    review_id: Id
    product_id: Id | None = None
    order_id: Id | None = None
    email: str | None = Field(default=None, max_length=320)
    submitted_at: AwareDatetime


@once(key="order_id")
def remember_order(*, event: OrderPlaced) -> dict[str, Any]:
    settings = get_aftercare_settings()
    email = addresses.normalize(event.email)
    AftercareStore(settings.need("aftercare_table")).save_order(event, email)
    if email is None:
        logger.info("order without a valid email address: no reminders")
        return {"order_id": event.order_id, "recorded": True, "reminders": 0}
    if event.voided_test:
        return {"order_id": event.order_id, "recorded": True, "reminders": 0}
    products = Catalog(settings.need("catalog_table")).get_many(
        line.product_id for line in event.lines if line.product_id
    )
    profile = Profiles(settings.need("profiles_table")).get_or_new(email)
    pending = schedule_reminders(
        event,
        email,
        products,
        zones.customer_zone(profile, settings, event.shipping_address),
        settings,
        Schedules(settings.need("aftercare_schedule_group"), settings.need("scheduler_role_arn")),
    )
    return {"order_id": event.order_id, "recorded": True, "reminders": len(pending)}


def remember_review(review: ReviewSubmitted) -> dict[str, Any]:
    email = addresses.normalize(review.email)
    if email is None or review.product_id is None:
        logger.info("review without an address or a product", extra={"review_id": review.review_id})
        return {"review_id": review.review_id, "recorded": False}
    settings = get_aftercare_settings()
    AftercareStore(settings.need("aftercare_table")).mark_reviewed(
        email, review.product_id, review.submitted_at
    )
    return {"review_id": review.review_id, "recorded": True}
