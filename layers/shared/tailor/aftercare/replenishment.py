"""Replenishment: products that wear out or run out carry an interval; buying one starts it.

The interval is a product tag such as `replenish:270d`, `replenish:9m` or `replenish:6w`
(days, weeks, months, years; a bare number is days). When such a product is bought, one
reminder is scheduled per customer and product at purchase time plus the interval; the
next purchase of that product replaces it, so the clock always runs from the latest one.
When it fires, it is dropped if the customer bought the product again since, if that
purchase was cancelled or refunded, or if the product is no longer sold in their size.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tailor import clock
from tailor.aftercare.config import AftercareSettings
from tailor.aftercare.schedules import as_event, local_hour
from tailor.aftercare.store import OrderHistory
from tailor.events.canonical import OrderPlaced, Product, Variant
from tailor.events.fulfillment import ReplenishmentDue
from tailor.observability import logger
from tailor.profiles import Profile
from tailor.scheduling import Schedules, schedule_name

_TAG = re.compile(r"^replenish(?:ment)?\s*[:=]\s*(\d{1,4})\s*([dwmy]?)$", re.IGNORECASE)


@dataclass(frozen=True)
class Interval:
    count: int
    unit: str  # d, w, m or y

    @property
    def text(self) -> str:
        return f"{self.count}{self.unit}"

    def after(self, moment: datetime) -> datetime:
        if self.unit == "d":
            return moment + timedelta(days=self.count)
        if self.unit == "w":
            return moment + timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        year, month = divmod(moment.month - 1 + months, 12)
        year += moment.year
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)


def parse_interval(text: str) -> Interval | None:
    """`replenish:270d` -> 270 days; None for anything else, or for a zero interval."""
    match = _TAG.match(text.strip())
    if not match or int(match.group(1)) == 0:
        return None
    return Interval(int(match.group(1)), (match.group(2) or "d").lower())


def interval_of(product: Product) -> Interval | None:
    return next((i for tag in product.tags if (i := parse_interval(tag)) is not None), None)


def plan(order: OrderPlaced, email: str, products: Mapping[str, Product]) -> list[ReplenishmentDue]:
    """One reminder per replenishable product in the order (its last line wins)."""
    due: dict[str, ReplenishmentDue] = {}
    for line in order.lines:
        product = products.get(line.product_id or "")
        interval = interval_of(product) if product else None
        if product is None or interval is None:
            continue
        variant = product.variant(line.variant_id)
        due[product.product_id] = ReplenishmentDue(
            email=email,
            product_id=product.product_id,
            variant_id=line.variant_id,
            title=product.title[:200],
            variant_title=(line.variant_title or "")[:200] or None,
            size=variant.size if variant else None,
            quantity=line.quantity,
            order_id=order.order_id,
            bought_at=order.placed_at,
            interval=interval.text,
        )
    return list(due.values())


def schedule_reminders(
    order: OrderPlaced,
    email: str,
    products: Mapping[str, Product],
    zone: ZoneInfo,
    settings: AftercareSettings,
    schedules: Schedules,
) -> list[str]:
    """Schedule (or re-key) each reminder; the names of those now pending for this order."""
    now = clock.now()
    pending = []
    for due in plan(order, email, products):
        interval = parse_interval(f"replenish:{due.interval}")
        assert interval is not None
        name = schedule_name("replenish", email, due.product_id)
        existing = schedules.detail(name)
        if existing is not None:
            if existing.get("order_id") == order.order_id:
                pending.append(name)  # this very order, delivered again
                continue
            if str(existing.get("bought_at") or "") > order.placed_at.isoformat():
                logger.info(
                    "a later purchase already set this reminder",
                    extra={"product_id": due.product_id, "order_id": order.order_id},
                )
                continue
            schedules.delete(name)  # the clock restarts from this purchase
        at = local_hour(interval.after(order.placed_at), zone, settings.reminder_hour, now)
        schedules.create(
            name, at, settings.need("replenishment_function_arn"), as_event(due, name, now)
        )
        pending.append(name)
    return pending


def reason_not_to_remind(
    due: ReplenishmentDue,
    profile: Profile,
    history: OrderHistory,
    product: Product | None,
    variant: Variant | None,
) -> str | None:
    purchase = profile.purchases.get(due.product_id)
    if (
        purchase is not None
        and purchase.last_order_id != due.order_id
        and purchase.last_bought_at > due.bought_at
    ):
        return "bought again since"
    if history.cancellation is not None:
        return "the purchase was cancelled"
    if due.product_id in history.refunded_products():
        return "the purchase was refunded"
    if product is None or product.status != "active":
        return "product no longer sold"
    if variant is None or not variant.in_stock:
        return "their size is not in stock"
    return None


def reorder_variant(product: Product, due: ReplenishmentDue) -> Variant | None:
    """The variant they bought, else the one in the size they bought."""
    return product.variant(due.variant_id) or next(
        (v for v in product.variants if due.size and v.size == due.size), None
    )
