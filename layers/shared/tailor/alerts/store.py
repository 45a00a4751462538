"""The interests table: who wants what, so that one product's watchers come in one query.

Items (pk, sk):
  product#<product>  bis#<variant>#<email>    back-in-stock subscription for one variant
  product#<product>  wish#<email>             on the customer's wish list
  product#<product>  watch#<email>            asked to hear when it goes on sale
  product#<product>  search#<email>           shown first when they searched (expires)
  term#<word>        <email>#<query digest>   a word they searched for, with all its words
  told#<change>      <recipient key>          one recipient's claim on one change (expires)

Index `waiting` (waitlist = product#variant, queue = since#email): a variant's back-in-stock
subscribers in the order they asked; both exist only while a subscription waits, so the
index is sparse. Index `by_email` (email, sk): one customer's interests, for their profile.
Claims carry no `email`, so they stay out of it.

Writes are keyed so that a replayed event writes the same item again: duplicates change
nothing. A subscription closes (is deleted) once its email went out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from tailor import aws, clock, transactions
from tailor.observability import logger

WAITING_INDEX = "waiting"
EMAIL_INDEX = "by_email"

BACK_IN_STOCK, WISH, WATCH, SEARCH = "bis", "wish", "watch", "search"
# A claim older than this belongs to a sender that died (SQS redelivers a message only
# after its visibility timeout). Alerts are marketing, sent at most once: the change that
# held it never takes it back, since the email may have gone out; a later change may.
CLAIM_LEASE = timedelta(minutes=15)

WAITING, CLAIMED, DEFERRED, DONE = "waiting", "claimed", "deferred", "done"


class Holder(Enum):
    """Who holds a claim this change could not take."""

    TOLD = "told"  # the recipient was told of this change (or left the queue): nothing to do
    UNFINISHED = "unfinished"  # an attempt of this change claimed it and has not finished
    OTHER = "other"  # another change holds it: left to it


def product_pk(product_id: str) -> str:
    return f"product#{product_id}"


def stamp(moment: datetime) -> str:
    """A UTC time that sorts as text (queue order, late-event checks)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Interest:
    """One customer's interest in one product (any kind but back in stock)."""

    kind: str
    email: str
    product_id: str
    variant_id: str | None = None
    query: str | None = None


@dataclass(frozen=True)
class Subscription:
    """A back-in-stock request for one variant, waiting its turn."""

    email: str
    product_id: str
    variant_id: str
    since: str
    size: str | None = None

    @property
    def sk(self) -> str:
        return f"{BACK_IN_STOCK}#{self.variant_id}#{self.email}"

    @property
    def waitlist(self) -> str:
        return f"{self.product_id}#{self.variant_id}"

    @property
    def queue(self) -> str:
        return f"{self.since}#{self.email}"


def subscription_item(subscription: Subscription, customer_id: str | None = None) -> dict[str, Any]:
    """The item of a waiting back-in-stock subscription."""
    item: dict[str, Any] = {
        "pk": product_pk(subscription.product_id),
        "sk": subscription.sk,
        "waitlist": subscription.waitlist,
        "queue": subscription.queue,
        "kind": BACK_IN_STOCK,
        "email": subscription.email,
        "product_id": subscription.product_id,
        "variant_id": subscription.variant_id,
        "since": subscription.since,
        "status": WAITING,
    }
    if subscription.size:
        item["size"] = subscription.size
    if customer_id:
        item["customer_id"] = customer_id
    return item


@dataclass(frozen=True)
class Claim:
    """One recipient's claim on one change: their back-in-stock subscription leaving the
    queue, or else a "told" mark keyed on the change and the recipient."""

    change_id: str
    recipient_key: str
    subscription: Subscription | None = None

    @property
    def key(self) -> tuple[str, str]:
        if self.subscription is not None:
            return product_pk(self.subscription.product_id), self.subscription.sk
        return f"told#{self.change_id}", self.recipient_key


def _subscription_claim(claim: Claim, now: datetime) -> dict[str, Any]:
    """Take a waiting subscription out of the queue for this change (or take back one this
    change deferred, or one whose sender died)."""
    pk, sk = claim.key
    return {
        "Key": {"pk": pk, "sk": sk},
        "UpdateExpression": (
            "SET #s = :claimed, claimed_by = :c, claimed_at = :now REMOVE waitlist, #q"
        ),
        "ConditionExpression": (
            "attribute_exists(pk) AND (#s = :waiting"
            " OR (#s = :deferred AND claimed_by = :c)"
            " OR (#s = :claimed AND claimed_at < :stale AND claimed_by <> :c))"
        ),
        "ExpressionAttributeNames": {"#s": "status", "#q": "queue"},
        "ExpressionAttributeValues": {
            ":claimed": CLAIMED,
            ":waiting": WAITING,
            ":deferred": DEFERRED,
            ":c": claim.change_id,
            ":now": int(now.timestamp()),
            ":stale": int((now - CLAIM_LEASE).timestamp()),
        },
    }


def _told_claim(claim: Claim, now: datetime, keep_days: int) -> dict[str, Any]:
    """Claim telling one recipient about one change (a sale, a price, a private sale)."""
    pk, sk = claim.key
    return {
        "Item": {
            "pk": pk,
            "sk": sk,
            "status": CLAIMED,
            "claimed_at": int(now.timestamp()),
            "expires_at": int((now + timedelta(days=keep_days)).timestamp()),
        },
        "ConditionExpression": "attribute_not_exists(pk) OR #s = :deferred",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":deferred": DEFERRED},
    }


class Interests:
    def __init__(self, table_name: str) -> None:
        self._table = aws.table(table_name)

    # ------------------------------------------------------------------ writing interests
    def subscribe(self, subscription: Subscription, customer_id: str | None = None) -> bool:
        """Add a back-in-stock request; False when this variant is already asked for (a
        replay keeps its place in the queue, and one in flight is left alone)."""
        return aws.written(
            self._table.put_item,
            Item=subscription_item(subscription, customer_id),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def keep(self, interest: Interest, since: datetime, expires: datetime | None = None) -> None:
        """Remember a wish, a watch or a searched-for product (the first time is kept)."""
        names = {"#k": "kind"}
        values: dict[str, Any] = {
            ":k": interest.kind,
            ":e": interest.email,
            ":p": interest.product_id,
            ":s": stamp(since),
        }
        sets = ["#k = :k", "email = :e", "product_id = :p", "since = if_not_exists(since, :s)"]
        removes = []
        if interest.variant_id:
            sets.append("variant_id = :v")
            values[":v"] = interest.variant_id
        else:
            removes.append("variant_id")
        if interest.query:
            sets.append("query_text = :q")
            values[":q"] = interest.query
        if expires is not None:
            sets.append("expires_at = :x")
            values[":x"] = int(expires.timestamp())
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        self._table.update_item(
            Key={"pk": product_pk(interest.product_id), "sk": f"{interest.kind}#{interest.email}"},
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def forget(self, kind: str, email: str, product_id: str, at: datetime) -> bool:
        """Delete an interest unless it was (re)added after `at` (events can arrive late)."""
        return aws.written(
            self._table.delete_item,
            Key={"pk": product_pk(product_id), "sk": f"{kind}#{email}"},
            ConditionExpression="attribute_exists(pk) AND since <= :at",
            ExpressionAttributeValues={":at": stamp(at)},
        )

    def keep_search(
        self, email: str, query: str, words: Iterable[str], since: datetime, expires: datetime
    ) -> int:
        """One item per searched word, each holding all the words (matched as a set)."""
        words = sorted(set(words))
        digest = hashlib.sha256(" ".join(words).encode()).hexdigest()[:16]
        with self._table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for word in words:
                batch.put_item(
                    Item={
                        "pk": f"term#{word}",
                        "sk": f"{email}#{digest}",
                        "searcher": email,
                        "words": words,
                        "query_text": query,
                        "since": stamp(since),
                        "expires_at": int(expires.timestamp()),
                    }
                )
        return len(words)

    # ------------------------------------------------------------------ reading
    def anyone_waiting(self, product_id: str, variant_id: str) -> bool:
        response = self._table.query(
            IndexName=WAITING_INDEX,
            KeyConditionExpression=Key("waitlist").eq(f"{product_id}#{variant_id}"),
            Limit=1,
            ProjectionExpression="pk",
        )
        return bool(response["Items"])

    def waiting(
        self, product_id: str, variant_id: str, limit: int, after: Subscription | None = None
    ) -> list[Subscription]:
        """Up to `limit` waiting subscribers of the variant, first come first served,
        starting after `after` (the last one the previous wave took)."""
        query: dict[str, Any] = {
            "IndexName": WAITING_INDEX,
            "KeyConditionExpression": Key("waitlist").eq(f"{product_id}#{variant_id}"),
        }
        if after is not None:
            query["ExclusiveStartKey"] = {
                "pk": product_pk(product_id),
                "sk": after.sk,
                "waitlist": after.waitlist,
                "queue": after.queue,
            }
        found: list[Subscription] = []
        for item in self._pages(query, limit):
            found.append(
                Subscription(
                    email=str(item["email"]),
                    product_id=product_id,
                    variant_id=variant_id,
                    since=str(item["since"]),
                    size=str(item["size"]) if item.get("size") else None,
                )
            )
        return found

    def holders(
        self, product_id: str, kinds: Iterable[str] = (WISH, WATCH, SEARCH)
    ) -> list[Interest]:
        """Everyone who wished for, watched or was shown the product (one query per kind)."""
        found = []
        # TTL deletes expired searches within days, not at once: skip them meanwhile.
        current = Attr("expires_at").not_exists() | Attr("expires_at").gt(
            int(clock.now().timestamp())
        )
        for kind in kinds:
            query = {
                "KeyConditionExpression": Key("pk").eq(product_pk(product_id))
                & Key("sk").begins_with(f"{kind}#"),
                "FilterExpression": current,
            }
            for item in self._pages(query):
                found.append(
                    Interest(
                        kind=kind,
                        email=str(item["email"]),
                        product_id=product_id,
                        variant_id=str(item["variant_id"]) if item.get("variant_id") else None,
                        query=str(item["query_text"]) if item.get("query_text") else None,
                    )
                )
        return found

    def searched(self, words: set[str], now: datetime) -> dict[str, str]:
        """Searchers (email -> their query) all of whose words are among `words`."""
        found: dict[str, str] = {}
        for word in sorted(words):
            query = {
                "KeyConditionExpression": Key("pk").eq(f"term#{word}"),
                "FilterExpression": Attr("expires_at").gt(int(now.timestamp())),
            }
            for item in self._pages(query):
                if set(item.get("words") or []) <= words:
                    found.setdefault(str(item["searcher"]), str(item.get("query_text") or ""))
        return found

    def of_customer(self, email: str) -> list[dict[str, Any]]:
        """All of one customer's interests (their wish list, requests and searches)."""
        query = {"IndexName": EMAIL_INDEX, "KeyConditionExpression": Key("email").eq(email)}
        return list(self._pages(query))

    def _pages(self, query: dict[str, Any], limit: int | None = None) -> Iterator[dict[str, Any]]:
        seen = 0
        while True:
            if limit is not None:
                query["Limit"] = limit - seen
            response = self._table.query(**query)
            for item in response["Items"]:
                seen += 1
                yield item
            if "LastEvaluatedKey" not in response or (limit is not None and seen >= limit):
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # ------------------------------------------------------------------ claims
    def take(self, claim: Claim, now: datetime, keep_days: int) -> bool:
        """Take a claim on its own. False: someone else holds it, or it is closed already."""
        if claim.subscription is not None:
            return aws.written(self._table.update_item, **_subscription_claim(claim, now))
        return aws.written(self._table.put_item, **_told_claim(claim, now, keep_days))

    def take_write(self, claim: Claim, now: datetime, keep_days: int) -> dict[str, Any]:
        """`take` as one write of a transaction."""
        if claim.subscription is not None:
            return transactions.update(self._table.name, _subscription_claim(claim, now))
        return transactions.put(self._table.name, _told_claim(claim, now, keep_days))

    def holder(self, claim: Claim) -> Holder:
        """Who holds a claim `take` could not take."""
        pk, sk = claim.key
        item = self._table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        if claim.subscription is not None:
            if item is None:
                return Holder.TOLD  # closed once told (or the customer withdrew it)
            if item.get("status") == CLAIMED and item.get("claimed_by") == claim.change_id:
                return Holder.UNFINISHED
            return Holder.OTHER
        if item is not None and item.get("status") == DONE:
            return Holder.TOLD
        return Holder.UNFINISHED  # claimed, or released since: either way, try again later

    def release(self, claim: Claim) -> None:
        """Give a claim back (nothing was sent): a subscription returns to its old place in
        the queue; a "told" mark is deleted, so the change may claim the recipient again.
        Tried harder than other writes: a claim left behind is never taken back."""
        subscription = claim.subscription
        if subscription is None:
            aws.recorded(
                self._table.delete_item, Key=dict(zip(("pk", "sk"), claim.key, strict=True))
            )
            return
        aws.recorded(
            self._table.update_item,
            Key={"pk": product_pk(subscription.product_id), "sk": subscription.sk},
            UpdateExpression=(
                "SET #s = :waiting, waitlist = :w, #q = :queue REMOVE claimed_by, claimed_at"
            ),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#s": "status", "#q": "queue"},
            ExpressionAttributeValues={
                ":waiting": WAITING,
                ":w": subscription.waitlist,
                ":queue": subscription.queue,
            },
        )

    def defer(self, claim: Claim) -> None:
        """Keep a claim whose email was deferred: the scheduled retry of this change takes it
        back."""
        pk, sk = claim.key
        self._table.update_item(
            Key={"pk": pk, "sk": sk},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": DEFERRED},
        )

    def finish(
        self,
        closed: list[tuple[str, str]],
        done: list[tuple[str, str]],
        now: datetime,
        keep_days: int,
    ) -> None:
        """After sending: delete the subscriptions told (they close once notified) and mark
        the other claims done, 25 to a call."""
        expires = int((now + timedelta(days=keep_days)).timestamp())
        # Tried harder than other writes: a claim left unfinished is never taken back.
        aws.recorded(self._finish_batch, closed=closed, done=done, expires=expires)
        if closed or done:
            logger.debug("claims finished", extra={"closed": len(closed), "done": len(done)})

    def _finish_batch(
        self, closed: list[tuple[str, str]], done: list[tuple[str, str]], expires: int
    ) -> None:
        with self._table.batch_writer() as batch:
            for pk, sk in closed:
                batch.delete_item(Key={"pk": pk, "sk": sk})
            for pk, sk in done:
                batch.put_item(Item={"pk": pk, "sk": sk, "status": DONE, "expires_at": expires})
