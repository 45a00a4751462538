"""A small shop on the local cloud for the alert tests: the Classic Oxford in sizes 11-13,
customers with sizes and consent, events delivered through the template's own rules, the
catalog stream and the queues drained as Lambda would, and schedules fired by the clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tailor import aws
from tailor.consent import NEWSLETTER
from tailor.profiles import Consent, Profile
from tailor_local.cloud import EphemeralCloud
from tailor_local.runner import Report, Runner
from tailor_local.schedules import Scheduler
from tailor_local.state import Journal, State
from tailor_local.template import Template

MIDDAY = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # noon in the local shop's zone, Chicago
OXFORD = "8123456789012"
SIZE = {"11": "44112233445566", "12": "44112233445567", "13": "44112233445568"}
SOCKS = "8123456789020"
SOCKS_VARIANT = "44112233445590"


def event(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "com.example.shop",
        "account": "123456789012",
        "time": MIDDAY.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def open_shop(template: Template, monkeypatch: Any) -> Shop:
    """The shop at midday (the clock the functions read is TAILOR_NOW)."""
    monkeypatch.setenv("TAILOR_NOW", MIDDAY.isoformat())
    return Shop(template)


class Shop:
    """The local cloud running the template's functions, with a catalog and customers."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.runner = Runner(template, EphemeralCloud(template, State(), Journal(None)))
        self.moment = MIDDAY
        self._updates = 0

    # ------------------------------------------------------------------ time
    def at(self, moment: datetime, monkeypatch: Any) -> None:
        self.moment = moment
        monkeypatch.setenv("TAILOR_NOW", moment.isoformat())

    def fire_schedules(self, until: datetime) -> list[Report]:
        return Scheduler(self.runner).run_until(until)

    # ------------------------------------------------------------------ events
    def deliver(self, detail_type: str, **detail: Any) -> Report:
        report = self.runner.deliver(event(detail_type, detail))
        assert report.ok, report.failures
        return report

    def oxford(
        self,
        stock: dict[str, int | None],
        price: str = "199.00",
        compare_at: str | None = None,
        status: str = "active",
        prices: dict[str, str] | None = None,
    ) -> Report:
        """The Classic Oxford with this stock per size (sizes left out do not exist)."""
        variants = [
            {
                "variant_id": SIZE[size],
                "title": size,
                "size": size,
                "price": money((prices or {}).get(size, price)),
                "compare_at_price": money(compare_at) if compare_at else None,
                "inventory": units,
            }
            for size, units in stock.items()
        ]
        return self.product(
            product_id=OXFORD,
            handle="classic-oxford",
            title="Classic Oxford",
            product_type="Shoes",
            tags=["leather", "mens", "oxford"],
            status=status,
            url="https://shop.example.com/products/classic-oxford",
            image_url="https://shop.example.com/images/classic-oxford.jpg",
            variants=variants,
        )

    def socks(self, price: str = "18.00", compare_at: str | None = None) -> Report:
        return self.product(
            product_id=SOCKS,
            handle="rag-wool-socks",
            title="Rag Wool Socks",
            product_type="Socks",
            tags=["wool", "pairs-with:classic-oxford"],
            url="https://shop.example.com/products/rag-wool-socks",
            variants=[
                {
                    "variant_id": SOCKS_VARIANT,
                    "title": "One size",
                    "price": money(price),
                    "compare_at_price": money(compare_at) if compare_at else None,
                    "inventory": 240,
                }
            ],
        )

    def product(self, **detail: Any) -> Report:
        self._updates += 1
        updated = self.moment + timedelta(seconds=self._updates)
        return self.deliver("ProductUpdated", updated_at=updated.isoformat(), **detail)

    def back_in_stock(self, email: str, size: str, minutes: int = 0) -> Report:
        when = self.moment - timedelta(days=1) + timedelta(minutes=minutes)
        return self.deliver(
            "BackInStockRequested",
            email=email,
            product_id=OXFORD,
            size=size,
            requested_at=when.isoformat(),
        )

    def search(self, email: str, query: str, *product_ids: str) -> Report:
        return self.deliver(
            "ProductSearched",
            email=email,
            query=query,
            product_ids=list(product_ids),
            searched_at=self.moment.isoformat(),
        )

    def wish(self, email: str, product_id: str = OXFORD, variant_id: str | None = None) -> Report:
        return self.deliver(
            "WishlistItemAdded",
            email=email,
            product_id=product_id,
            variant_id=variant_id,
            added_at=(self.moment - timedelta(days=2)).isoformat(),
        )

    # ------------------------------------------------------------------ customers
    def customer(
        self,
        email: str,
        *,
        shoes: str | None = None,
        topics: tuple[str, ...] = (NEWSLETTER,),
        first_name: str | None = None,
        **extra: Any,
    ) -> None:
        """A profile with a shoe size and consent (the newsletter covers every topic)."""
        since = self.moment - timedelta(days=30)
        profile = Profile(
            email=email,
            first_name=first_name,
            sizes={"shoes": shoes} if shoes else {},
            consent={
                t: Consent(state="subscribed", source="test", updated_at=since) for t in topics
            },
            **extra,
        )
        item = profile.model_dump(mode="json", exclude_none=True)
        aws.table(self.template.physical_name("ProfilesTable")).put_item(Item=item)

    # ------------------------------------------------------------------ looking
    def interests(self) -> list[dict[str, Any]]:
        table = aws.table(self.template.physical_name("InterestsTable"))
        return list(table.scan()["Items"])

    def waiting(self) -> list[str]:
        """Back-in-stock subscriptions still open (email#variant)."""
        return sorted(
            f"{i['email']}#{i['variant_id']}" for i in self.interests() if i.get("kind") == "bis"
        )


def recipients(outbox: Any) -> list[str]:
    return sorted(str(message["To"]).split("<")[-1].rstrip(">") for message in outbox.messages)


def stream_record(
    sequence: int,
    new: dict[str, Any] | None,
    old: dict[str, Any] | None = None,
    name: str = "MODIFY",
    keys: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A DynamoDB Streams record as Lambda delivers it (images in DynamoDB JSON)."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()

    def image(item: dict[str, Any]) -> dict[str, Any]:
        return {k: serializer.serialize(v) for k, v in item.items()}

    body: dict[str, Any] = {
        "ApproximateCreationDateTime": int(MIDDAY.timestamp()),
        "Keys": image(keys or {"product_id": (new or old or {}).get("product_id", "x")}),
        "SequenceNumber": str(sequence),
        "SizeBytes": 1,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        body["NewImage"] = image(new)
    if old is not None:
        body["OldImage"] = image(old)
    return {
        "eventID": f"event-{sequence}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": body,
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/CatalogTable/stream/x",
    }


def catalog_item(product_id: str = OXFORD) -> dict[str, Any]:
    item = aws.table("CatalogTable").get_item(Key={"product_id": product_id}).get("Item")
    assert item is not None
    return dict(item)
