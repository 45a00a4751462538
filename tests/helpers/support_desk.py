"""Helpers for the support desk tests: mail in, SES receipts, tickets.

Their `template` (a receiving domain, so the support, comments and lead addresses are set as
in a real deployment) and the `shop` fixture are in tests/unit/support/conftest.py.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

import boto3

from tests.helpers.events import EVENTS

MAIL = EVENTS / "support" / "mail"
SUPPORT = "support@shop.example.com"
LEAD = "lead@shop.example.com"
# Monday 23 November 2026, 15:10 UTC: 09:10 in Chicago, inside business hours.
MONDAY = "2026-11-23T15:10:04+00:00"


def eml(name: str) -> bytes:
    return (MAIL / name).read_bytes()


def compose(
    body: str = "Hi, the shoes don't match my dress. Can I return them?",
    *,
    subject: str = "The shoes don't match my dress",
    sender: str = "Susie Oklahoma <susie@example.com>",
    message_id: str | None = "<susie.1@mail.example.com>",
    authenticated: bool = True,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A plain-text message as SES stores it (with SES's Authentication-Results on top)."""
    message = EmailMessage(policy=SMTP)
    domain = sender.rpartition("@")[2].rstrip(">")
    verdict = "pass" if authenticated else "fail"
    message["Authentication-Results"] = (
        f"amazonses.com; spf={verdict} (spfCheck: domain of {domain}) client-ip=192.0.2.1; "
        f"envelope-from={sender.rpartition('<')[2].rstrip('>')}; helo=mx; "
        f"dkim={verdict} header.i=@{domain}; dmarc={verdict} header.from={domain};"
    )
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Date"] = "Mon, 23 Nov 2026 09:10:00 -0600"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def ses_event(
    message_id: str,
    *,
    at: str = MONDAY,
    recipients: tuple[str, ...] = (SUPPORT,),
    source: str = "susie@example.com",
    verdicts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The receipt notification SES's Lambda action delivers."""
    status = {"spam": "PASS", "virus": "PASS", "spf": "NONE", "dkim": "NONE", "dmarc": "NONE"}
    status.update(verdicts or {})
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": at,
                        "source": source,
                        "messageId": message_id,
                        "destination": list(recipients),
                    },
                    "receipt": {
                        "timestamp": at,
                        "recipients": list(recipients),
                        **{f"{k}Verdict": {"status": v} for k, v in status.items()},
                        "action": {"type": "Lambda", "invocationType": "Event"},
                    },
                },
            }
        ]
    }


def store_raw(message_id: str, raw: bytes) -> None:
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket="MailBucket", Key=f"inbound/{message_id}", Body=raw
    )


def deliver_mail(
    run: Any,
    raw: bytes,
    message_id: str = "ses-0001",
    function: str = "SupportInboundFunction",
    **receipt: Any,
) -> Any:
    """SES stores the message, then invokes the function with its receipt."""
    store_raw(message_id, raw)
    return run(function, ses_event(message_id, **receipt))


def canonical(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"{detail_type}-{json.dumps(detail, sort_keys=True)[:40]}",
        "detail-type": detail_type,
        "source": "com.example.test",
        "account": "123456789012",
        "time": "2026-11-23T16:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def reply_event(ticket_id: str, request_id: str = "r1", **detail: Any) -> dict[str, Any]:
    return canonical(
        "TicketReplyRequested",
        {"request_id": request_id, "ticket_id": ticket_id, "agent": "Maria", **detail},
    )


def ticket(ticket_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("TicketsTable")
    item: dict[str, Any] = table.get_item(Key={"pk": f"TICKET#{ticket_id}", "sk": "TICKET"})["Item"]
    return item


def messages(ticket_id: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("TicketsTable")
    response = table.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :m)",
        ExpressionAttributeValues={":pk": f"TICKET#{ticket_id}", ":m": "MSG#"},
    )
    return list(response["Items"])
