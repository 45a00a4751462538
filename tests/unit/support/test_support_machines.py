"""The desk never answers machines: bounces, list robots, abuse reports and autoresponders
as they really arrive, each recognised by one marker of machines.json."""

from __future__ import annotations

import zlib
from typing import Any

import pytest

from tests.helpers.support_desk import deliver_mail


def raw(headers: str, body: str) -> bytes:
    """A message as a mail server hands it over: CRLF line ends, headers then body."""
    text = headers.strip("\n") + "\n\n" + body.lstrip("\n")
    return text.replace("\n", "\r\n").encode("utf-8")


ORIGINAL = """\
From: Oklahoma Outfitters <orders@shop.example.com>
To: nobody@example.net
Subject: Your order #7001 has shipped
Message-ID: <shipped.7001@shop.example.com>
"""

# A Postfix relay's bounce sent as multipart/mixed, not multipart/report (RFC 3464 parts).
POSTFIX_DSN_AS_MIXED = raw(
    """
From: Relay <mta@relay.example.net>
To: support@shop.example.com
Subject: Message could not be delivered
Message-ID: <20261123151000.ABC1234@relay.example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="dsn.1"
""",
    f"""
--dsn.1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.example.net.
I'm sorry to have to inform you that your message could not be delivered.

<nobody@example.net>: host mx.example.net said: 550 5.1.1 User unknown
--dsn.1
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net
Arrival-Date: Mon, 23 Nov 2026 15:09:58 +0000 (UTC)

Final-Recipient: rfc822; nobody@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown
--dsn.1
Content-Type: text/rfc822-headers

{ORIGINAL}
--dsn.1--
""",
)

# A bounce from an old relay with broken MIME: no closing boundary, a bogus encoding.
BROKEN_DSN = raw(
    """
From: mail-gw@old.example.net
To: support@shop.example.com
Subject: Returned
Message-ID: <gw.99@old.example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=dsn.2
""",
    """
--dsn.2
Content-Type: text/plain
Content-Transfer-Encoding: 9bit

Delivery to nobody@example.net failed permanently.
--dsn.2
Content-Type: message/delivery-status

Reporting-MTA: dns; old.example.net
Final-Recipient: rfc822; nobody@example.net
Action: failed
Status: 5.0.0
--dsn.2
Content-Type: text/rfc822-headers

From: Oklahoma Outfitters <orders@shop.example.com>
Subject: Your order
""",
)

# An Exchange non-delivery report from a postmaster address spelled with an underscore.
EXCHANGE_NDR = raw(
    """
From: Microsoft Outlook <post_master@mail.example.org>
To: support@shop.example.com
Subject: Delivery has failed to these recipients or groups
Message-ID: <ndr.4821@mail.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
""",
    """
Your message to nobody@example.org couldn't be delivered.
nobody wasn't found at example.org.

Diagnostic information for administrators:
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'
""",
)

# A bounce whose display name says what it is, from a relay's own address.
DELIVERY_SUBSYSTEM = raw(
    """
From: Mail Delivery Subsystem <relay-7@smtp.example.org>
To: support@shop.example.com
Subject: Delivery failure
Message-ID: <fail.77@smtp.example.org>
""",
    "Your message wasn't delivered to nobody@example.org because the address couldn't be found.",
)

# An abuse report in the Abuse Reporting Format (RFC 5965), sent as multipart/mixed.
ARF_AS_MIXED = raw(
    """
From: Complaints <complaints@fbl.example.com>
To: support@shop.example.com
Subject: Complaint about message from 192.0.2.10
Message-ID: <fbl.1@fbl.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="arf"
""",
    f"""
--arf
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP 192.0.2.10.
--arf
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ExampleFBL/1.0
Version: 1
Original-Mail-From: <orders@shop.example.com>
Arrival-Date: Mon, 23 Nov 2026 15:00:00 +0000
Source-IP: 192.0.2.10
--arf
Content-Type: message/rfc822

{ORIGINAL}
Your order shipped.
--arf--
""",
)

# The same report in the proper multipart/report container.
ARF_AS_REPORT = ARF_AS_MIXED.replace(
    b"multipart/mixed;", b"multipart/report; report-type=feedback-report;"
)

# A Gmail-style DSN as multipart/report (RFC 3464), named for what it is.
GMAIL_DSN = raw(
    """
From: Delivery Team <delivery-team@mail.example.com>
To: support@shop.example.com
Subject: Message not sent
Message-ID: <gmail.dsn.1@mail.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="g"
""",
    """
--g
Content-Type: text/plain; charset="UTF-8"

Address not found
--g
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Final-Recipient: rfc822; nobody@example.com
Action: failed
Status: 5.1.1
--g--
""",
)


def plain(sender: str, subject: str = "Your question", **headers: str) -> bytes:
    extra = "".join(f"{name.replace('_', '-')}: {value}\n" for name, value in headers.items())
    return raw(
        f"""
From: {sender}
To: support@shop.example.com
Subject: {subject}
Message-ID: <{zlib.crc32((sender + subject + extra).encode())}@mail.example.org>
{extra}""",
        "Thank you for your message. We will get back to you shortly.",
    )


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (POSTFIX_DSN_AS_MIXED, "delivery status notification"),
        (GMAIL_DSN, "delivery status notification"),
        (BROKEN_DSN, "delivery status notification"),
        (EXCHANGE_NDR, "machine sender"),
        (
            plain("Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@ex.org>"),
            "machine sender",
        ),
        (DELIVERY_SUBSYSTEM, "machine sender"),
        (ARF_AS_MIXED, "abuse or feedback report"),
        (ARF_AS_REPORT, "abuse or feedback report"),
        (plain("Orders <no_reply@example.org>"), "machine sender"),
        (plain("Shop <shop-noreply@example.org>"), "machine sender"),
        (plain("News <news.noreply@example.org>"), "machine sender"),
        (plain("Billing <do_not_reply@example.org>"), "machine sender"),
        (plain("shoes-request@lists.example.org"), "machine sender"),
        (plain("owner-shoes@lists.example.org"), "machine sender"),
        (plain("shoes-owner@lists.example.org"), "machine sender"),
        (plain("LISTSERV@LISTS.EXAMPLE.EDU"), "machine sender"),
        (plain("Majordomo <majordomo@lists.example.org>"), "machine sender"),
        (
            plain("Shoe Lovers <shoes@lists.example.org>", Mailing_List="contact shoes-help@x"),
            "mailing list",
        ),
        (plain("dev@vger.example.org", X_Mailing_List="dev@vger.example.org"), "mailing list"),
        (plain("Shoes <shoes@lists.example.org>", List_Post="<mailto:x@y>"), "mailing list"),
        (plain("Ann <ann@example.org>", X_Autogenerated="Reply"), "autoresponder header"),
        (plain("Ann <ann@example.org>", X_Precedence="bulk"), "Precedence: bulk"),
    ],
    ids=[
        "postfix-dsn-as-mixed",
        "gmail-dsn-report",
        "dsn-broken-mime",
        "exchange-ndr-post_master",
        "exchange-ndr-guid-sender",
        "mail-delivery-subsystem-name",
        "arf-as-mixed",
        "arf-as-report",
        "no_reply",
        "suffix-noreply",
        "dotted-noreply",
        "do_not_reply",
        "list-request",
        "owner-list",
        "list-owner",
        "listserv",
        "majordomo",
        "mailing-list-header",
        "x-mailing-list-header",
        "list-post-header",
        "x-autogenerated",
        "x-precedence",
    ],
)
def test_machine_mail_is_never_answered(
    shop: Any, outbox: Any, message: bytes, reason: str
) -> None:
    result = deliver_mail(shop, message, "ses-machine", source="")

    assert result == {"status": "ignored", "reason": reason}
    assert outbox.messages == []
