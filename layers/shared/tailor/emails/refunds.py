"""Cancellation and refund emails: what was cancelled or refunded, how much, where it goes.

Transactional, with nothing promotional beyond one line. Shopify records a refund even
when no money moves (a restock, or the bookkeeping of a cancellation): such a refund is
remembered but not mailed, because "we refunded you $0.00" only alarms; the cancellation
email already says what happens to the money, and a refund that does move money comes
with its own webhook. A refund larger than what is left of the order total is capped and
logged rather than promised.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tailor import addresses
from tailor.aftercare import context as base_context
from tailor.aftercare.config import get_aftercare_settings
from tailor.aftercare.store import AftercareStore, OrderHistory
from tailor.delivery import skipped
from tailor.events.canonical import Money
from tailor.events.fulfillment import OrderCancelled, RefundIssued
from tailor.idempotency import email_once
from tailor.observability import logger
from tailor.profiles import Profiles

CANCELLED = "order_cancelled"
REFUNDED = "refund_issued"
# Shopify's cancel reasons the customer is told (copy `reason_<reason>`); fraud and other
# are not: fraud is not an accusation to mail.
TOLD_REASONS = frozenset({"customer", "inventory", "declined"})
NO_PROMOTION = frozenset({"fraud", "declined"})


@email_once(key="order_id")
def send_cancellation(*, event: OrderCancelled) -> dict[str, Any]:
    settings = get_aftercare_settings()
    store = AftercareStore(settings.need("aftercare_table"))
    store.save_cancellation(event)  # review requests and reminders check it
    if event.test:
        return skipped(CANCELLED, "cancelled test order")
    history = store.history(event.order_id)
    recipient = addresses.normalize(event.email) or addresses.normalize(history.email)
    if recipient is None:
        return skipped(CANCELLED, "no valid email address for this order")
    profile = Profiles(settings.need("profiles_table")).get_or_new(recipient)
    order = history.order
    context = base_context.for_order(settings, order, profile, event)
    context |= {
        "order": {"number": event.order_number, "status_url": event.status_url},
        "reason": event.reason if event.reason in TOLD_REASONS else None,
        "lines": base_context.lines(event.lines or (order.lines if order else [])),
        "total": event.total,
        "money": _cancelled_money(event),
        "promote": (event.reason or "") not in NO_PROMOTION,
    }
    return base_context.send(CANCELLED, context, profile, test_order=history.test)


def _cancelled_money(event: OrderCancelled) -> dict[str, Any]:
    """What happens to the money: refunded, released, or nothing was charged."""
    destination = base_context.refund_destination(event.gateway)
    if event.refunded is not None and event.refunded.amount > 0:
        return {"kind": "refunded", "amount": event.refunded, "destination": destination}
    if (event.financial_status or "").lower() == "voided":
        return {"kind": "released", "amount": event.total, "destination": destination}
    if (event.financial_status or "").lower() in ("pending", "authorized", "expired") or (
        event.total is not None and event.total.amount == 0
    ):
        return {"kind": "not_charged", "amount": None, "destination": destination}
    return {"kind": "to_follow", "amount": event.total, "destination": destination}


@email_once(key="refund_id")
def send_refund(*, event: RefundIssued) -> dict[str, Any]:
    settings = get_aftercare_settings()
    store = AftercareStore(settings.need("aftercare_table"))
    store.save_refund(event)
    history = store.history(event.order_id)
    if event.amount is None or event.amount.amount <= 0:
        return skipped(REFUNDED, "refund moved no money (restock or adjustment only)")
    if history.cancellation and event.refund_id in history.cancellation.refund_ids:
        return skipped(REFUNDED, "refund already told in the cancellation email")
    if history.voided_test:
        return skipped(REFUNDED, "refund on a voided or cancelled test order")
    recipient = addresses.normalize(event.email) or addresses.normalize(history.email)
    if recipient is None:
        logger.info("refund for an order we never saw", extra={"order_id": event.order_id})
        return skipped(REFUNDED, "no address known for this order")
    amount = _capped(event, history)
    if amount.amount <= 0:
        return skipped(REFUNDED, "refund above what was left of the order total")
    profile = Profiles(settings.need("profiles_table")).get_or_new(recipient)
    order = history.order
    context = base_context.for_order(settings, order, profile, event)
    context |= {
        "order": {
            "number": event.order_number or history.order_number or "",
            "status_url": order.status_url if order else None,
        },
        "lines": [
            {
                "title": line.title,
                "variant_title": line.variant_title,
                "quantity": line.quantity,
                "amount": line.amount,
                "restocked": line.restock_type in ("return", "cancel"),
            }
            for line in event.lines[: base_context.MAX_LINES]
        ],
        "shipping": event.shipping if event.shipping and event.shipping.amount > 0 else None,
        "amount": amount,
        "destination": base_context.refund_destination(event.gateway),
        "fully_refunded": history.fully_refunded,
    }
    return base_context.send(REFUNDED, context, profile, test_order=event.test or history.test)


def _capped(event: RefundIssued, history: OrderHistory) -> Money:
    """The refund, at most what is left of the order total (when we know the total)."""
    assert event.amount is not None
    total = history.order.total if history.order else None
    if total is None or total.currency != event.amount.currency:
        return event.amount
    left = total.amount - history.refunded_total(total.currency, excluding=event.refund_id)
    if event.amount.amount <= left:
        return event.amount
    logger.warning(
        "refund above the order total: capped",
        extra={"order_id": event.order_id, "refund_id": event.refund_id},
    )
    return Money(amount=max(left, Decimal(0)), currency=total.currency)
