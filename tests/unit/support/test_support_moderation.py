"""Comments and reviews: stored, moderated, approved ones published as ReviewPublished."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from tailor.support.moderation import moderate, public_name

from tests.helpers.events import load_event
from tests.helpers.support_desk import canonical, compose, deliver_mail


def published() -> list[dict[str, Any]]:
    """What reached the shop's bus (the local cloud's tap queue on it)."""
    from tailor_local.provision import tap_queue_name

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=tap_queue_name("tailor-local-shop"))["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_an_approved_review_is_stored_and_published(run: Any) -> None:
    result = run("ReviewModerationFunction", load_event("support/review-submitted.json"))

    assert result["status"] == "published"
    (event,) = published()
    assert event["detail-type"] == "ReviewPublished"
    assert event["detail"]["author"] == "Susie O."
    assert event["detail"]["rating"] == 5 and event["detail"]["product_id"] == "100"
    assert "susie@example.com" not in json.dumps(event)


def test_a_review_with_a_link_is_kept_but_not_published(run: Any) -> None:
    event = load_event("support/review-submitted.json")
    event["detail"]["body"] = "Great shoes, cheaper at www.knockoffs.example though!"

    result = run("ReviewModerationFunction", event)

    assert result == {
        "status": "rejected",
        "feedback_id": "review-rev-7001-100",
        "reasons": ["contains a link"],
    }
    assert published() == []
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("TicketsTable")
    stored = table.get_item(Key={"pk": "FEEDBACK#review-rev-7001-100", "sk": "FEEDBACK"})["Item"]
    assert stored["status"] == "rejected"


def test_a_review_delivered_twice_is_published_once(run: Any) -> None:
    event = load_event("support/review-submitted.json")
    run("ReviewModerationFunction", event)
    run("ReviewModerationFunction", {**event, "id": "redelivered"})

    assert len(published()) == 1


def test_a_comment_by_mail_is_moderated_and_published(run: Any) -> None:
    raw = compose(
        "Susie here: your shop made my week, the exchange was so easy!",
        subject="A big thank you",
        headers={"X-Note": "comment"},
    )

    result = deliver_mail(
        run,
        raw,
        "ses-comment",
        function="CommentModerationFunction",
        recipients=("comments@shop.example.com",),
    )

    assert result["status"] == "published"
    (event,) = published()
    assert event["detail"]["source"] == "comment" and event["detail"]["title"] == "A big thank you"


def test_an_unverified_comment_is_held_back(run: Any) -> None:
    raw = compose("I love this shop so much, truly.", authenticated=False)

    result = deliver_mail(run, raw, "ses-c2", function="CommentModerationFunction")

    assert result["status"] == "rejected" and result["reasons"] == ["sender not verified"]


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        ("Lovely shoes, very comfortable.", []),
        ("ok", ["too short"]),
        ("x" * 2001, ["too long"]),
        ("Write to me at susie@example.com for photos", ["contains an email address"]),
        ("Visit https://example.com for more", ["contains a link"]),
        ("Call me on +1 918 555 0134 about them", ["contains a phone number"]),
        ("These are the shit, honestly great", ["profanity"]),
        ("Scunthorpe is where I wore them first", []),
    ],
)
def test_moderation_rules(body: str, reasons: list[str]) -> None:
    assert moderate("", body) == reasons


def test_public_names_never_show_a_full_name_or_address() -> None:
    assert public_name("Susie Oklahoma") == "Susie O."
    assert public_name("susie@example.com") == "A customer"
    assert public_name("") == "A customer"


def test_review_events_must_be_well_formed(run: Any) -> None:
    from tailor.events.inbound import InvalidEvent

    with pytest.raises(InvalidEvent, match="rating"):
        run(
            "ReviewModerationFunction",
            canonical(
                "ReviewSubmitted",
                {
                    "review_id": "r",
                    "rating": 9,
                    "body": "Great shoes indeed",
                    "submitted_at": "2026-12-01T09:59:00+00:00",
                },
            ),
        )
