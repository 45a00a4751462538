"""The results table: what was sent with which links, clicks, issued codes, one attribution
per order, holdout members, and counters per email type, language and day.

One table, keyed `pk`/`sk`; customers appear only as a keyed hash of their address
(`customer_key`), so the table holds no addresses:

    pk                     sk                         what
    msg#<message id>       msg                        a sent email: type, language, customer, links
    cust#<customer key>    click#<time>#<message id>  a click (last-click attribution queries these)
    code#<CODE>            code                       a code Tailor issued (attribution.issued_code)
    order#<order id>       attribution                the order's one attribution, with evidence
    member#<email type>    <customer key>             exposed to or held out of a marketing type
    count#<email type>     <day>#<language>           counters (ADD, atomic)
    group#<email type>     <exposed|holdout>          holdout lift: customers, orders, revenue
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tailor import addresses, aws, transactions

# A link keeps working (and its clicks counted) this long after the email was sent.
MESSAGE_DAYS = 400
COUNTERS = (
    "sent",
    "delivered",
    "bounced",
    "complained",
    "unsubscribed",
    "clicked",
    "orders",
    "revenue",
    "offers_shown",
    "offers_taken",
    "held_out",
)


def customer_key(email: object) -> str | None:
    """The customer as the results table knows them: a hash of the normalised address."""
    normal = addresses.normalize(email)
    if normal is None:
        return None
    return hashlib.sha256(f"tailor-customer:{normal}".encode()).hexdigest()[:32]


def day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def expiry(moment: datetime, days: int = MESSAGE_DAYS) -> int:
    return int((moment + timedelta(days=days)).timestamp())


class Results:
    def __init__(self, table_name: str) -> None:
        self.name = table_name
        self.table = aws.table(table_name)

    # -- what was sent -------------------------------------------------------------------
    def message(self, message_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": f"msg#{message_id}", "sk": "msg"}).get("Item")
        return dict(item) if item else None

    # -- counters ------------------------------------------------------------------------
    def count_update(
        self, email_type: str, lang: str, moment: datetime, amounts: Mapping[str, int | Decimal]
    ) -> dict[str, Any]:
        """The arguments of one atomic ADD to the day's counters (for update_item or a
        transaction)."""
        unknown = set(amounts) - set(COUNTERS)
        if unknown:
            raise ValueError(f"no counter named {', '.join(sorted(unknown))}")
        names = {f"#c{i}": name for i, name in enumerate(amounts)}
        values = {f":c{i}": amount for i, amount in enumerate(amounts.values())}
        return {
            "Key": {"pk": f"count#{email_type}", "sk": f"{day(moment)}#{lang}"},
            "UpdateExpression": "ADD "
            + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def count(self, email_type: str, lang: str, moment: datetime, **amounts: int | Decimal) -> None:
        self.table.update_item(**self.count_update(email_type, lang, moment, amounts))

    def counters(self, email_type: str, since: date | None = None) -> list[dict[str, Any]]:
        """The type's counters, per day and language; from the day `since` on when given."""
        return self._query(f"count#{email_type}", since.isoformat() if since else None)

    def _query(self, pk: str, sk_from: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": pk},
        }
        if sk_from is not None:
            request["KeyConditionExpression"] += " AND sk >= :from"
            request["ExpressionAttributeValues"][":from"] = sk_from
        while True:
            page = self.table.query(**request)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def groups(self, email_type: str) -> list[dict[str, Any]]:
        return self._query(f"group#{email_type}")

    # -- writes that must happen once, with their counters --------------------------------
    def put_once_counting(self, item: Mapping[str, Any], counts: list[dict[str, Any]]) -> bool:
        """Put `item` unless its key is taken, and the counter updates with it, all or
        nothing: False (and nothing counted) when the item was already there."""
        writes = [
            transactions.put(
                self.name, {"Item": dict(item), "ConditionExpression": "attribute_not_exists(pk)"}
            ),
            *(transactions.update(self.name, count) for count in counts),
        ]
        reasons = transactions.write_together(writes)
        if reasons is None:
            return True
        if reasons[0] == transactions.CONDITION_FAILED:
            return False
        raise RuntimeError(f"results not recorded: {reasons}")
