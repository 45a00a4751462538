"""What Tailor remembers about an order after it is placed, in the aftercare table.

Shopify's later webhooks carry little: a carrier event has no address or items, a refund
no order number. So each order gets a small record, one item per fact, under one key:

    pk = order#<order id>     sk = order                 lines, address, total, locale
                              sk = shipment#<id>         lines shipped, tracking announced,
                                                         out for delivery / delivered
                              sk = refund#<id>           money and lines refunded
                              sk = cancelled             when and why
    pk = customer#<email>     sk = reviewed#<product id> the customer reviewed the product

Every write is idempotent (webhooks repeat), and items expire after RETENTION, longer than
any review delay or replenishment interval that reads them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel, ConfigDict

from tailor import aws, clock
from tailor.events.canonical import ItemLine, Money, OrderPlaced
from tailor.events.fulfillment import OrderCancelled, OrderShipped, RefundIssued

RETENTION = timedelta(days=800)
NO_TRACKING = "-"  # what "announced without a tracking number" is stored as


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class OrderRecord(Record):
    order_id: str
    order_number: str
    email: str | None = None
    placed_at: datetime
    locale: str | None = None
    first_name: str | None = None
    total: Money | None = None
    status_url: str | None = None
    lines: list[ItemLine] = []
    test: bool = False
    voided: bool = False


class ShipmentRecord(Record):
    fulfillment_id: str
    order_number: str | None = None
    email: str | None = None
    shipped_at: datetime | None = None
    carrier: str | None = None
    lines: list[ItemLine] = []
    announced: list[str] = []
    out_for_delivery_at: datetime | None = None
    delivered_at: datetime | None = None


class RefundRecord(Record):
    refund_id: str
    refunded_at: datetime
    amount: Money | None = None
    lines: list[ItemLine] = []


class CancellationRecord(Record):
    cancelled_at: datetime
    reason: str | None = None
    refund_ids: list[str] = []
    test: bool = False


def _lines(lines: Iterable[ItemLine]) -> list[dict[str, Any]]:
    return [
        ItemLine.model_validate(line.model_dump()).model_dump(mode="json", exclude_none=True)
        for line in lines
    ]


@dataclass(frozen=True)
class OrderHistory:
    order_id: str
    order: OrderRecord | None = None
    shipments: dict[str, ShipmentRecord] = field(default_factory=dict)
    refunds: dict[str, RefundRecord] = field(default_factory=dict)
    cancellation: CancellationRecord | None = None

    @property
    def known(self) -> bool:
        return bool(self.order or self.shipments or self.refunds or self.cancellation)

    @property
    def email(self) -> str | None:
        if self.order and self.order.email:
            return self.order.email
        return next((s.email for s in self.shipments.values() if s.email), None)

    @property
    def order_number(self) -> str | None:
        if self.order:
            return self.order.order_number
        return next((s.order_number for s in self.shipments.values() if s.order_number), None)

    @property
    def test(self) -> bool:
        order_test = self.order is not None and self.order.test
        return order_test or (self.cancellation is not None and self.cancellation.test)

    @property
    def voided_test(self) -> bool:
        """A test order that was voided or cancelled: nobody bought anything, nothing is
        mailed about it any more."""
        if self.cancellation is not None and self.cancellation.test:
            return True
        return self.order is not None and self.order.test and self.order.voided

    def refunded_quantities(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for refund in self.refunds.values():
            for line in refund.lines:
                counted[line.line_id] += line.quantity
        return counted

    def still_to_come(self) -> list[ItemLine]:
        """Ordered lines neither shipped nor refunded yet (empty if the order is unknown)."""
        if self.order is None or self.cancellation is not None:
            return []
        gone: Counter[str] = self.refunded_quantities()
        for shipment in self.shipments.values():
            for line in shipment.lines:
                gone[line.line_id] += line.quantity
        return [
            line.model_copy(update={"quantity": line.quantity - gone[line.line_id]})
            for line in self.order.lines
            if line.quantity > gone[line.line_id]
        ]

    def refunded_total(self, currency: str, excluding: str | None = None) -> Decimal:
        return sum(
            (
                r.amount.amount
                for r in self.refunds.values()
                if r.amount and r.amount.currency == currency and r.refund_id != excluding
            ),
            Decimal(0),
        )

    @property
    def fully_refunded(self) -> bool:
        if self.order is None or self.order.total is None or not self.refunds:
            return False
        total = self.order.total
        return self.refunded_total(total.currency) >= total.amount > 0

    def refunded_products(self) -> set[str]:
        """Products whose every ordered unit was refunded (all refunded ones if unknown)."""
        refunded = self.refunded_quantities()
        if self.order is None:
            return {
                line.product_id
                for refund in self.refunds.values()
                for line in refund.lines
                if line.product_id
            }
        return {
            line.product_id
            for line in self.order.lines
            if line.product_id and refunded[line.line_id] >= line.quantity
        }

    def delivered_lines(self) -> list[ItemLine]:
        return [line for s in self.shipments.values() if s.delivered_at for line in s.lines]


class AftercareStore:
    def __init__(self, table_name: str) -> None:
        self._table = aws.table(table_name)

    @staticmethod
    def _expires() -> int:
        return int((clock.now() + RETENTION).timestamp())

    # ------------------------------------------------------------------ writes
    def save_order(self, order: OrderPlaced, email: str | None) -> None:
        record = OrderRecord(
            order_id=order.order_id,
            order_number=order.order_number,
            email=email,
            placed_at=order.placed_at,
            locale=order.locale,
            first_name=order.customer.first_name,
            total=order.total,
            status_url=order.status_url,
            lines=[ItemLine.model_validate(line.model_dump()) for line in order.lines],
            test=order.test,
            voided=order.financial_status == "voided",
        )
        self._table.put_item(
            Item={
                "pk": f"order#{order.order_id}",
                "sk": "order",
                **record.model_dump(mode="json", exclude_none=True),
                "expires_at": self._expires(),
            }
        )

    def save_shipment(self, shipped: OrderShipped, email: str | None) -> None:
        """The facts of a shipment; what was announced and delivered is kept as it was."""
        facts: dict[str, Any] = {
            "fulfillment_id": shipped.fulfillment_id,
            "lines": _lines(shipped.lines),
            "shipped_at": shipped.shipped_at.isoformat(),
            "expires_at": self._expires(),
        }
        for name, value in (
            ("order_number", shipped.order_number),
            ("email", email),
            ("carrier", shipped.carrier),
        ):
            if value:
                facts[name] = value
        self._update(shipped.order_id, f"shipment#{shipped.fulfillment_id}", facts)

    def mark_announced(self, order_id: str, fulfillment_id: str, numbers: Iterable[str]) -> None:
        announced = set(numbers) or {NO_TRACKING}
        self._table.update_item(
            Key={"pk": f"order#{order_id}", "sk": f"shipment#{fulfillment_id}"},
            UpdateExpression="ADD announced :n",
            ExpressionAttributeValues={":n": announced},
        )

    def mark_carrier_status(
        self, order_id: str, fulfillment_id: str, status: str, at: datetime
    ) -> None:
        """The first time a shipment was out for delivery, or delivered."""
        attribute = {"out_for_delivery": "out_for_delivery_at", "delivered": "delivered_at"}[status]
        self._table.update_item(
            Key={"pk": f"order#{order_id}", "sk": f"shipment#{fulfillment_id}"},
            UpdateExpression=(
                "SET #at = if_not_exists(#at, :at), fulfillment_id = :f, expires_at = :x"
            ),
            ExpressionAttributeNames={"#at": attribute},
            ExpressionAttributeValues={
                ":at": at.isoformat(),
                ":f": fulfillment_id,
                ":x": self._expires(),
            },
        )

    def save_cancellation(self, cancelled: OrderCancelled) -> None:
        record = CancellationRecord(
            cancelled_at=cancelled.cancelled_at,
            reason=cancelled.reason,
            refund_ids=cancelled.refund_ids,
            test=cancelled.test,
        )
        self._put(cancelled.order_id, "cancelled", record)

    def save_refund(self, refund: RefundIssued) -> None:
        record = RefundRecord(
            refund_id=refund.refund_id,
            refunded_at=refund.refunded_at,
            amount=refund.amount,
            lines=[ItemLine.model_validate(line.model_dump()) for line in refund.lines],
        )
        self._put(refund.order_id, f"refund#{refund.refund_id}", record)

    def mark_reviewed(self, email: str, product_id: str, at: datetime) -> None:
        self._table.put_item(
            Item={
                "pk": f"customer#{email}",
                "sk": f"reviewed#{product_id}",
                "reviewed_at": at.isoformat(),
                "expires_at": self._expires(),
            }
        )

    def _put(self, order_id: str, sort_key: str, record: Record) -> None:
        self._table.put_item(
            Item={
                "pk": f"order#{order_id}",
                "sk": sort_key,
                **record.model_dump(mode="json", exclude_none=True),
                "expires_at": self._expires(),
            }
        )

    def _update(self, order_id: str, sort_key: str, values: dict[str, Any]) -> None:
        names = {f"#{i}": name for i, name in enumerate(values)}
        self._table.update_item(
            Key={"pk": f"order#{order_id}", "sk": sort_key},
            UpdateExpression="SET " + ", ".join(f"{n} = :{n[1:]}" for n in names),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{n[1:]}": values[name] for n, name in names.items()},
        )

    # ------------------------------------------------------------------ reads
    def history(self, order_id: str) -> OrderHistory:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"order#{order_id}"),
            "ConsistentRead": True,
        }
        items: list[dict[str, Any]] = []
        while True:
            response = self._table.query(**query)
            items += response["Items"]
            if "LastEvaluatedKey" not in response:
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        order, cancellation = None, None
        shipments: dict[str, ShipmentRecord] = {}
        refunds: dict[str, RefundRecord] = {}
        for item in items:
            kind, _, key = str(item["sk"]).partition("#")
            if kind == "order":
                order = OrderRecord.model_validate(item)
            elif kind == "shipment":
                shipments[key] = ShipmentRecord.model_validate(
                    {**item, "announced": sorted(item.get("announced") or [])}
                )
            elif kind == "refund":
                refunds[key] = RefundRecord.model_validate(item)
            elif kind == "cancelled":
                cancellation = CancellationRecord.model_validate(item)
        return OrderHistory(order_id, order, shipments, refunds, cancellation)

    def reviewed(self, email: str, product_ids: Iterable[str]) -> set[str]:
        wanted = set(product_ids)
        response = self._table.query(
            KeyConditionExpression=Key("pk").eq(f"customer#{email}")
            & Key("sk").begins_with("reviewed#"),
            ProjectionExpression="sk",
        )
        return {str(i["sk"]).partition("#")[2] for i in response["Items"]} & wanted
