"""One change -> the people to tell, written to the delivery queue many to a message.

Back in stock goes in waves, first come first served: a wave tells at most (units in stock
x WAVE_FACTOR) subscribers of exactly the variant that came back, then the next wave is
scheduled WAVE_MINUTES later and starts by looking at the stock again: sold out, product
deleted or variant gone ends the waves (the rest keep waiting for the next restock). A wave
larger than FANOUT_PAGE is read a page per invocation, so 100,000 subscribers never sit in
one invocation. Price drops and sales go to wish-list holders, watchers, and customers
shown the product in a search or whose search words all describe it, once each. Each step
is idempotent on its work id, so a stream retry or a queue redelivery plans nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tailor import clock
from tailor.alerts import store, words
from tailor.alerts.config import get_alert_settings
from tailor.alerts.work import (
    Delivery,
    FanoutMessage,
    Place,
    PriceAlert,
    Queue,
    Recipient,
    Restock,
    deliveries,
    digest,
    sqs_event,
)
from tailor.batches import sqs_batch
from tailor.catalog import Catalog
from tailor.delivery import defer
from tailor.events.interests import PrivateSaleStarted
from tailor.idempotency import once
from tailor.observability import logger
from tailor.policy import Decision
from tailor.settings import get_settings


def handle_queue(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def one(record: SQSRecord) -> None:
        message = FanoutMessage.model_validate_json(record.body)
        logger.set_correlation_id(message.work_id)
        plan(event=message)

    return sqs_batch(event, one)


@once(key="work_id")
def plan(*, event: FanoutMessage) -> dict[str, Any]:
    work = event.work
    if isinstance(work, Restock):
        return plan_restock(work)
    return plan_price(work)


def _ended(work: Restock, why: str) -> dict[str, Any]:
    logger.info(
        f"back in stock: {why}; waves end",
        extra={"product_id": work.product_id, "variant_id": work.variant_id, "wave": work.wave},
    )
    return {"change_id": work.change_id, "wave": work.wave, "queued": 0, "ended": why}


def wave_size(inventory: int | None, factor: Decimal) -> int | None:
    """How many subscribers one wave tells (None: untracked stock, no limit)."""
    if inventory is None:
        return None
    return max(1, int((Decimal(inventory) * factor).to_integral_value(ROUND_FLOOR)))


def plan_restock(work: Restock) -> dict[str, Any]:
    settings = get_alert_settings()
    product = Catalog(get_settings().need("catalog_table")).get(work.product_id)
    if product is None:
        return _ended(work, "product deleted from the catalog mid-wave")
    variant = product.variant(work.variant_id)
    if variant is None:
        return _ended(work, "variant no longer exists")
    if product.status != "active" or not variant.in_stock:
        return _ended(work, "sold out again")
    capacity = work.left or wave_size(variant.inventory, settings.wave_factor)
    take = min(capacity, settings.fanout_page) if capacity else settings.fanout_page
    after = (
        store.Subscription(
            email=work.after.email,
            product_id=work.product_id,
            variant_id=work.variant_id,
            since=work.after.since,
        )
        if work.after
        else None
    )
    interests = store.Interests(settings.need("interests_table"))
    waiting = interests.waiting(work.product_id, work.variant_id, take, after)
    if not waiting:
        return _ended(work, "no one else is waiting")
    recipients = [
        Recipient(email=s.email, key=s.sk, variant_id=s.variant_id, size=s.size, since=s.since)
        for s in waiting
    ]
    template = Delivery(
        email_type="back_in_stock",
        change_id=work.change_id,
        product_id=work.product_id,
        recipients=recipients[:1],
    )
    messages = deliveries(template, recipients)
    Queue(settings.need("alerts_delivery_queue_url")).send(messages)
    last = Place(email=waiting[-1].email, since=waiting[-1].since)
    follow = "none: everyone waiting was told"
    if len(waiting) == take:
        left = capacity - len(waiting) if capacity else None
        if capacity is None or (left is not None and left > 0):
            nxt = work.model_copy(update={"after": last, "left": left})
            Queue(settings.need("alerts_fanout_queue_url")).send([FanoutMessage.of(nxt)])
            follow = "next page of this wave queued"
        else:
            nxt = work.model_copy(update={"after": last, "left": None, "wave": work.wave + 1})
            at = clock.now() + timedelta(minutes=settings.wave_minutes)
            schedule_wave(nxt, at)
            follow = f"wave {nxt.wave} at {at:%Y-%m-%d %H:%M} UTC, after a new look at the stock"
    logger.info(
        "back in stock: wave planned",
        extra={
            "product_id": work.product_id,
            "variant_id": work.variant_id,
            "wave": work.wave,
            "told": len(waiting),
            "inventory": variant.inventory,
            "next": follow,
        },
    )
    return {"change_id": work.change_id, "wave": work.wave, "queued": len(waiting), "next": follow}


def schedule_wave(work: Restock, at: datetime) -> None:
    """A one-time schedule that hands the next wave to this function at `at` (the same
    mechanism as a deferred email: EventBridge Scheduler invoking this function again)."""
    defer(
        "back_in_stock_wave",
        Decision("defer", f"wave {work.wave}", at),
        sqs_event(FanoutMessage.of(work), f"wave-{digest(work.work_id)}"),
        work.work_id,
        get_settings(),
    )


def plan_price(work: PriceAlert) -> dict[str, Any]:
    settings = get_alert_settings()
    product = Catalog(get_settings().need("catalog_table")).get(work.product_id)
    if product is None:
        logger.info(
            "price alert: product deleted from the catalog", extra={"product_id": work.product_id}
        )
        return {"change_id": work.change_id, "queued": 0}
    interests = store.Interests(settings.need("interests_table"))
    audience: dict[str, Recipient] = {}
    for interest in interests.holders(work.product_id):
        known = audience.get(interest.email) or Recipient(email=interest.email, key=interest.email)
        audience[interest.email] = known.model_copy(
            update={
                "reasons": sorted({*known.reasons, interest.kind}),
                "variant_id": known.variant_id or interest.variant_id,
                "query": known.query or interest.query,
            }
        )
    for email, query in interests.searched(words.product_words(product), clock.now()).items():
        known = audience.get(email) or Recipient(email=email, key=email)
        audience[email] = known.model_copy(
            update={
                "reasons": sorted({*known.reasons, store.SEARCH}),
                "query": known.query or query,
            }
        )
    recipients = sorted(audience.values(), key=lambda r: r.email)
    if recipients:
        template = Delivery(
            email_type="price_drop",
            change_id=work.change_id,
            product_id=work.product_id,
            variants=work.variants,
            recipients=recipients[:1],
        )
        Queue(settings.need("alerts_delivery_queue_url")).send(deliveries(template, recipients))
    logger.info(
        "price alert planned",
        extra={"product_id": work.product_id, "sale": work.sale, "recipients": len(recipients)},
    )
    return {"change_id": work.change_id, "queued": len(recipients)}


@once(key="sale_id")
def plan_private_sale(*, event: PrivateSaleStarted) -> dict[str, Any]:
    """Invite each customer whose wish list holds sale items, once, listing all of them."""
    now = clock.now()
    if now >= event.ends_at:
        logger.info("private sale already over: no invitations", extra={"sale_id": event.sale_id})
        return {"sale_id": event.sale_id, "queued": 0}
    settings = get_alert_settings()
    interests = store.Interests(settings.need("interests_table"))
    wished: dict[str, dict[str, str | None]] = {}
    for product_id in dict.fromkeys(event.product_ids):
        for interest in interests.holders(product_id, kinds=(store.WISH,)):
            wished.setdefault(interest.email, {})[product_id] = interest.variant_id
    recipients = [
        Recipient(email=email, key=email, wished=items) for email, items in sorted(wished.items())
    ]
    if recipients:
        template = Delivery(
            email_type="private_sale",
            change_id=f"private-sale:{event.sale_id}",
            sale=event,
            recipients=recipients[:1],
        )
        Queue(settings.need("alerts_delivery_queue_url")).send(deliveries(template, recipients))
    logger.info(
        "private sale invitations planned",
        extra={
            "sale_id": event.sale_id,
            "products": len(event.product_ids),
            "recipients": len(recipients),
        },
    )
    return {"sale_id": event.sale_id, "queued": len(recipients)}
