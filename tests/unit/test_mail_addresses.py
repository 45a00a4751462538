"""Addresses are what they look like: a display name is text, never a recipient.

A customer's first name or the shop's name may hold an RFC 2047 encoded-word typed as text,
an address, angle brackets, quotes or commas. The email SES sends is parsed back here: the
To and From headers hold exactly one mailbox, the intended one, and a decoder that follows
RFC 2047 shows exactly the text that was given as the display name.
"""

from __future__ import annotations

import copy
import email
import email.policy
from email.header import decode_header
from typing import Any

import pytest
from tailor_local.template import Template

from tests.helpers.events import load_event

# A shop name that looks like an address and holds encoded-word syntax, quotes and a comma.
SHOP = 'Müller, "Schuhe" =?utf-8?q?orders=40evil.example?= <billing@evil.example>'

HOSTILE_NAMES = [
    "=?utf-8?q?attacker=40evil.example?=",
    "=?utf-8?b?dmljdGltQGV4YW1wbGUuY29t?=",
    "victim@example.com <x>",
    'Alex "the boss" Rivera, <ceo@example.com>',
    "Zoë =?iso-8859-1?q?=E9?= Rivera",
    "Ünïcødé " * 10,  # long enough for several encoded-words
]


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(parameters={"ShopName": SHOP})


def raw_headers(outbox: Any) -> list[tuple[str, str]]:
    """The sent message's headers exactly as SES received them (folded, still encoded)."""
    sent = outbox._backend.sent_messages[-1].raw_data
    data = sent if isinstance(sent, bytes) else sent.encode()
    return email.message_from_bytes(data, policy=email.policy.compat32).items()  # type: ignore[return-value]


def display_name(folded: str) -> tuple[str, str]:
    """(display name as an RFC 2047 decoder shows it, the angle-addr) of one mailbox."""
    unfolded = folded.replace("\r\n", "").replace("\n", "")
    phrase, _, angle = unfolded.rpartition("<")
    words = decode_header(phrase.strip())
    text = "".join(w.decode(c or "ascii") if isinstance(w, bytes) else w for w, c in words).strip()
    if text.startswith('"') and text.endswith('"'):  # a quoted-string: unescape it
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text, angle.rstrip(">")


def confirmation_for(run: Any, first_name: str, order_id: int | None = None) -> None:
    event = copy.deepcopy(load_event("shopify/orders-create.json"))
    payload = event["detail"]["payload"]
    payload["id"] = order_id or payload["id"]
    for holder in (payload.get("customer") or {}, payload.get("billing_address") or {}):
        if "first_name" in holder:
            holder["first_name"] = first_name
    run("OrderConfirmationFunction", event)


def test_a_hostile_first_name_is_shown_as_text_and_never_becomes_the_recipient(
    run: Any, outbox: Any
) -> None:
    for number, name in enumerate(HOSTILE_NAMES):
        confirmation_for(run, name, order_id=1000 + number)
        sent = outbox.messages[number]
        to = dict(raw_headers(outbox))["To"]

        assert [a.addr_spec for a in sent["To"].addresses] == ["alex.rivera@example.com"], name
        assert display_name(to) == (" ".join(name.split()), "alex.rivera@example.com"), to
        assert all(len(line) <= 78 for line in to.splitlines()), to


def test_the_shop_name_is_shown_as_text_and_never_becomes_the_sender(run: Any, outbox: Any) -> None:
    confirmation_for(run, "Alex")

    sent = outbox.only()
    sender = dict(raw_headers(outbox))["From"]
    assert [a.addr_spec for a in sent["From"].addresses] == ["orders@shop.example.com"]
    assert display_name(sender) == (SHOP, "orders@shop.example.com")
