"""The work that travels between the alert functions, and the queue it travels on.

Fan-out queue: one message per change (`Restock` wave or page, `PriceAlert`), written by the
stream handler. Delivery queue: `Delivery` messages, each for one change and up to
RECIPIENTS_PER_MESSAGE people. Many recipients per message keeps the API calls per email
down: ten messages go in one SendMessageBatch call (1,000 recipients a call), and the sender
reads the product once and the recipients' profiles in one BatchGetItem per message, then
claims them 50 to a transaction and sends to each, so a failure or a redelivery repeats
no one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tailor import aws
from tailor.events.canonical import Money
from tailor.events.interests import PrivateSaleStarted
from tailor.observability import logger

RECIPIENTS_PER_MESSAGE = 100
# SQS takes at most 10 entries and 256 KiB in one SendMessageBatch call.
_BATCH_ENTRIES = 10
_BATCH_BYTES = 240 * 1024


def digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


class Work(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class Place(Work):
    """Where a wave stopped in a variant's queue: the last subscriber it took."""

    email: str
    since: str


class Restock(Work):
    """Tell the next subscribers of a variant that came back (one page of one wave)."""

    kind: Literal["restock"] = "restock"
    change_id: str
    product_id: str
    variant_id: str
    wave: int = Field(default=1, ge=1)
    after: Place | None = None
    # Subscribers this wave may still take (None: as many as the stock allows).
    left: int | None = Field(default=None, ge=1)

    @property
    def work_id(self) -> str:
        place = digest(self.after.email, self.after.since) if self.after else "start"
        return f"{self.change_id}:{self.wave}:{place}"


class PricedVariant(Work):
    variant_id: str
    was: Money
    now: Money
    sale_started: bool = False


class PriceAlert(Work):
    """A product's price fell or its sale started: tell who wants it."""

    kind: Literal["price"] = "price"
    change_id: str = Field(description="product + sale start, or product + new price")
    product_id: str
    variants: list[PricedVariant] = Field(min_length=1)

    @property
    def sale(self) -> bool:
        return any(v.sale_started for v in self.variants)

    @property
    def work_id(self) -> str:
        return self.change_id


FanoutWork = Annotated[Restock | PriceAlert, Field(discriminator="kind")]


class FanoutMessage(Work):
    work: FanoutWork
    # The key the fan-out step is idempotent on (JMESPath `work_id`).
    work_id: str

    @classmethod
    def of(cls, work: Restock | PriceAlert) -> FanoutMessage:
        return cls(work=work, work_id=work.work_id)


class Recipient(Work):
    email: str
    # The claim: the subscription's sort key (back in stock), else the email.
    key: str
    variant_id: str | None = None
    size: str | None = None
    since: str | None = None
    reasons: list[str] = Field(default_factory=list, description="wish, watch, search")
    query: str | None = None
    # Private sale: the sale products on their wish list, with the variant they wished for.
    wished: dict[str, str | None] = Field(default_factory=dict)


class Delivery(Work):
    email_type: Literal["back_in_stock", "price_drop", "private_sale"]
    change_id: str
    product_id: str | None = None
    variants: list[PricedVariant] = Field(default_factory=list)
    sale: PrivateSaleStarted | None = None
    recipients: list[Recipient] = Field(min_length=1, max_length=RECIPIENTS_PER_MESSAGE)

    def only(self, recipient: Recipient) -> Delivery:
        return self.model_copy(update={"recipients": [recipient]})


def deliveries(template: Delivery, recipients: Sequence[Recipient]) -> list[Delivery]:
    """The recipients split into messages of RECIPIENTS_PER_MESSAGE."""
    return [
        template.model_copy(update={"recipients": list(recipients[i : i + RECIPIENTS_PER_MESSAGE])})
        for i in range(0, len(recipients), RECIPIENTS_PER_MESSAGE)
    ]


class Queue:
    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, messages: Iterable[Work]) -> int:
        """Send every message, ten (and at most 240 KiB) to a SendMessageBatch call."""
        bodies = [message.model_dump_json(exclude_none=True) for message in messages]
        batch: list[str] = []
        size = 0
        for body in bodies:
            if batch and (len(batch) == _BATCH_ENTRIES or size + len(body) > _BATCH_BYTES):
                self._send_batch(batch)
                batch, size = [], 0
            batch.append(body)
            size += len(body)
        if batch:
            self._send_batch(batch)
        return len(bodies)

    def _send_batch(self, bodies: list[str]) -> None:
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)]
        for _ in range(3):
            response = aws.client("sqs").send_message_batch(QueueUrl=self.url, Entries=entries)
            failed = {f["Id"] for f in response.get("Failed", [])}
            if not failed:
                return
            logger.warning("queue refused messages; retrying them", extra={"failed": len(failed)})
            entries = [entry for entry in entries if entry["Id"] in failed]
        raise RuntimeError(f"{len(entries)} message(s) could not be queued after 3 attempts")


def sqs_event(message: Work, message_id: str) -> dict[str, object]:
    """An SQS-shaped event carrying one message, for a schedule that invokes a queue's
    function directly (a deferred email, the next wave)."""
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": "",
                "body": message.model_dump_json(exclude_none=True),
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "tailor:schedule",
                "eventSourceARN": "",
                "awsRegion": "",
            }
        ]
    }
