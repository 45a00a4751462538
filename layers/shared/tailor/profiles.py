"""Customer profiles: the one-to-one memory behind every email.

A profile is keyed by the customer's normalised email address (guests have no Shopify id,
and email is how we reach them). It remembers sizes per product type, orders and products
bought, locale and time zone, and marketing consent with its source and time. Updates are
pure functions on the model, stored with optimistic locking, so replays change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from tailor import aws, clock, transactions, zones
from tailor.events.canonical import CustomerUpdated, OrderPlaced, Product

# Orders this close together are one shopping visit: the second is no "welcome back".
SAME_VISIT = timedelta(hours=24)

ConsentState = Literal["subscribed", "not_subscribed", "unsubscribed", "pending"]


class Consent(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    state: ConsentState
    source: str
    opt_in_level: str | None = None
    updated_at: datetime


class Purchase(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    variant_id: str | None = None
    size: str | None = None
    quantity: int = 0
    times: int = 0
    last_order_id: str = ""
    last_bought_at: datetime


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    email: str
    customer_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None
    # True once the customer chose a language on the preference page: Shopify's no longer wins.
    locale_chosen: bool = False
    time_zone: str | None = None
    # True while `time_zone` is only the zone of the last shipping address (no explicit one).
    time_zone_inferred: bool = False
    sizes: dict[str, str] = Field(default_factory=dict, description="product type -> size")
    order_ids: list[str] = Field(default_factory=list)
    order_times: dict[str, datetime] = Field(
        default_factory=dict, description="order id -> placed at, for the orders in order_ids"
    )
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    purchases: dict[str, Purchase] = Field(default_factory=dict, description="by product id")
    consent: dict[str, Consent] = Field(default_factory=dict, description="by topic")
    suppressed: str | None = Field(default=None, description="why nothing may be sent, if so")
    soft_bounces: int = 0
    # Epoch seconds: compared atomically by DynamoDB when a marketing slot is claimed.
    last_marketing_epoch: int = 0
    version: int = 0

    @property
    def last_marketing_at(self) -> datetime | None:
        if not self.last_marketing_epoch:
            return None
        return datetime.fromtimestamp(self.last_marketing_epoch, UTC)

    def is_returning(self, order_id: str, placed_at: datetime) -> bool:
        """True when the customer ordered before this order (whether or not it is recorded),
        on an earlier visit: an order placed within SAME_VISIT before is the same visit."""
        times = [self.order_times.get(known) for known in self.order_ids if known != order_id]
        earlier = [when for when in times if when is None or when <= placed_at]
        if not earlier:
            return False
        # An order recorded before order times were kept was placed long ago.
        latest = max((when for when in earlier if when is not None), default=None)
        return latest is None or latest <= placed_at - SAME_VISIT

    def bought_since(self, since: datetime) -> set[str]:
        """The products (ids) the customer bought at `since` or later."""
        return {pid for pid, p in self.purchases.items() if p.last_bought_at >= since}

    def size_for(self, product_type: str) -> str | None:
        return self.sizes.get(product_type.strip().lower()) if product_type else None

    def consent_state(self, topic: str) -> ConsentState:
        record = self.consent.get(topic)
        return record.state if record else "not_subscribed"


def size_key(product_type: str) -> str:
    return product_type.strip().lower()


def record_order(profile: Profile, order: OrderPlaced, products: Mapping[str, Product]) -> Profile:
    """The profile after this order; the same profile if the order is already recorded."""
    if order.order_id in profile.order_ids:
        return profile
    sizes = dict(profile.sizes)
    purchases = dict(profile.purchases)
    for line in order.lines:
        if line.product_id is None:
            continue
        product = products.get(line.product_id)
        variant = product.variant(line.variant_id) if product else None
        size = variant.size if variant else None
        if size and product and product.product_type:
            sizes[size_key(product.product_type)] = size
        earlier = purchases.get(line.product_id)
        purchases[line.product_id] = Purchase(
            variant_id=line.variant_id,
            size=size,
            quantity=line.quantity,
            times=(earlier.times if earlier else 0) + 1,
            last_order_id=order.order_id,
            last_bought_at=max(order.placed_at, earlier.last_bought_at)
            if earlier
            else order.placed_at,
        )
    first_name = profile.first_name or order.customer.first_name
    order_ids = [*profile.order_ids, order.order_id][-500:]
    order_times = {**profile.order_times, order.order_id: order.placed_at}
    return _with_inferred_zone(profile, order).model_copy(
        update={
            "customer_id": profile.customer_id or order.customer.customer_id,
            "first_name": first_name,
            "last_name": profile.last_name or order.customer.last_name,
            "locale": _locale(profile, order.locale),
            "sizes": sizes,
            "purchases": purchases,
            "order_ids": order_ids,
            "order_times": {k: order_times[k] for k in order_ids if k in order_times},
            "first_order_at": min(filter(None, [profile.first_order_at, order.placed_at])),
            "last_order_at": max(filter(None, [profile.last_order_at, order.placed_at])),
        }
    )


def apply_customer(profile: Profile, customer: CustomerUpdated) -> Profile:
    """The profile after a customer account update (consent handled by the consent policy)."""
    return profile.model_copy(
        update={
            "customer_id": customer.customer_id,
            "first_name": customer.first_name or profile.first_name,
            "last_name": customer.last_name or profile.last_name,
            "locale": _locale(profile, customer.locale),
            "time_zone": customer.time_zone or profile.time_zone,
            "time_zone_inferred": profile.time_zone_inferred and not customer.time_zone,
        }
    )


def choose_language(profile: Profile, language: str) -> Profile:
    """The profile after the customer chose `language` for our emails and pages."""
    return profile.model_copy(update={"locale": language, "locale_chosen": True})


def _locale(profile: Profile, shopify: str | None) -> str | None:
    """Shopify's locale for the customer, unless they chose a language themselves."""
    return profile.locale if profile.locale_chosen else shopify or profile.locale


def _with_inferred_zone(profile: Profile, order: OrderPlaced) -> Profile:
    """The zone of where this order goes, unless the customer or Shopify set one."""
    if profile.time_zone and not profile.time_zone_inferred:
        return profile
    inferred = zones.zone_for_address(order.shipping_address)
    if inferred is None:
        return profile
    return profile.model_copy(update={"time_zone": inferred, "time_zone_inferred": True})


class CapReached(Exception):
    """Another marketing email went to this customer within the frequency cap."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"frequency cap reached until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class MarketingSlot:
    """A customer's frequency-cap slot, held while their marketing email is sent."""

    email: str
    at: datetime
    # The claim it replaced (epoch seconds, 0 for none), given back if nothing is sent.
    previous: int


class ConcurrentUpdate(RuntimeError):
    """Another writer changed the profile repeatedly while this one tried to update it."""


class Profiles:
    def __init__(self, table_name: str) -> None:
        self._table = aws.table(table_name)

    def get(self, email: str) -> Profile | None:
        item = self._table.get_item(Key={"email": email}, ConsistentRead=True).get("Item")
        return Profile.model_validate(item) if item else None

    def get_or_new(self, email: str) -> Profile:
        return self.get(email) or Profile(email=email)

    def get_many(self, emails: Iterable[str]) -> dict[str, Profile]:
        """Profiles by address, read consistently; an address without one gets an empty one."""
        wanted = list(dict.fromkeys(emails))
        keys = [{"email": email} for email in wanted]
        items = aws.batch_get(self._table, keys, consistent=True)
        found = {profile.email: profile for profile in map(Profile.model_validate, items)}
        return {email: found.get(email) or Profile(email=email) for email in wanted}

    def emails_for_customer(self, customer_id: str) -> list[str]:
        """The profiles that know this shop customer id (the sparse `customer_id` index)."""
        from boto3.dynamodb.conditions import Key

        query: dict[str, Any] = {
            "IndexName": "customer_id",
            "KeyConditionExpression": Key("customer_id").eq(customer_id),
        }
        emails: list[str] = []
        while True:
            page = self._table.query(**query)
            emails.extend(str(item["email"]) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return sorted(emails)
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def update(
        self, email: str, change: Callable[[Profile], Profile], attempts: int = 5
    ) -> Profile:
        """Apply a pure change with optimistic locking; a no-op change writes nothing."""
        return self.change(email, change, attempts)[1]

    def change(
        self,
        email: str,
        change: Callable[[Profile], Profile],
        attempts: int = 5,
        *,
        along: Callable[[Profile, Profile], Sequence[Mapping[str, Any]]] | None = None,
    ) -> tuple[Profile, Profile]:
        """The profile before and after a pure change, stored with optimistic locking.

        `along` gives transaction writes that must be stored with the change or not at all
        (the consent ledger's entries for it): profile and writes then commit in one
        TransactWriteItems call, so neither is ever stored without the other.
        """
        for _ in range(attempts):
            current = self.get_or_new(email)
            changed = change(current)
            if changed == current:
                return current, current
            item: dict[str, Any] = changed.model_dump(mode="json", exclude_none=True)
            item["version"] = current.version + 1
            item["updated_at"] = clock.now().isoformat()
            put = {
                "Item": item,
                "ConditionExpression": "attribute_not_exists(email) OR version = :v",
                "ExpressionAttributeValues": {":v": current.version},
            }
            others = along(current, changed) if along else []
            if self._stored(put, others):
                return current, changed.model_copy(update={"version": current.version + 1})
        raise ConcurrentUpdate(f"profile changed concurrently {attempts} times; giving up")

    def _stored(self, put: Mapping[str, Any], others: Sequence[Mapping[str, Any]]) -> bool:
        """Write the profile (and the others with it); False when another writer came first."""
        if not others:
            return aws.written(self._table.put_item, **put)
        reasons = transactions.write_together([transactions.put(self._table.name, put), *others])
        if reasons is None:
            return True
        # Another writer came first (or, vanishingly rare, a ledger entry key was taken):
        # read again and retry with fresh writes.
        if {transactions.CONDITION_FAILED, transactions.CONFLICT} & set(reasons):
            return False
        raise RuntimeError(f"profile and the writes with it were not stored: {reasons}")

    def reserve_marketing(self, email: str, now: datetime, cap_hours: int) -> MarketingSlot:
        """Claim the customer's marketing slot atomically, so two senders racing for the
        same customer cannot both get through the frequency cap."""
        threshold = now - timedelta(hours=cap_hours)
        try:
            response = self._table.update_item(
                Key={"email": email},
                UpdateExpression="SET last_marketing_epoch = :now ADD version :one",
                ConditionExpression=(
                    "attribute_exists(email) AND (attribute_not_exists(last_marketing_epoch)"
                    " OR last_marketing_epoch <= :threshold)"
                ),
                ExpressionAttributeValues={
                    ":now": int(now.timestamp()),
                    ":threshold": int(threshold.timestamp()),
                    ":one": 1,
                },
                ReturnValues="UPDATED_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            current = self.get(email)
            last = current.last_marketing_at if current else None
            raise CapReached((last or now) + timedelta(hours=cap_hours)) from None
        previous = int(str(response.get("Attributes", {}).get("last_marketing_epoch", 0)))
        return MarketingSlot(email, now, previous)

    def slot_write(self, profile: Profile, now: datetime) -> dict[str, Any]:
        """A transaction write claiming the slot of a profile read with a consistent read,
        on condition that the profile did not change since: so the sending policy decided
        on what is stored (consent, suppression, the last marketing email), and the slot it
        replaces is known. The slot it gives is `MarketingSlot(profile.email, now,
        profile.last_marketing_epoch)`."""
        # A profile written before versions existed reads as version 0.
        unchanged = (
            "version = :v" if profile.version else "(attribute_not_exists(version) OR version = :v)"
        )
        request = {
            "Key": {"email": profile.email},
            "UpdateExpression": "SET last_marketing_epoch = :now ADD version :one",
            "ConditionExpression": f"attribute_exists(email) AND {unchanged}",
            "ExpressionAttributeValues": {
                ":now": int(now.timestamp()),
                ":one": 1,
                ":v": profile.version,
            },
        }
        return transactions.update(self._table.name, request)

    def release_marketing(self, slot: MarketingSlot) -> None:
        """Give back a slot whose email was never sent, unless someone claimed it since."""
        try:
            self._table.update_item(
                Key={"email": slot.email},
                UpdateExpression="SET last_marketing_epoch = :previous ADD version :one",
                ConditionExpression="last_marketing_epoch = :claimed",
                ExpressionAttributeValues={
                    ":previous": slot.previous,
                    ":claimed": int(slot.at.timestamp()),
                    ":one": 1,
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
