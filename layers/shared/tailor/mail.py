"""Composing and sending: raw MIME through SES v2, so every header is ours to set.

multipart/alternative with the text part first and HTML last (clients show the last part
they understand), a Message-ID on the sender's domain, the configuration set of the mail
stream (transactional or marketing), and a tag naming the email type for SES events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from tailor import aws, clock
from tailor.addresses import mailbox
from tailor.headers import unstructured
from tailor.render import Rendered


@dataclass(frozen=True)
class Outgoing:
    email_type: str
    to: str
    to_name: str | None
    content: Rendered
    configuration_set: str
    headers: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    message_id: str
    ses_message_id: str


def compose(outgoing: Outgoing, sender: str, sender_name: str) -> EmailMessage:
    """The MIME message; header values are encoded by the email package, never concatenated."""
    message = EmailMessage(policy=SMTP)
    message["From"] = mailbox("From", sender, sender_name)
    message["To"] = mailbox("To", outgoing.to, outgoing.to_name)
    message["Subject"] = unstructured("Subject", outgoing.content.subject)
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    for name, value in outgoing.headers.items():
        message[name] = value
    message.set_content(outgoing.content.text, subtype="plain", charset="utf-8")
    message.add_alternative(outgoing.content.html, subtype="html", charset="utf-8")
    return message


class Mailer:
    def __init__(self, sender: str, sender_name: str) -> None:
        self.sender = sender
        self.sender_name = sender_name

    def send(self, outgoing: Outgoing) -> Sent:
        message = compose(outgoing, self.sender, self.sender_name)
        tags = {"email_type": outgoing.email_type, **outgoing.tags}
        response = aws.client("sesv2").send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [outgoing.to]},
            Content={"Raw": {"Data": message.as_bytes()}},
            ConfigurationSetName=outgoing.configuration_set,
            EmailTags=[{"Name": k, "Value": _tag_value(v)} for k, v in tags.items()],
        )
        return Sent(message_id=str(message["Message-ID"]), ses_message_id=response["MessageId"])


def _tag_value(value: str) -> str:
    """SES tag values allow only ASCII letters, digits, underscore, dash, at most 256."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "_" for ch in value)[
        :256
    ]


# Shopify sends its own notifications for test orders too, so Tailor does as well; this
# header lets the shop's filters (and anyone reading the raw mail) tell them apart.
TEST_ORDER_HEADER = "X-Tailor-Test-Order"


def test_order_headers(test: bool) -> dict[str, str]:
    return {TEST_ORDER_HEADER: "yes"} if test else {}
