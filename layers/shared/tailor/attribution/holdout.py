"""Holdout: a stable, random share of customers never gets a marketing email type, so the
report can set what exposed customers bought beside what held-out ones did (real lift).

Who is held out is a hash of the customer and the type: the same customers every time,
different customers for each type, nothing stored to decide it. Each customer is recorded
once as a member of a type's exposed or held-out group (customers counted per group), and
each order adds to the groups its buyer is in (see `attribution.orders`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tailor import aws
from tailor.attribution.config import AttributionSettings
from tailor.attribution.store import Results, customer_key
from tailor.observability import logger

EXPOSED, HOLDOUT = "exposed", "holdout"


def in_holdout(customer: str, email_type: str, share: float) -> bool:
    """Whether the customer (their `customer_key`) is in the type's held-out share."""
    digest = hashlib.sha256(f"holdout:{email_type}:{customer}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def group_of(email: str, email_type: str, settings: AttributionSettings) -> str | None:
    """EXPOSED or HOLDOUT when the type has a holdout share, else None."""
    share = settings.holdout_shares.get(email_type, 0)
    customer = customer_key(email)
    if share <= 0 or customer is None or not settings.results_table:
        return None
    return HOLDOUT if in_holdout(customer, email_type, share) else EXPOSED


def join(results: Results, email: str, email_type: str, group: str) -> None:
    """Make the customer a member of the type's group, counting them the first time."""
    customer = customer_key(email)
    if customer is None:
        return
    key = {"pk": f"member#{email_type}", "sk": customer}
    member = {**key, "group": group}
    count = {
        "Key": {"pk": f"group#{email_type}", "sk": group},
        "UpdateExpression": "ADD customers :one",
        "ExpressionAttributeValues": {":one": 1},
    }
    try:
        # Most sends are to a member already: an eventual read (half a read unit) finds
        # them, where the transaction that records a new one costs four write units even
        # when its condition fails. One it misses, the transaction's condition still holds.
        if "Item" in results.table.get_item(Key=key, ProjectionExpression="pk"):
            return
        results.put_once_counting(member, [count])
    except (ClientError, BotoCoreError, RuntimeError):
        logger.exception("holdout membership not recorded")


def order_counts(
    results: Results, customer: str | None, revenue: Decimal, settings: AttributionSettings
) -> list[dict[str, Any]]:
    """The group counter updates an order makes: one per type whose group the buyer is in."""
    types = [t for t, share in settings.holdout_shares.items() if share > 0]
    if customer is None or not types:
        return []
    keys = [{"pk": f"member#{email_type}", "sk": customer} for email_type in types]
    members: list[Mapping[str, Any]] = list(aws.batch_get(results.table, keys, consistent=True))
    return [
        {
            "Key": {"pk": f"group#{str(member['pk']).partition('#')[2]}", "sk": member["group"]},
            "UpdateExpression": "ADD orders :one, revenue :revenue",
            "ExpressionAttributeValues": {":one": 1, ":revenue": revenue},
        }
        for member in members
    ]
