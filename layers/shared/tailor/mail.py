"""Composing and sending: raw MIME through SES v2, so every header is ours to set.

multipart/alternative with the text part first and HTML last (clients show the last part
they understand), a Message-ID on the sender's domain, the configuration set of the mail
stream (transactional or marketing), and a tag naming the email type for SES events.
"""

from __future__ import annotations

import binascii
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import quoprimime
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from functools import cache

from tailor import aws, clock
from tailor.addresses import mailbox
from tailor.headers import Folded, structured, unstructured
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


def compose(outgoing: Outgoing, sender: str, sender_name: str) -> Composed:
    """The raw MIME message, as `EmailMessage.set_content` and `add_alternative` would
    write it: every header value encoded by the email package (or `tailor.headers`), never
    concatenated. Written here because the email package took longer to build and write
    an alert than to render it (headers parsed and folded twice, the HTML quoted-printable
    encoded character by character in Python)."""
    message_id = make_msgid(domain=sender.rpartition("@")[2])
    text = _text_part("plain", outgoing.content.text)
    html = _text_part("html", outgoing.content.html)
    boundary = _boundary(text + html)
    head = _headers(
        [
            ("From", mailbox("From", sender, sender_name)),
            ("To", mailbox("To", outgoing.to, outgoing.to_name)),
            ("Subject", unstructured("Subject", outgoing.content.subject)),
            ("Date", format_datetime(clock.now())),
            ("Message-ID", message_id),
            *((name, _built(name, value)) for name, value in outgoing.headers.items()),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
    )
    delimiter = f"{_CRLF}--{boundary}{_CRLF}".encode("ascii")
    raw = b"".join(
        [
            f"{head}{_CRLF}--{boundary}{_CRLF}".encode("ascii"),
            text,
            delimiter,
            html,
            f"{_CRLF}--{boundary}--{_CRLF}".encode("ascii"),
        ]
    )
    return Composed(raw, message_id)


@dataclass(frozen=True)
class Composed:
    raw: bytes
    message_id: str


_CRLF = SMTP.linesep
_LINE = 78  # SMTP.max_line_length, the line length set_content encodes for


def _built(name: str, value: str) -> str:
    """A caller's header: folded by `tailor.headers` already, or ours to write as is."""
    return value if isinstance(value, Folded) else structured(name, value)


def _boundary(parts: bytes) -> str:
    """The email package's kind of boundary, one that the parts do not hold."""
    while True:
        boundary = f"{'=' * 15}{secrets.randbelow(sys.maxsize):019d}=="
        if boundary.encode("ascii") not in parts:
            return boundary


def _headers(headers: list[tuple[str, str]]) -> str:
    """Header lines as `EmailMessage` stores and writes them: each value parsed by the
    policy's header classes (a line break in one is refused), then folded; a header that
    may occur once refused twice."""
    seen: dict[str, int] = {}
    lines = []
    for name, value in headers:
        seen[name.lower()] = count = seen.get(name.lower(), 0) + 1
        most = SMTP.header_max_count(name)
        if most is not None and count > most:
            raise ValueError(f"There may be at most {most} {name} headers in a message")
        lines.append(SMTP.fold(*SMTP.header_store_parse(name, value)))
    return "".join(lines)


def _text_part(subtype: str, content: str) -> bytes:
    """A text/<subtype> UTF-8 body part, in the transfer encoding the email package's
    `set_content` picks under the SMTP policy: 7bit (ASCII) or 8bit when every line is
    short enough, else whichever of quoted-printable and base64 is shorter on the first
    ten lines."""
    lines = content.encode("utf-8").splitlines()
    if max(map(len, lines), default=0) <= _LINE:
        encoding = "7bit" if content.isascii() else "8bit"
        body = b"\n".join(lines) + b"\n"
    else:
        sniff = b"\r\n".join(lines[:10]) + b"\r\n"
        sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), _LINE)
        if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
            encoding, body = "base64", _base64(b"\r\n".join(lines) + b"\r\n")
        else:
            encoding = "quoted-printable"
            body = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True)
    headers = _part_headers(subtype, encoding)
    return (headers + _CRLF).encode("ascii") + body.replace(b"\n", _CRLF.encode("ascii"))


@cache
def _part_headers(subtype: str, encoding: str) -> str:
    return _headers(
        [
            ("Content-Type", f'text/{subtype}; charset="utf-8"'),
            ("Content-Transfer-Encoding", encoding),
        ]
    )


def _base64(data: bytes) -> bytes:
    """Lines of 76 characters, as the email package writes them."""
    chunk = _LINE // 4 * 3
    return b"".join(binascii.b2a_base64(data[i : i + chunk]) for i in range(0, len(data), chunk))


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
            Content={"Raw": {"Data": message.raw}},
            ConfigurationSetName=outgoing.configuration_set,
            EmailTags=[{"Name": k, "Value": _tag_value(v)} for k, v in tags.items()],
        )
        return Sent(message_id=message.message_id, ses_message_id=response["MessageId"])


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
