"""The acknowledgement threads under the customer's message as their client wrote it, and
its headers are folded and encoded so that every client reads back the exact text."""

from __future__ import annotations

import email
import email.policy
from email.header import Header
from typing import Any

from tests.helpers.support_desk import compose, deliver_mail


def raw_headers(outbox: Any) -> dict[str, str]:
    """The acknowledgement's headers exactly as SES received them, folding kept."""
    sent = outbox._backend.sent_messages[-1].raw_data
    data = sent if isinstance(sent, bytes) else sent.encode()
    parsed = email.message_from_bytes(data, policy=email.policy.compat32)
    return {name: str(value) for name, value in parsed.items()}


def test_the_acknowledgement_keeps_the_whole_references_chain(shop: Any, outbox: Any) -> None:
    # Susie answers our shipping confirmation, which answered her order confirmation.
    chain = "<order.7001@shop.example.com> <shipped.7001@shop.example.com>"
    raw = compose(
        "The box arrived but the shoes are the wrong size.",
        subject="Re: Your order #7001 has shipped",
        message_id="<susie.9@mail.example.com>",
        headers={"In-Reply-To": "<shipped.7001@shop.example.com>", "References": chain},
    )

    deliver_mail(shop, raw, "ses-chain")

    ack = outbox.only()
    assert ack["In-Reply-To"] == "<susie.9@mail.example.com>"
    assert ack["References"].split() == [
        "<order.7001@shop.example.com>",
        "<shipped.7001@shop.example.com>",
        "<susie.9@mail.example.com>",
    ]


def with_header(raw: bytes, line: bytes) -> bytes:
    """The message with one more header line, written exactly as given."""
    return line + b"\r\n" + raw


def test_a_malformed_message_id_is_threaded_on_verbatim(shop: Any, outbox: Any) -> None:
    raw = with_header(compose(message_id=None), b"Message-ID: susie 12@mail.example.com")

    deliver_mail(shop, raw, "ses-malformed-id")

    ack = outbox.only()
    assert ack["In-Reply-To"] == "susie 12@mail.example.com"
    assert ack["References"] == "susie 12@mail.example.com"


def test_a_message_id_cannot_add_a_header_line(shop: Any, outbox: Any) -> None:
    raw = with_header(
        compose(message_id=None), b"Message-ID: <x.1@mail.example.com>\r\n Bcc: victim@example.org"
    )

    deliver_mail(shop, raw, "ses-injected-id")

    headers = raw_headers(outbox)
    assert "Bcc" not in headers
    assert headers["In-Reply-To"] == "<x.1@mail.example.com> Bcc: victim@example.org"


def test_the_subject_is_encoded_so_it_decodes_to_the_exact_text(shop: Any, outbox: Any) -> None:
    subject = (
        "Rechnung zeigt =?UTF-8?B?w7w=?= statt ü \N{EN DASH} Größe 39 bitte umtauschen, "
        "die Schuhe für die Hochzeit sind zu klein"
    )

    encoded = Header(subject, "utf-8").encode().encode("ascii")
    raw = compose(subject="placeholder").replace(b"Subject: placeholder", b"Subject: " + encoded)

    deliver_mail(shop, raw, "ses-subject")

    assert outbox.only()["Subject"] == f"Re: {subject} [T-1001]"
    folded = raw_headers(outbox)["Subject"]
    lines = folded.replace("\r\n", "\n").split("\n")
    assert len(lines) > 1
    assert all(len(line) + len("Subject: ") * (n == 0) <= 76 for n, line in enumerate(lines))
