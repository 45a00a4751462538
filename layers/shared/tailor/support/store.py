"""The tickets table: one DynamoDB table, keyed `pk` / `sk`, holding every support record.

| record                    | pk                    | sk                        |
| ------------------------- | --------------------- | ------------------------- |
| ticket                    | TICKET#T-1001         | TICKET                    |
| message of a ticket       | TICKET#T-1001         | MSG#<received at>#<key>   |
| Message-ID -> ticket      | MSGID#<message-id>    | MSGID                     |
| order summary             | ORDER#<order id>      | ORDER                     |
| order number -> order id  | ORDERNO#<digits>      | ORDERNO                   |
| ticket number counter     | COUNTER               | TICKET                    |
| acknowledgements a sender | ACKS#<address>        | <hour>  (expires by TTL)  |
| comment or review         | FEEDBACK#<id>         | FEEDBACK                  |

Tickets waiting on us carry `queue` and `due_at`, the keys of the sparse `queue` index the
SLA watchdog reads; answered tickets carry `responded_on` (a day) for the first-response
index. Updates use optimistic locking on `version`, so a retried event changes nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from tailor import aws
from tailor.support.models import Feedback, OrderRecord, Ticket, TicketMessage

QUEUE = "waiting_on_us"
QUEUE_INDEX = "queue"
RESPONDED_INDEX = "responded"


class ConcurrentUpdate(RuntimeError):
    """Another writer kept changing the ticket while this one tried to update it."""


def order_key(number: str) -> str | None:
    """What identifies an order number whatever the customer typed: its digits."""
    digits = re.sub(r"\D", "", number)
    return digits.lstrip("0") or None if digits else None


def ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def _iso(moment: datetime) -> str:
    """UTC ISO 8601 as pydantic writes it (`...Z`), so stored times compare as text."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Store:
    def __init__(self, table_name: str) -> None:
        self.table = aws.table(table_name)
        self.name = table_name

    # ------------------------------------------------------------------ tickets
    def next_ticket_number(self, start: int = 1000) -> int:
        response = self.table.update_item(
            Key={"pk": "COUNTER", "sk": "TICKET"},
            UpdateExpression="SET #n = if_not_exists(#n, :start) + :one",
            ExpressionAttributeNames={"#n": "value"},
            ExpressionAttributeValues={":start": start, ":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["value"])  # type: ignore[arg-type]

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        item = self.table.get_item(
            Key={"pk": ticket_pk(ticket_id), "sk": "TICKET"}, ConsistentRead=True
        ).get("Item")
        return Ticket.model_validate(item) if item else None

    def create_ticket(self, ticket: Ticket, message: TicketMessage, thread_key: str) -> bool:
        """Store a new ticket with its first message and thread ids, all or nothing.

        False when the message is already filed (a retried delivery): nothing is written."""
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.name,
                    "Item": self._ticket_item(ticket),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": self.name, "Item": self._message_item(ticket, message)}},
        ]
        # The message's thread key is unique: a retried delivery finds it taken.
        items.append(
            {
                "Put": {
                    "TableName": self.name,
                    "Item": self._thread_item(thread_key, ticket.ticket_id),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        )
        try:
            self.table.meta.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def add_message(self, ticket: Ticket, message: TicketMessage) -> bool:
        """File a message under a ticket; False when it was filed before."""
        if not aws.written(
            self.table.put_item,
            Item=self._message_item(ticket, message),
            ConditionExpression="attribute_not_exists(pk)",
        ):
            return False
        if message.message_id:
            self.link_message_id(message.message_id, ticket.ticket_id)
        return True

    def messages(self, ticket_id: str) -> list[TicketMessage]:
        found = []
        for item in self._query(
            KeyConditionExpression=Key("pk").eq(ticket_pk(ticket_id))
            & Key("sk").begins_with("MSG#")
        ):
            found.append(TicketMessage.model_validate(item))
        return found

    def update_ticket(
        self, ticket_id: str, change: Callable[[Ticket], Ticket], attempts: int = 5
    ) -> Ticket:
        """Apply a pure change with optimistic locking; a no-op change writes nothing."""
        for _ in range(attempts):
            current = self.get_ticket(ticket_id)
            if current is None:
                raise KeyError(f"no ticket {ticket_id}")
            changed = change(current)
            if changed == current:
                return current
            changed = changed.model_copy(update={"version": current.version + 1})
            try:
                self.table.put_item(
                    Item=self._ticket_item(changed),
                    ConditionExpression="version = :v",
                    ExpressionAttributeValues={":v": current.version},
                )
                return changed
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        raise ConcurrentUpdate(f"ticket {ticket_id} changed concurrently {attempts} times")

    def claim_acknowledgement(self, ticket_id: str, now: datetime, interval: timedelta) -> bool:
        """Atomically take the right to acknowledge: at most once per `interval` a ticket."""
        return aws.written(
            self.table.update_item,
            Key={"pk": ticket_pk(ticket_id), "sk": "TICKET"},
            UpdateExpression="SET last_ack_at = :now ADD version :one",
            ConditionExpression="attribute_exists(pk) AND "
            "(attribute_not_exists(last_ack_at) OR last_ack_at < :since)",
            ExpressionAttributeValues={
                ":now": _iso(now),
                ":since": _iso(now - interval),
                ":one": 1,
            },
        )

    def release_acknowledgement(self, ticket_id: str, previous: datetime | None) -> None:
        """Give the claim back after a failed send, so the retry may acknowledge."""
        key = {"pk": ticket_pk(ticket_id), "sk": "TICKET"}
        if previous is None:
            self.table.update_item(Key=key, UpdateExpression="REMOVE last_ack_at")
        else:
            self.table.update_item(
                Key=key,
                UpdateExpression="SET last_ack_at = :previous",
                ExpressionAttributeValues={":previous": _iso(previous)},
            )

    def count_sender_acknowledgement(self, sender: str, now: datetime, limit: int) -> bool:
        """Count an acknowledgement to `sender` this hour; False once the hour's limit is hit."""
        hour = now.strftime("%Y-%m-%dT%H")
        key = {"pk": f"ACKS#{sender}", "sk": hour}
        return aws.counted(self.table, key, limit, int((now + timedelta(days=2)).timestamp()))

    def waiting(self) -> list[Ticket]:
        """Tickets waiting on us, most overdue first (the queue index holds only their ids:
        the tickets are read 100 to a call)."""
        query = self._query(IndexName=QUEUE_INDEX, KeyConditionExpression=Key("queue").eq(QUEUE))
        queued = {str(item["ticket_id"]): number for number, item in enumerate(query)}
        keys = [{"pk": ticket_pk(ticket_id), "sk": "TICKET"} for ticket_id in queued]
        tickets = map(Ticket.model_validate, aws.batch_get(self.table, keys, consistent=True))
        found = [ticket for ticket in tickets if ticket.waiting_on_us]
        return sorted(found, key=lambda t: (t.due_at or t.created_at, queued[t.ticket_id]))

    def first_responses(self, days: list[str]) -> list[int]:
        """First-response times (seconds) of tickets first answered on these days."""
        seconds = []
        for day in days:
            for item in self._query(
                IndexName=RESPONDED_INDEX, KeyConditionExpression=Key("responded_on").eq(day)
            ):
                if item.get("first_response_seconds") is not None:
                    seconds.append(int(str(item["first_response_seconds"])))
        return seconds

    # ------------------------------------------------------------------ threads
    def ticket_for_message_ids(self, message_ids: tuple[str, ...]) -> str | None:
        for message_id in message_ids[:20]:
            item = self.table.get_item(Key={"pk": f"MSGID#{message_id}", "sk": "MSGID"}).get("Item")
            if item:
                return str(item["ticket_id"])
        return None

    def link_message_id(self, message_id: str, ticket_id: str) -> None:
        self.table.put_item(Item=self._thread_item(message_id, ticket_id))

    # ------------------------------------------------------------------ orders
    def save_order(self, order: OrderRecord) -> None:
        item = order.model_dump(mode="json", exclude_none=True)
        self.table.put_item(Item={"pk": f"ORDER#{order.order_id}", "sk": "ORDER", **item})
        number = order_key(order.number)
        if number:
            self.table.put_item(
                Item={"pk": f"ORDERNO#{number}", "sk": "ORDERNO", "order_id": order.order_id}
            )

    def get_order(self, order_id: str) -> OrderRecord | None:
        item = self.table.get_item(Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"}).get("Item")
        return OrderRecord.model_validate(item) if item else None

    def order_by_number(self, number: str) -> OrderRecord | None:
        key = order_key(number)
        if key is None:
            return None
        item = self.table.get_item(Key={"pk": f"ORDERNO#{key}", "sk": "ORDERNO"}).get("Item")
        return self.get_order(str(item["order_id"])) if item else None

    # ------------------------------------------------------------------ feedback
    def save_feedback(self, feedback: Feedback) -> bool:
        """Store a comment or review once; False when it was stored before."""
        item = feedback.model_dump(mode="json", exclude_none=True)
        return aws.written(
            self.table.put_item,
            Item={"pk": f"FEEDBACK#{feedback.feedback_id}", "sk": "FEEDBACK", **item},
            ConditionExpression="attribute_not_exists(pk)",
        )

    # ------------------------------------------------------------------ items
    def _ticket_item(self, ticket: Ticket) -> dict[str, Any]:
        item: dict[str, Any] = ticket.model_dump(mode="json", exclude_none=True)
        item.update(pk=ticket_pk(ticket.ticket_id), sk="TICKET")
        if ticket.waiting_on_us and ticket.due_at is not None:
            item.update(queue=QUEUE, due_at=_iso(ticket.due_at))
        if ticket.first_responded_at is not None:
            item["responded_on"] = ticket.first_responded_at.date().isoformat()
        return item

    def _message_item(self, ticket: Ticket, message: TicketMessage) -> dict[str, Any]:
        item: dict[str, Any] = message.model_dump(mode="json", exclude_none=True)
        item.update(pk=ticket_pk(ticket.ticket_id), sk=_message_sk(message))
        return item

    @staticmethod
    def _thread_item(message_id: str, ticket_id: str) -> dict[str, Any]:
        return {"pk": f"MSGID#{message_id}", "sk": "MSGID", "ticket_id": ticket_id}

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            response = self.table.query(**kwargs)
            yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _message_sk(message: TicketMessage) -> str:
    return f"MSG#{_iso(message.at)}#{message.message_key}"
