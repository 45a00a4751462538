"""Review requests: scheduled some days after delivery, for what was actually kept.

A delivery schedules one request per order (its name is the order's), at the shop's
reminder hour in the customer's time zone. When it fires, products that were refunded or
already reviewed drop out; a cancelled or fully refunded order asks for nothing. Each
product gets its own signed link to the shop's review form; the form checks it with
`verify_review_token`, so a review is tied to a real purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tailor import clock
from tailor.aftercare.config import AftercareSettings
from tailor.aftercare.schedules import as_event, local_hour
from tailor.aftercare.store import OrderHistory
from tailor.events.canonical import ItemLine
from tailor.events.fulfillment import OrderDelivered, ReviewDue, ReviewItem
from tailor.links import Signer
from tailor.observability import logger
from tailor.scheduling import Schedules, schedule_name

REVIEW_PURPOSE = "review"
MAX_ITEMS = 10
# A review link stays usable this long after the request is sent.
LINK_DAYS = 90


@dataclass(frozen=True)
class ReviewClaim:
    order_id: str
    product_id: str
    email: str


def skip_reason(history: OrderHistory) -> str | None:
    if history.cancellation is not None:
        return "order cancelled"
    if history.fully_refunded:
        return "order refunded"
    return None


def _items(lines: list[ItemLine]) -> list[ReviewItem]:
    unique: dict[str, ReviewItem] = {}
    for line in lines:
        if line.product_id and line.product_id not in unique:
            unique[line.product_id] = ReviewItem(
                product_id=line.product_id,
                variant_id=line.variant_id,
                title=line.title[:200],
                variant_title=(line.variant_title or "")[:200] or None,
            )
    return list(unique.values())[:MAX_ITEMS]


def schedule_request(
    delivered: OrderDelivered,
    history: OrderHistory,
    email: str,
    zone: ZoneInfo,
    settings: AftercareSettings,
    schedules: Schedules,
) -> bool:
    """Schedule the order's review request (once per order, whichever shipment arrives first)."""
    reason = skip_reason(history)
    if reason:
        logger.info("no review request", extra={"order_id": delivered.order_id, "reason": reason})
        return False
    shipment = history.shipments.get(delivered.fulfillment_id or "")
    lines = (shipment.lines if shipment else []) or (history.order.lines if history.order else [])
    items = _items(lines)
    if not items:
        logger.info(
            "no review request: no products known for this delivery",
            extra={"order_id": delivered.order_id, "fulfillment_id": delivered.fulfillment_id},
        )
        return False
    now = clock.now()
    name = schedule_name("review", delivered.order_id)
    due = ReviewDue(
        order_id=delivered.order_id,
        order_number=history.order_number,
        email=email,
        delivered_at=delivered.happened_at,
        items=items,
    )
    at = local_hour(
        delivered.happened_at + timedelta(days=settings.review_delay_days),
        zone,
        settings.reminder_hour,
        now,
    )
    return schedules.create(
        name, at, settings.need("review_request_function_arn"), as_event(due, name, now)
    )


def items_to_ask(due: ReviewDue, history: OrderHistory, reviewed: set[str]) -> list[ReviewItem]:
    """What arrived (this shipment and any delivered since), less refunded and reviewed."""
    later = _items(history.delivered_lines())
    known = {item.product_id for item in due.items}
    items = [*due.items, *(i for i in later if i.product_id not in known)]
    dropped = history.refunded_products() | reviewed
    return [item for item in items if item.product_id not in dropped][:MAX_ITEMS]


def review_url(
    form_url: str,
    product_url: str | None,
    claim: ReviewClaim,
    signer: Signer,
    now: datetime,
) -> str | None:
    """The shop's review form for one product, with a signed token; else the product page."""
    if form_url:
        token = signer.sign(
            REVIEW_PURPOSE,
            {"o": claim.order_id, "p": claim.product_id, "e": claim.email},
            expires_at=now + timedelta(days=LINK_DAYS),
        )
        query = urlencode({"product": claim.product_id, "order": claim.order_id, "t": token})
        return f"{form_url}{'&' if '?' in form_url else '?'}{query}"
    return f"{product_url}#reviews" if product_url else None


def verify_review_token(token: object, signer: Signer, now: datetime | None = None) -> ReviewClaim:
    """The purchase a review link was issued for (InvalidToken or ExpiredToken otherwise)."""
    claims = signer.verify(REVIEW_PURPOSE, token, now)
    return ReviewClaim(str(claims["o"]), str(claims["p"]), str(claims["e"]))
