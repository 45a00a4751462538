"""The support desk's events: mail SES received, and canonical events on the shop's bus.

`TicketReplyRequested` is what a helpdesk UI, a script or a chat-ops command publishes to
answer a ticket; `ReviewSubmitted` is what review-request links post; `ReviewPublished` is
what the desk publishes for the shop's open forum once a comment or review passes
moderation. Like the core canonical events, detail-type is the class name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, Field, ValidationError

from tailor.events.canonical import Id, Model
from tailor.events.inbound import InvalidEvent

Verdict = Literal["PASS", "FAIL", "GRAY", "PROCESSING_FAILED", "DISABLED", "NONE"]


class TicketReplyRequested(Model):
    """An agent answers a ticket with a canned response, free text, or both."""

    detail_type: ClassVar[str] = "TicketReplyRequested"

    request_id: Id = Field(description="Unique per reply: a retried event sends nothing twice")
    ticket_id: str = Field(pattern=r"^T-\d{1,9}$")
    agent: str = Field(min_length=1, max_length=100)
    canned_id: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=20_000)
    fields: dict[str, str] = Field(
        default_factory=dict, description="Values for the response's prompts, e.g. tracking_number"
    )
    status: Literal["waiting_on_customer", "solved"] = "waiting_on_customer"


class ReviewSubmitted(Model):
    """A customer's review of a product, from a review-request link."""

    detail_type: ClassVar[str] = "ReviewSubmitted"

    review_id: Id
    product_id: Id | None = None
    order_id: Id | None = None
    email: str | None = Field(default=None, max_length=320)
    author: str = Field(default="", max_length=100)
    rating: int | None = Field(default=None, ge=1, le=5)
    title: str = Field(default="", max_length=300)
    body: str = Field(max_length=20_000)
    submitted_at: AwareDatetime


class ReviewPublished(Model):
    """A comment or review that passed moderation, for the shop's open forum."""

    detail_type: ClassVar[str] = "ReviewPublished"

    review_id: Id
    source: Literal["comment", "review"]
    product_id: Id | None = None
    author: str = ""
    rating: int | None = None
    title: str = ""
    body: str
    published_at: AwareDatetime


class MailReceived(Model):
    """One message SES received for the desk (from the receipt rule's Lambda action)."""

    message_id: str = Field(min_length=1, max_length=200, description="SES message id")
    received_at: AwareDatetime
    recipients: list[str] = Field(default_factory=list)
    source: str = Field(default="", description="Envelope sender (MAIL FROM)")
    spf: Verdict = "NONE"
    dkim: Verdict = "NONE"
    dmarc: Verdict = "NONE"
    spam: Verdict = "NONE"
    virus: Verdict = "NONE"


def mail_received(event: Any) -> MailReceived:
    """The SES receipt notification a Lambda action delivers, as a `MailReceived`."""
    try:
        record = event["Records"][0]
        if record.get("eventSource") != "aws:ses":
            raise InvalidEvent(f"expected an SES receipt event, got {record.get('eventSource')}")
        ses = record["ses"]
        mail, receipt = ses["mail"], ses["receipt"]
        return MailReceived(
            message_id=mail["messageId"],
            received_at=_timestamp(receipt.get("timestamp") or mail["timestamp"]),
            recipients=[str(r).lower() for r in receipt.get("recipients") or []],
            source=str(mail.get("source") or ""),
            spf=_verdict(receipt, "spfVerdict"),
            dkim=_verdict(receipt, "dkimVerdict"),
            dmarc=_verdict(receipt, "dmarcVerdict"),
            spam=_verdict(receipt, "spamVerdict"),
            virus=_verdict(receipt, "virusVerdict"),
        )
    except (KeyError, IndexError, TypeError) as error:
        raise InvalidEvent(f"SES receipt event: {error} is missing") from None
    except ValidationError as error:
        raise InvalidEvent(f"SES receipt event: {error.errors()[0]['msg']}") from None


def _verdict(receipt: Mapping[str, Any], name: str) -> Verdict:
    status = str((receipt.get(name) or {}).get("status") or "NONE").upper()
    allowed = ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED", "DISABLED")
    return status if status in allowed else "NONE"  # type: ignore[return-value]


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
