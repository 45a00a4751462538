"""Mail in, ticket and acknowledgement out: what Susie sees, and what the desk stores."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.mail import html_part, text_part
from tests.helpers.support_desk import SUPPORT, compose, deliver_mail, eml, messages, ticket


def test_susie_gets_an_acknowledgement_with_return_and_exchange_steps_for_her_order(
    shop: Any, outbox: Any
) -> None:
    result = deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")

    assert result["status"] == "received"
    assert result["ticket_id"] == "T-1001"
    assert result["intent"] == "return"
    assert result["verified_sender"] is True
    message = outbox.only()
    assert message["To"].addresses[0].addr_spec == "susie@example.com"
    assert message["Subject"] == "Re: The shoes don't match my dress [T-1001]"
    assert message["In-Reply-To"] == "<CAF=susie.shoes.1@mail.example.com>"
    assert "<CAF=susie.shoes.1@mail.example.com>" in message["References"]
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Reply-To"].addresses[0].addr_spec == SUPPORT
    text = text_part(message).replace("\u202f", " ")
    assert "T-1001" in text
    assert "by November 23, 2026, 1:10 PM CST" in text  # 4 business hours, Chicago
    assert "#7001" in text and "Classic Oxford - 13" in text
    assert "To exchange it for another size or colour" in text
    assert "To return it for a refund" in text
    assert "[add" not in text
    assert "Susie" in html_part(message)


def test_the_ticket_stores_customer_order_intent_message_and_sla_clock(
    shop: Any, outbox: Any
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")

    stored = ticket("T-1001")
    assert stored["status"] == "new"
    assert stored["customer_email"] == "susie@example.com"
    assert stored["order_number"] == "#7001"
    assert stored["intent"] == "return"
    assert stored["created_at"] == "2026-11-23T15:10:04Z"
    assert stored["first_response_due_at"] == "2026-11-23T19:10:04Z"
    assert stored["queue"] == "waiting_on_us"
    assert stored["suggested_canned"] == "returns"
    inbound, ack = sorted(messages("T-1001"), key=lambda m: m["direction"])
    assert inbound["text"].startswith("Hi there,")
    assert "Susie Oklahoma" in inbound["signature"] and "Tulsa" not in inbound["text"]
    assert inbound["raw_key"] == "inbound/susie-shoes-0001"
    assert ack["kind"] == "acknowledgement" and ack["message_id"] in stored["thread"]


def test_a_new_ticket_is_stored_with_its_suggested_reply_by_the_write_that_opens_it(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tailor.support.store import Store

    opened: list[Any] = []
    create = Store.create_ticket

    def spied(store: Store, new: Any, message: Any, thread_key: str) -> bool:
        opened.append(new)
        return create(store, new, message, thread_key)

    monkeypatch.setattr(Store, "create_ticket", spied)

    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")

    assert [new.suggested_canned for new in opened] == ["returns"]
    assert "[add" not in opened[0].suggested_reply
    assert ticket("T-1001")["suggested_reply"] == opened[0].suggested_reply


def test_a_reply_by_references_joins_the_ticket_and_is_not_acknowledged_twice_within_the_hour(
    shop: Any, outbox: Any
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    ack_id = outbox.only()["Message-ID"]
    follow_up = compose(
        "Also, do you have them in burgundy?",
        subject="Re: The shoes don't match my dress [T-1001]",
        message_id="<susie.2@mail.example.com>",
        headers={"In-Reply-To": ack_id, "References": ack_id},
    )

    result = deliver_mail(shop, follow_up, "ses-0002")

    assert result["ticket_id"] == "T-1001" and result["new_ticket"] is False
    assert result["acknowledgement"]["status"] == "skipped"
    assert len(outbox.messages) == 1
    stored = ticket("T-1001")
    assert stored["message_count"] == 2
    assert stored["last_customer_message_id"] == "<susie.2@mail.example.com>"
    assert stored["thread"][-1] == "<susie.2@mail.example.com>"


def test_the_ticket_number_in_the_subject_joins_only_for_the_same_customer(
    shop: Any, outbox: Any
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")

    same = deliver_mail(shop, eml("outlook-reply.eml"), "ses-0002")
    other = deliver_mail(
        shop,
        compose("About T-1001", subject="Re: [T-1001]", sender="Eve <eve@example.org>"),
        "ses-0003",
        source="eve@example.org",
    )

    assert same["ticket_id"] == "T-1001"
    assert other["ticket_id"] == "T-1002" and other["new_ticket"] is True


def test_an_hour_later_a_follow_up_is_acknowledged_again(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:11:00+00:00")

    result = deliver_mail(
        shop, eml("outlook-reply.eml"), "ses-0002", at="2026-11-23T16:11:00+00:00"
    )

    assert result["acknowledgement"]["status"] == "sent"
    second = outbox.messages[1]
    assert second["Subject"] == "Re: The shoes don't match my dress [T-1001]"
    assert second["In-Reply-To"] == "<outlook.2@mail.example.com>"
    assert "We have added your message to your request" in text_part(second)


def test_a_retried_delivery_files_nothing_twice(shop: Any, outbox: Any) -> None:
    from tests.helpers.support_desk import ses_event

    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    shop("SupportInboundFunction", ses_event("susie-shoes-0001"))

    assert len(outbox.messages) == 1
    assert len(messages("T-1001")) == 2
    assert ticket("T-1001")["message_count"] == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto-reply.eml", "Auto-Submitted: auto-replied"),
        ("bounce.eml", "bounce (empty Return-Path)"),
        ("mailing-list.eml", "Precedence: list"),
        ("noreply-sender.eml", "machine sender"),
        ("out-of-office-subject.eml", "automatic reply subject"),
    ],
)
def test_machines_are_never_answered(shop: Any, outbox: Any, name: str, reason: str) -> None:
    result = deliver_mail(shop, eml(name), "ses-auto")

    assert result == {"status": "ignored", "reason": reason}
    assert outbox.messages == []


def test_an_auto_reply_to_a_ticket_is_filed_but_changes_nothing(shop: Any, outbox: Any) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")

    result = deliver_mail(shop, eml("auto-reply.eml"), "ses-ooo")

    assert result["status"] == "filed" and result["ticket_id"] == "T-1001"
    assert len(outbox.messages) == 1
    assert any(m["kind"] == "automated" for m in messages("T-1001"))
    assert ticket("T-1001")["message_count"] == 1


def test_our_own_mail_coming_back_is_ignored(shop: Any, outbox: Any) -> None:
    raw = compose("loop", sender="Oklahoma Outfitters <orders@shop.example.com>")

    result = deliver_mail(shop, raw, "ses-self", source="orders@shop.example.com")

    assert result["status"] == "ignored" and outbox.messages == []


def test_a_sender_asking_for_no_auto_replies_gets_a_ticket_but_no_acknowledgement(
    shop: Any, outbox: Any
) -> None:
    raw = compose(headers={"X-Auto-Response-Suppress": "OOF, AutoReply"})

    result = deliver_mail(shop, raw, "ses-suppress")

    assert result["ticket_id"] == "T-1001"
    assert result["acknowledgement"]["status"] == "skipped"
    assert outbox.messages == []


def test_a_sender_is_acknowledged_at_most_five_times_an_hour(shop: Any, outbox: Any) -> None:
    for n in range(7):
        raw = compose(
            f"Message {n} about something new",
            subject=f"Question {n}",
            message_id=f"<flood.{n}@mail.example.com>",
        )
        deliver_mail(shop, raw, f"ses-flood-{n}")

    assert len(outbox.messages) == 5
    assert ticket("T-1007")["status"] == "new"  # still filed


def test_a_spoofed_sender_gets_no_order_data(shop: Any, outbox: Any) -> None:
    result = deliver_mail(
        shop,
        eml("spoofed-susie.eml"),
        "ses-spoof",
        source="attacker@evil.example",
        verdicts={"spf": "FAIL", "dkim": "NONE", "dmarc": "FAIL"},
    )

    assert result["verified_sender"] is False
    text = text_part(outbox.only())
    assert "#7001" not in text and "Classic Oxford" not in text
    assert "T-1001" in text
    assert ticket("T-1001")["verified_sender"] is False


def test_an_unverified_sender_without_authentication_results_gets_no_order_data(
    shop: Any, outbox: Any
) -> None:
    deliver_mail(shop, compose(authenticated=False), "ses-unverified")

    text = text_part(outbox.only())
    assert "#7001" not in text and "Classic Oxford" not in text


def test_ses_verdicts_alone_verify_an_aligned_sender(shop: Any, outbox: Any) -> None:
    raw = eml("missing-headers.eml")  # no Authentication-Results in the stored copy

    result = deliver_mail(shop, raw, "ses-verdicts", verdicts={"spf": "PASS"})

    assert result["verified_sender"] is True
    assert "#7001" in text_part(outbox.only())


def test_orders_mentioned_by_number_are_linked_only_when_they_are_the_senders(
    shop: Any, outbox: Any
) -> None:
    german = deliver_mail(shop, eml("german-order.eml"), "ses-de")
    alex = deliver_mail(
        shop,
        compose("Where is order 7001?", subject="Order", sender="Alex <alex@example.com>"),
        "ses-alex",
        source="alex@example.com",
    )

    assert german["order_id"] == "7001" and german["intent"] == "where_is_my_order"
    assert alex["order_id"] is None
    assert ticket(alex["ticket_id"])["mentioned_orders"] == ["7001"]


def test_attachments_are_stored_as_references_with_name_type_and_size(
    shop: Any, outbox: Any
) -> None:
    import boto3

    deliver_mail(shop, eml("nested-multipart.eml"), "ses-nested")

    inbound = next(m for m in messages("T-1001") if m["direction"] == "in")
    photo, invoice = inbound["attachments"]
    assert photo["content_type"] == "image/png" and photo["inline"] is True
    assert invoice["name"] == "Rechnung Müller.pdf" and invoice["size"] == 48
    assert invoice["stored"] is True
    body = boto3.client("s3").get_object(Bucket="MailBucket", Key=invoice["key"])["Body"].read()
    assert body.startswith(b"%PDF")
    assert ticket("T-1001")["intent"] == "complaint"


def test_a_huge_attachment_is_referenced_not_copied(shop: Any, outbox: Any) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Susie <susie@example.com>"
    message["To"] = "support@shop.example.com"
    message["Subject"] = "Video of the damage"
    message.set_content("The box was crushed, video attached.")
    message.add_attachment(
        b"\0" * (10 * 1024 * 1024 + 1), maintype="video", subtype="mp4", filename="unboxing.mp4"
    )

    deliver_mail(shop, message.as_bytes(), "ses-huge")

    inbound = next(m for m in messages("T-1001") if m["direction"] == "in")
    (video,) = inbound["attachments"]
    assert video["stored"] is False and video["key"] == "inbound/ses-huge"
    assert video["size"] == 10 * 1024 * 1024 + 1 and video["part"] == "1.2"
