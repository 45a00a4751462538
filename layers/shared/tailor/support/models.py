"""The support desk's records: tickets, their messages, the orders they can refer to.

All live in one DynamoDB table (see `store.py` for the keys). Models are pydantic, stored as
JSON-compatible items; times are aware datetimes, stored as ISO 8601 strings in UTC so that
they sort as text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Status = Literal["new", "waiting_on_us", "waiting_on_customer", "solved"]
# Statuses in which the customer is waiting for us, so the SLA clock runs.
OPEN_FOR_US: tuple[Status, ...] = ("new", "waiting_on_us")


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _in_utc(cls, value: Any) -> Any:
        """Times are stored in UTC, so their ISO strings sort and compare as text."""
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value


class OrderLineSummary(Record):
    title: str
    variant_title: str | None = None
    quantity: int = 1
    sku: str | None = None
    product_id: str | None = None


class Shipment(Record):
    carrier: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    tracking_urls: list[str] = Field(default_factory=list)
    status: str | None = None
    shipped_at: datetime | None = None


class OrderRecord(Record):
    """What support needs to know about an order to answer about it."""

    order_id: str
    number: str
    email: str | None = None
    first_name: str | None = None
    placed_at: datetime
    lines: list[OrderLineSummary] = Field(default_factory=list)
    status_url: str | None = None
    total: str | None = Field(default=None, description="Formatted for the customer's locale")
    locale: str | None = None
    shipping_city: str | None = None
    shipments: list[Shipment] = Field(default_factory=list)


class AttachmentRef(Record):
    name: str
    content_type: str
    size: int
    bucket: str
    key: str
    part: str = Field(description="MIME part path inside the raw message, e.g. 1.2")
    stored: bool = Field(description="False when too large to copy: extract it from the raw")
    inline: bool = False


class TicketMessage(Record):
    message_key: str = Field(description="SES message id (inbound) or our Message-ID (outbound)")
    direction: Literal["in", "out"]
    kind: Literal["customer", "automated", "acknowledgement", "reply"]
    at: datetime
    message_id: str | None = None
    author: str = Field(default="", description="Customer address, or the agent's name")
    subject: str = ""
    text: str = ""
    quoted: str = ""
    signature: str = ""
    attachments: list[AttachmentRef] = Field(default_factory=list)
    raw_key: str | None = None
    html_only: bool = False
    canned_id: str | None = None
    defects: list[str] = Field(default_factory=list)


class Ticket(Record):
    ticket_id: str
    number: int
    status: Status = "new"
    customer_email: str
    customer_name: str = ""
    verified_sender: bool = False
    subject: str = ""
    intent: str = "other"
    intent_terms: list[str] = Field(default_factory=list)
    order_id: str | None = None
    order_number: str | None = None
    mentioned_orders: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    waiting_since: datetime | None = Field(default=None, description="Oldest unanswered message")
    due_at: datetime | None = Field(default=None, description="When our next reply is due")
    first_response_due_at: datetime
    first_responded_at: datetime | None = None
    first_response_seconds: int | None = None
    first_response_business_seconds: int | None = None
    breached: bool = False
    alerted: Literal["", "at_risk", "overdue"] = ""
    last_ack_at: datetime | None = None
    thread: list[str] = Field(default_factory=list, description="Message-IDs, oldest first")
    last_customer_message_id: str | None = None
    message_count: int = 0
    suggested_canned: str | None = None
    suggested_reply: str | None = None
    missing_fields: list[str] = Field(default_factory=list)
    agent: str | None = None
    version: int = 0

    @property
    def waiting_on_us(self) -> bool:
        return self.status in OPEN_FOR_US


class Feedback(Record):
    """A comment (mail to the comments address) or a product review, and its moderation."""

    feedback_id: str
    source: Literal["comment", "review"]
    received_at: datetime
    email: str | None = None
    author: str = ""
    product_id: str | None = None
    order_id: str | None = None
    rating: int | None = None
    title: str = ""
    body: str = ""
    status: Literal["approved", "rejected"]
    reasons: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
