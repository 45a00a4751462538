"""The raw MIME Tailor sends reads back as the email package would have written it.

`tailor.mail.compose` writes the message itself (the email package took longer to build
an alert than to render it). Each case here is composed both ways, the email package's
`EmailMessage` with `set_content` and `add_alternative` being the reference, and parsed
back: the same headers with the same values, the same parts in the same order, each with
its content type, charset, transfer encoding and content. Bodies cover each encoding the
email package picks (7bit, 8bit, quoted-printable, base64) and hostile customer text.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from tailor import clock
from tailor.addresses import mailbox
from tailor.headers import message_ids, unstructured
from tailor.mail import Outgoing, compose
from tailor.render import Rendered

SENDER, SHOP = "orders@shop.example.com", 'Müller, "Schuhe" =?utf-8?q?x=40evil.example?='
UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://prefs.example.com/unsubscribe?t=" + "eyJjIjoi" * 20 + ">, "
    "<mailto:unsubscribe@shop.example.com?subject=unsubscribe%20eyJjIjoi>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}
HTML = (
    '<!DOCTYPE html><html dir="auto" lang="en"><body style="margin:0">'
    + '<p style="font-family:Helvetica,Arial">A line with = signs and "quotes" that runs on ' * 40
    + "</p></body></html>\n"
)

CASES: dict[str, tuple[str | None, Rendered, dict[str, Any]]] = {
    "short ASCII lines (7bit)": (
        "Alex",
        Rendered("Your order", "<p>Hi</p>\n", "Hi Alex,\n\nThanks.\n"),
        {},
    ),
    "long lines, a marketing email (quoted-printable)": (
        "Zoë",
        Rendered("Back in stock: Classic Oxford", HTML, "See it: https://x.example/" + "a" * 90),
        UNSUBSCRIBE,
    ),
    "hostile names and text": (
        '<script>alert("x")</script> "Bobby" \u202etxet\u202c =?utf-8?q?a=40evil.com?=',
        Rendered(
            'Re: <script> "quoted" \u200f\u05e2\u05d1\u05e8\u05d9\u05ea\u200f =?utf-8?b?ZXZpbA==?=',
            '<p>&lt;script&gt;alert("x")&lt;/script&gt; \u202eevil\u202c</p>\n',
            '<script>alert("x")</script>\n\u202eevil\u202c\n.\nFrom the shop\n',
        ),
        {"In-Reply-To": message_ids("In-Reply-To", ["<a@b.example>"])},
    ),
    "mostly not Latin (base64)": (
        "山田 太郎",
        Rendered("ご注文ありがとうございます", "<p>" + "ご注文" * 200 + "</p>\n", "ご注文" * 100),
        {},
    ),
    "nothing but a subject": (None, Rendered("Empty", "", ""), {}),
}


def _reference(outgoing: Outgoing) -> EmailMessage:
    """The message as the email package writes it."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = mailbox("From", SENDER, SHOP)
    message["To"] = mailbox("To", outgoing.to, outgoing.to_name)
    message["Subject"] = unstructured("Subject", outgoing.content.subject)
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = "<reference@shop.example.com>"
    for name, value in outgoing.headers.items():
        message[name] = value
    message.set_content(outgoing.content.text, subtype="plain", charset="utf-8")
    message.add_alternative(outgoing.content.html, subtype="html", charset="utf-8")
    return message


def _read(raw: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, str | None, str, str]]]:
    """Headers (Message-ID and the boundary aside) and parts, as a mail client reads them."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = [
        (name, str(value))
        for name, value in message.items()
        if name not in ("Message-ID", "Content-Type")
    ]
    headers.append(("Content-Type", message.get_content_type()))
    parts = [
        (
            part.get_content_type(),
            part.get_content_charset(),
            str(part["Content-Transfer-Encoding"]),
            part.get_content(),
        )
        for part in message.iter_parts()
    ]
    return headers, parts


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAILOR_NOW", "2026-11-20T18:00:00+00:00")


@pytest.mark.parametrize("case", CASES)
def test_composed_mail_reads_back_as_the_email_package_writes_it(case: str) -> None:
    name, content, headers = CASES[case]
    outgoing = Outgoing("back_in_stock", "fan@example.com", name, content, "marketing", headers)

    composed = compose(outgoing, SENDER, SHOP)

    assert _read(composed.raw) == _read(_reference(outgoing).as_bytes())
    message = email.message_from_bytes(composed.raw, policy=email.policy.default)
    assert str(message["Message-ID"]) == composed.message_id
    assert composed.message_id.endswith("@shop.example.com>")
    head, _, body = composed.raw.partition(b"\r\n\r\n")
    lines = body.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)  # CRLF only
    assert max(len(line) for line in lines) <= 78
    # A header breaks only at its spaces: a signed URL longer than 78 stays whole, within
    # RFC 5322's 998.
    assert max(len(line) for line in head.split(b"\r\n")) <= 998


def test_parts_use_the_transfer_encoding_the_email_package_picks() -> None:
    encodings = {
        case: [
            part[2]
            for part in _read(
                compose(Outgoing("x", "a@b.example", n, c, "t", h), SENDER, SHOP).raw
            )[1]
        ]
        for case, (n, c, h) in CASES.items()
    }

    assert encodings["short ASCII lines (7bit)"] == ["7bit", "7bit"]
    assert encodings["long lines, a marketing email (quoted-printable)"] == ["quoted-printable"] * 2
    assert encodings["mostly not Latin (base64)"] == ["base64", "base64"]
    assert encodings["hostile names and text"] == ["8bit", "8bit"]


def test_a_header_value_with_a_line_break_is_refused() -> None:
    injected = {"X-Tailor-Test-Order": "yes\r\nBcc: victim@example.com"}
    outgoing = Outgoing("x", "a@b.example", None, CASES["nothing but a subject"][1], "t", injected)

    with pytest.raises(ValueError, match="X-Tailor-Test-Order header must be printable ASCII"):
        compose(outgoing, SENDER, SHOP)


def test_a_second_to_header_is_refused() -> None:
    outgoing = Outgoing("x", "a@b.example", None, Rendered("s", "", ""), "t", {"To": "c@d.example"})

    with pytest.raises(ValueError, match="at most 1 To"):
        compose(outgoing, SENDER, SHOP)
