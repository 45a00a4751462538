"""The agent's reply: threaded under Susie's mail, filled in, first-response time recorded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.events import load_event
from tests.helpers.mail import text_part
from tests.helpers.support_desk import (
    SUPPORT,
    compose,
    deliver_mail,
    eml,
    messages,
    reply_event,
    ticket,
)


@pytest.fixture
def opened(shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Susie wrote at 09:10 Chicago time; it is now 10:02."""
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:02:00+00:00")
    return shop


def test_the_agent_reply_with_an_edited_canned_response_is_threaded_under_susies_mail(
    opened: Any, outbox: Any
) -> None:
    event = load_event("support/ticket-reply-requested.json")

    result = opened("SupportReplyFunction", event)

    assert result["status"] == "sent" and result["ticket_status"] == "waiting_on_customer"
    ack, reply = outbox.messages
    assert reply["Subject"] == "Re: The shoes don't match my dress [T-1001]"
    assert reply["In-Reply-To"] == "<CAF=susie.shoes.1@mail.example.com>"
    references = reply["References"].split()
    assert references == ["<CAF=susie.shoes.1@mail.example.com>", ack["Message-ID"]]
    assert reply["Reply-To"].addresses[0].addr_spec == SUPPORT
    assert reply["Auto-Submitted"] is None  # a person wrote this one
    text = text_part(reply)
    assert text.startswith("Oklahoma Outfitters") or "Hi Susie," in text
    assert "We have them in Burgundy in your size 13" in text
    assert "Of course we can exchange your Classic Oxford (13) from order #7001" in text
    assert "Maria" in text
    assert "the shoes don't match my dress at all" in text  # her words, quoted below


def test_the_first_reply_records_first_response_time_and_stops_the_clock(
    opened: Any, outbox: Any
) -> None:
    opened("SupportReplyFunction", reply_event("T-1001", text="On it!"))

    stored = ticket("T-1001")
    assert stored["status"] == "waiting_on_customer"
    assert stored["first_responded_at"] == "2026-11-23T16:02:00Z"
    assert stored["first_response_seconds"] == 52 * 60 - 4
    assert stored["first_response_business_seconds"] == 52 * 60 - 4
    assert "queue" not in stored and "due_at" not in stored
    assert stored["responded_on"] == "2026-11-23"
    assert stored["breached"] is False
    assert sorted(m["kind"] for m in messages("T-1001")) == [
        "acknowledgement",
        "customer",
        "reply",
    ]


def test_a_later_reply_keeps_the_first_response_time(
    opened: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened("SupportReplyFunction", reply_event("T-1001", "r1", text="First"))
    monkeypatch.setenv("TAILOR_NOW", "2026-11-24T16:00:00+00:00")
    opened("SupportReplyFunction", reply_event("T-1001", "r2", text="Second", status="solved"))

    stored = ticket("T-1001")
    assert stored["first_responded_at"] == "2026-11-23T16:02:00Z"
    assert stored["status"] == "solved"


def test_the_customers_answer_reopens_the_ticket_with_the_next_reply_due(
    opened: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened("SupportReplyFunction", reply_event("T-1001", text="Burgundy?"))
    reply_id = outbox.messages[-1]["Message-ID"]
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T22:30:00+00:00")
    answer = compose(
        "Yes please!",
        subject="Re: The shoes don't match my dress [T-1001]",
        message_id="<susie.3@mail.example.com>",
        headers={"In-Reply-To": reply_id, "References": reply_id},
    )

    deliver_mail(opened, answer, "ses-0003", at="2026-11-23T22:30:00+00:00")

    stored = ticket("T-1001")
    assert stored["status"] == "waiting_on_us"
    # 16:30 Chicago + 8 business hours: 30 minutes today, 7.5 hours Tuesday -> 16:30.
    assert stored["due_at"] == "2026-11-24T22:30:00Z"
    assert stored["waiting_since"] == "2026-11-23T22:30:00Z"


def test_a_reply_that_still_needs_a_field_is_refused_and_nothing_is_sent(
    opened: Any, outbox: Any
) -> None:
    result = opened("SupportReplyFunction", reply_event("T-1001", canned_id="out_of_stock"))

    assert result["status"] == "refused"
    assert result["missing"] == ["product title", "restock date"]
    assert len(outbox.messages) == 1  # only the acknowledgement


def test_fields_given_with_the_reply_fill_the_prompts(opened: Any, outbox: Any) -> None:
    result = opened(
        "SupportReplyFunction",
        reply_event(
            "T-1001",
            canned_id="out_of_stock",
            fields={"product title": "Burgundy Oxford", "restock_date": "next Friday"},
        ),
    )

    assert result["status"] == "sent"
    text = text_part(outbox.messages[-1])
    assert "Burgundy Oxford is out of stock at the moment; we expect new stock next Friday." in text


@pytest.mark.parametrize(
    ("detail", "reason"),
    [
        ({"text": "Hi", "ticket": "T-9999"}, "no such ticket"),
        ({"canned_id": "no_such_response"}, "no canned response 'no_such_response'"),
        ({}, "nothing to send: give text, a canned response, or both"),
    ],
)
def test_impossible_replies_are_refused_with_a_reason(
    opened: Any, outbox: Any, detail: dict[str, Any], reason: str
) -> None:
    event = reply_event(detail.pop("ticket", "T-1001"), **detail)

    result = opened("SupportReplyFunction", event)

    assert result["status"] == "refused" and result["reason"] == reason


def test_a_repeated_reply_request_sends_once(opened: Any, outbox: Any) -> None:
    event = reply_event("T-1001", text="Once")
    opened("SupportReplyFunction", event)
    opened("SupportReplyFunction", event)

    assert len(outbox.messages) == 2


def test_free_text_is_escaped_in_the_html(opened: Any, outbox: Any) -> None:
    from tests.helpers.mail import html_part

    opened("SupportReplyFunction", reply_event("T-1001", text="<script>x</script> {{ 7*7 }}"))

    html = html_part(outbox.messages[-1])
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html
