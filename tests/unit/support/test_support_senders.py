"""Who wrote: the From address is what its angle brackets hold, and order data goes only to
a sender whose From domain itself passed SPF, DKIM or DMARC at SES."""

from __future__ import annotations

from typing import Any

from tests.helpers.mail import text_part
from tests.helpers.support_desk import deliver_mail, ticket


def raw(headers: str, body: str) -> bytes:
    text = headers.strip("\n") + "\n\n" + body.lstrip("\n")
    return text.replace("\n", "\r\n").encode("utf-8")


def ses_results(domain: str, envelope: str) -> str:
    """The Authentication-Results SES puts on top of every message it stores."""
    return (
        "Authentication-Results: amazonses.com;\n"
        f" spf=pass (spfCheck: domain of {domain} designates 192.0.2.7 as permitted sender)"
        f" client-ip=192.0.2.7; envelope-from={envelope}; helo=mx.{domain};\n"
        f" dkim=pass header.i=@{domain};\n"
        f" dmarc=pass header.from={domain};\n"
    )


ALL_PASS = {"spf": "PASS", "dkim": "PASS", "dmarc": "PASS"}


def test_an_address_shown_as_the_display_name_is_not_the_sender(shop: Any, outbox: Any) -> None:
    message = raw(
        ses_results("evil.example", "attacker@evil.example")
        + """\
DKIM-Signature: v=1; a=rsa-sha256; d=evil.example; s=s1; h=from; bh=x; b=y
From: susie@example.com <attacker@evil.example>
To: support@shop.example.com
Subject: Where is order #7001?
Message-ID: <spoof.1@evil.example>
""",
        "Hi, where is my order #7001? What's in it again?",
    )

    result = deliver_mail(
        shop, message, "ses-spoof-name", source="attacker@evil.example", verdicts=ALL_PASS
    )

    stored = ticket(result["ticket_id"])
    assert stored["customer_email"] == "attacker@evil.example"
    assert result["order_id"] is None
    sent = outbox.only()
    assert [a.addr_spec for a in sent["To"].addresses] == ["attacker@evil.example"]
    assert "Classic Oxford" not in text_part(sent)


def test_a_dmarc_pass_for_another_domain_does_not_verify_the_from_address(
    shop: Any, outbox: Any
) -> None:
    # Two From headers: SES judged DMARC on the second, the desk reads the first.
    message = raw(
        ses_results("evil.example", "attacker@evil.example")
        + """\
From: Susie Oklahoma <susie@example.com>
From: attacker@evil.example
To: support@shop.example.com
Subject: Where is my order?
Message-ID: <spoof.2@evil.example>
""",
        "Hi, where is my order? Please remind me what I bought.",
    )

    result = deliver_mail(
        shop, message, "ses-spoof-dmarc", source="attacker@evil.example", verdicts=ALL_PASS
    )

    assert result["verified_sender"] is False
    text = text_part(outbox.only())
    assert "#7001" not in text and "Classic Oxford" not in text


def test_a_plain_address_after_the_name_is_read_as_the_sender(shop: Any, outbox: Any) -> None:
    message = raw(
        ses_results("example.com", "susie@example.com")
        + """\
From: Susie Oklahoma susie@example.com
To: support@shop.example.com
Subject: Return the shoes
Message-ID: <lenient.1@mail.example.com>
""",
        "Hi, the shoes don't match my dress. Can I return them?",
    )

    result = deliver_mail(shop, message, "ses-lenient", verdicts={"spf": "PASS"})

    assert result["status"] == "received" and result["verified_sender"] is True
    assert ticket(result["ticket_id"])["customer_email"] == "susie@example.com"
    sent = outbox.only()
    assert [a.addr_spec for a in sent["To"].addresses] == ["susie@example.com"]
    assert "#7001" in text_part(sent)
