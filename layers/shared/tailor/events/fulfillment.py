"""After the order: shipments, deliveries, cancellations and refunds (canonical and Shopify).

Shopify puts tracking on the fulfillment (`fulfillments/create`, and `fulfillments/update`
when a number is added later); carrier progress arrives as `fulfillment_events/create`
with neither carrier nor tracking number, only `fulfillment_id` and `order_id` to join on.
`refunds/create` fires whether or not money moved: only successful `refund` transactions
count as money. Review requests and replenishment reminders are scheduled as `ReviewDue`
and `ReplenishmentDue` events, the input EventBridge Scheduler hands their function.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field, NonNegativeInt, PositiveInt

from tailor import clock
from tailor.events.canonical import Address, Customer, Id, ItemLine, Model, Money, Status, Text
from tailor.events.shopify import Translator, paid

Payload = Mapping[str, Any]
Email = Annotated[str, Field(max_length=320)]


def _no_spaces(value: str) -> str:
    return re.sub(r"\s+", "", value)


# Tracking numbers are printed with spaces ("9400 1118 ...") but identify without them.
TrackingNumber = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_no_spaces)]


class ShipmentLine(ItemLine):
    remaining: NonNegativeInt | None = Field(
        default=None, description="Still to ship of this order line after this shipment"
    )


class Tracking(Model):
    number: TrackingNumber
    url: str | None = Field(default=None, max_length=2048)


class OrderEvent(Model):
    """What an event after the order says about the order and its buyer. Only the order id
    is certain: Shopify's later webhooks often carry neither the address nor the number."""

    order_id: Id
    order_number: Text | None = None
    email: Email | None = None
    locale: str | None = Field(default=None, max_length=35)
    customer: Customer = Customer()


class OrderShipped(OrderEvent):
    """A shipment left (or got its tracking number): the shipping confirmation follows."""

    detail_type: ClassVar[str] = "OrderShipped"

    fulfillment_id: Id
    shipment_name: Text | None = Field(default=None, description="e.g. #1001.1")
    shipped_at: AwareDatetime
    status: Status = Field(
        default="success", description="pending, open, success, cancelled, error, failure"
    )
    carrier: Text | None = None
    tracking: list[Tracking] = Field(default=[], max_length=20)
    estimated_delivery_at: AwareDatetime | None = None
    lines: list[ShipmentLine] = Field(min_length=1, max_length=1000)
    still_to_come: list[ItemLine] = Field(
        default=[], max_length=1000, description="Lines of the order not yet shipped, if known"
    )
    destination: Address | None = None
    status_url: str | None = Field(default=None, max_length=2048)
    is_update: bool = Field(
        default=False,
        description="An update of a shipment announced before: only new tracking is news",
    )

    @property
    def shipped(self) -> bool:
        """Only a `success` fulfillment has left the warehouse. `pending` and `open` ones wait
        on a fulfillment service (the update that moves them to success is the news), and
        `cancelled`, `error`, `failure` or a status we do not know yet never left."""
        return self.status == "success"


class OrderDelivered(OrderEvent):
    """A carrier reported progress on a shipment (out_for_delivery and delivered are mailed)."""

    detail_type: ClassVar[str] = "OrderDelivered"

    fulfillment_id: Id | None = None
    event_id: Id | None = None
    status: Status
    happened_at: AwareDatetime
    estimated_delivery_at: AwareDatetime | None = None
    message: Text | None = None
    city: Text | None = None


class OrderCancelled(OrderEvent):
    """An order was cancelled: what was cancelled, and what happens to the money."""

    detail_type: ClassVar[str] = "OrderCancelled"

    order_number: Text
    cancelled_at: AwareDatetime
    reason: Text | None = Field(
        default=None, description="customer, declined, fraud, inventory, other, staff"
    )
    lines: list[ItemLine] = Field(default=[], max_length=1000)
    total: Money | None = Field(default=None, description="The order total before cancelling")
    refunded: Money | None = Field(default=None, description="Money returned with the cancellation")
    refund_ids: list[Id] = Field(default=[], max_length=100)
    financial_status: Text | None = Field(default=None, description="e.g. voided, refunded")
    test: bool = Field(default=False, description="A test order (test payment gateway)")
    gateway: Text | None = None
    status_url: str | None = Field(default=None, max_length=2048)


class RefundedLine(ItemLine):
    amount: Money | None = Field(default=None, description="Subtotal plus tax of this line")
    restock_type: Text | None = None


class RefundIssued(OrderEvent):
    """A refund was recorded on an order (it may or may not move money)."""

    detail_type: ClassVar[str] = "RefundIssued"

    refund_id: Id
    refunded_at: AwareDatetime
    amount: Money | None = Field(default=None, description="Money actually returned")
    lines: list[RefundedLine] = Field(default=[], max_length=1000)
    shipping: Money | None = None
    gateway: Text | None = None
    test: bool = Field(default=False, description="Money moved by a test payment gateway")


class ReviewItem(Model):
    product_id: Id
    variant_id: Id | None = None
    title: Text
    variant_title: Text | None = None


class ReviewDue(Model):
    """Scheduled after a delivery: time to ask for a review of what arrived."""

    detail_type: ClassVar[str] = "ReviewDue"

    order_id: Id
    order_number: Text | None = None
    email: Email
    delivered_at: AwareDatetime
    items: list[ReviewItem] = Field(min_length=1, max_length=10)


class ReplenishmentDue(Model):
    """Scheduled at purchase: the product's replenishment interval has passed."""

    detail_type: ClassVar[str] = "ReplenishmentDue"

    email: Email
    product_id: Id
    variant_id: Id | None = None
    title: Text
    variant_title: Text | None = None
    size: Text | None = None
    quantity: PositiveInt = 1
    order_id: Id
    bought_at: AwareDatetime
    interval: Text = Field(description="As tagged, e.g. 270d, 9m or 6w")


EVENTS: tuple[type[Model], ...] = (
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    RefundIssued,
    ReviewDue,
    ReplenishmentDue,
)


# ---------------------------------------------------------------------- Shopify
def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _decimal(value: Any) -> Decimal:
    """Amounts arrive as strings, and as JSON numbers in refund line items."""
    return Decimal(str(value))


def _item(item: Payload) -> dict[str, Any]:
    return {
        "line_id": str(item.get("id") or item.get("line_item_id")),
        "product_id": _id(item.get("product_id")),
        "variant_id": _id(item.get("variant_id")),
        "sku": item.get("sku") or None,
        "title": item.get("title") or item.get("name") or "Item",
        "variant_title": item.get("variant_title") or None,
        "quantity": item.get("quantity") or 1,
    }


def _address(payload: Any) -> Address | None:
    if not isinstance(payload, Mapping):
        return None
    fields = ("address1", "address2", "city", "province", "zip", "country", "country_code")
    return Address(name=payload.get("name"), **{f: payload.get(f) for f in fields})


def _customer(payload: Payload) -> Customer:
    customer = payload.get("customer") or {}
    return Customer(
        customer_id=_id(customer.get("id")),
        first_name=customer.get("first_name") or None,
        last_name=customer.get("last_name") or None,
    )


def _successful_refunds(transactions: Any) -> list[Payload]:
    return [
        t
        for t in transactions or []
        if isinstance(t, Mapping) and t.get("kind") == "refund" and t.get("status") == "success"
    ]


def _money_sum(transactions: list[Payload], fallback_currency: str) -> Money | None:
    if not transactions:
        return None
    currency = str(transactions[0].get("currency") or fallback_currency)
    return Money(
        amount=sum((_decimal(t["amount"]) for t in transactions), Decimal(0)), currency=currency
    )


def order_shipped(payload: Payload, *, update: bool) -> OrderShipped:
    """fulfillments/create and fulfillments/update (tracking may arrive only with an update)."""
    numbers = payload.get("tracking_numbers") or [payload.get("tracking_number")]
    urls = payload.get("tracking_urls") or [payload.get("tracking_url")]
    tracking = [
        Tracking(number=str(number), url=urls[i] if i < len(urls) else None)
        for i, number in enumerate(numbers)
        if number and str(number).strip()
    ]
    name = payload.get("name") or None
    return OrderShipped(
        order_id=str(payload["order_id"]),
        # A fulfillment is named after its order: "#1001.2" is the second shipment of #1001.
        order_number=name.rsplit(".", 1)[0] if name and "." in name else None,
        fulfillment_id=str(payload["id"]),
        shipment_name=name,
        shipped_at=payload.get("created_at") or clock.now(),
        email=payload.get("email") or None,
        status=payload.get("status") or "success",
        carrier=payload.get("tracking_company") or None,
        tracking=tracking,
        lines=[
            ShipmentLine(**_item(item), remaining=item.get("fulfillable_quantity"))
            for item in payload.get("line_items") or []
        ],
        destination=_address(payload.get("destination")),
        is_update=update,
    )


def order_delivered(payload: Payload) -> OrderDelivered:
    """fulfillment_events/create: a carrier status for one fulfillment."""
    return OrderDelivered(
        order_id=str(payload["order_id"]),
        fulfillment_id=_id(payload.get("fulfillment_id")),
        event_id=_id(payload.get("id")),
        status=payload.get("status") or "unknown",
        happened_at=payload.get("happened_at") or payload.get("created_at") or clock.now(),
        estimated_delivery_at=payload.get("estimated_delivery_at") or None,
        message=payload.get("message") or None,
        city=payload.get("city") or None,
    )


def order_cancelled(payload: Payload, shop_currency: str) -> OrderCancelled:
    """orders/cancelled: the `current_*` totals are zero by now; `total_*` keep the original."""
    currency = payload.get("presentment_currency") or payload.get("currency") or shop_currency
    shop_currency = payload.get("currency") or shop_currency
    refunds = [r for r in payload.get("refunds") or [] if isinstance(r, Mapping)]
    transactions = [t for r in refunds for t in _successful_refunds(r.get("transactions"))]
    gateways = payload.get("payment_gateway_names") or []
    return OrderCancelled(
        order_id=str(payload["id"]),
        order_number=payload.get("name") or f"#{payload.get('order_number', payload['id'])}",
        cancelled_at=payload.get("cancelled_at") or payload.get("updated_at") or clock.now(),
        reason=payload.get("cancel_reason") or None,
        email=payload.get("email") or payload.get("contact_email") or None,
        locale=payload.get("customer_locale") or None,
        customer=_customer(payload),
        lines=[ItemLine(**_item(item)) for item in payload.get("line_items") or []],
        total=paid(payload, "total_price", currency, shop_currency),
        refunded=_money_sum(transactions, currency),
        refund_ids=[str(r["id"]) for r in refunds if r.get("id") is not None],
        financial_status=payload.get("financial_status") or None,
        test=bool(payload.get("test")),
        gateway=(transactions[0].get("gateway") if transactions else None)
        or next(iter(gateways), None),
        status_url=payload.get("order_status_url") or None,
    )


def refund_issued(payload: Payload, shop_currency: str) -> RefundIssued:
    """refunds/create: what the refund moved, and what for.

    The money is the successful `refund` transactions (none for a restock alone), in the
    currency the buyer paid. Lines show their `subtotal_set` plus `total_tax_set`; refunded
    shipping is in `refund_shipping_lines` on recent API versions and in `order_adjustments`
    of kind `shipping_refund` (negative amounts: money leaving the shop) on older ones.
    """
    transactions = _successful_refunds(payload.get("transactions"))
    lines_payload = [r for r in payload.get("refund_line_items") or [] if isinstance(r, Mapping)]
    # Refund transactions move the buyer's (presentment) currency.
    currency = next(
        (str(t["currency"]) for t in transactions if t.get("currency")),
        _presentment_currency(lines_payload) or shop_currency,
    )
    lines = []
    for refunded in lines_payload:
        item = {**(refunded.get("line_item") or {}), "quantity": refunded.get("quantity")}
        item.setdefault("id", refunded.get("line_item_id"))
        parts = [
            m
            for field in ("subtotal", "total_tax")
            if (m := paid(refunded, field, currency, shop_currency)) is not None
        ]
        lines.append(
            RefundedLine(
                **_item(item),
                amount=_total(parts) if parts else None,
                restock_type=refunded.get("restock_type"),
            )
        )
    shipping = [
        m
        for s in payload.get("refund_shipping_lines") or []
        if (m := paid(s, "subtotal_amount", currency, shop_currency)) is not None
    ] + [
        Money(amount=abs(m.amount), currency=m.currency)
        for adjustment in payload.get("order_adjustments") or []
        if isinstance(adjustment, Mapping) and adjustment.get("kind") == "shipping_refund"
        for field in ("amount", "tax_amount")
        if (m := paid(adjustment, field, currency, shop_currency)) is not None
    ]
    return RefundIssued(
        refund_id=str(payload["id"]),
        order_id=str(payload["order_id"]),
        refunded_at=payload.get("processed_at") or payload.get("created_at") or clock.now(),
        amount=_money_sum(transactions, currency),
        lines=lines,
        shipping=_total(shipping) if shipping else None,
        gateway=transactions[0].get("gateway") if transactions else None,
        test=any(t.get("test") for t in transactions),
    )


def _presentment_currency(refund_lines: list[Payload]) -> str | None:
    for line in refund_lines:
        money_set = line.get("subtotal_set")
        presentment = money_set.get("presentment_money") if isinstance(money_set, Mapping) else None
        if isinstance(presentment, Mapping) and presentment.get("currency_code"):
            return str(presentment["currency_code"])
    return None


def _total(parts: list[Money]) -> Money:
    return Money(amount=sum((m.amount for m in parts), Decimal(0)), currency=parts[0].currency)


SHOPIFY_TOPICS: dict[type[Model], dict[str, Translator]] = {
    OrderShipped: {
        "fulfillments/create": lambda p, s: order_shipped(p, update=False),
        "fulfillments/update": lambda p, s: order_shipped(p, update=True),
    },
    OrderDelivered: {"fulfillment_events/create": lambda p, s: order_delivered(p)},
    OrderCancelled: {"orders/cancelled": lambda p, s: order_cancelled(p, s.shop_currency)},
    RefundIssued: {"refunds/create": lambda p, s: refund_issued(p, s.shop_currency)},
}
