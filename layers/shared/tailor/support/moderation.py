"""Comments and reviews: stored, moderated, and the approved ones published.

"Make it easy for customers to e-mail you comments or reviews ... Provide the opportunity
to post such comments in an open forum." Mail to the comments address and `ReviewSubmitted`
events are stored with their moderation outcome; approved ones go out as `ReviewPublished`
on the shop's bus for whatever shows them. Moderation is simple and explainable: no links,
no email addresses or phone numbers, nothing from the profanity list, a sensible length.
Rejected ones are kept with their reasons, for a person to look at.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from tailor import addresses, aws, clock
from tailor.idempotency import once
from tailor.observability import logger
from tailor.support.config import get_support_settings
from tailor.support.events import MailReceived, ReviewPublished, ReviewSubmitted
from tailor.support.mime import parse_mail, sender_verified
from tailor.support.models import Feedback
from tailor.support.runtime import INBOUND_PREFIX
from tailor.support.store import Store

RULES = Path(__file__).with_name("moderation.json")
SOURCE = "tailor.support"

_LINK = re.compile(
    r"(?:https?://|www\.|(?<![@.\w-])[a-z0-9-]+\."
    r"(?:com|net|org|io|co|info|biz|ru|cn|de|uk|shop|xyz|top)\b)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+?\d[\s./-]?){8,}")


@cache
def _rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES.read_text(encoding="utf-8"))
    words = []
    for word in data.get("profanity", []):
        stem = re.escape(word.rstrip("*").lower())
        words.append(stem + (r"\w*" if word.endswith("*") else ""))
    data["_profanity"] = re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE)
    return data


def moderate(title: str, body: str) -> list[str]:
    """Why the text may not be published (empty: approved)."""
    rules = _rules()
    text = f"{title}\n{body}"
    reasons = []
    length = len(body.strip())
    if length < int(rules["min_length"]):
        reasons.append("too short")
    if length > int(rules["max_length"]):
        reasons.append("too long")
    if len(title) > int(rules["max_title_length"]):
        reasons.append("title too long")
    if _LINK.search(text):
        reasons.append("contains a link")
    if _EMAIL.search(text):
        reasons.append("contains an email address")
    if _PHONE.search(text):
        reasons.append("contains a phone number")
    if rules["_profanity"].search(text):
        reasons.append("profanity")
    return reasons


def public_name(author: str) -> str:
    """`Susie O.`: a first name and an initial, never a full name or an address."""
    words = [w for w in re.split(r"\s+", author.strip()) if w and "@" not in w]
    if not words:
        return "A customer"
    first = words[0][:30]
    return f"{first} {words[-1][0].upper()}." if len(words) > 1 else first


@once(key="review_id")
def review_submitted(*, event: ReviewSubmitted) -> dict[str, Any]:
    return _file(
        Feedback(
            feedback_id=f"review-{event.review_id}",
            source="review",
            received_at=event.submitted_at,
            email=addresses.normalize(event.email),
            author=public_name(event.author),
            product_id=event.product_id,
            order_id=event.order_id,
            rating=event.rating,
            title=event.title,
            body=event.body,
            status="approved",
        ),
        event.review_id,
    )


@once(key="message_id")
def comment_received(*, event: MailReceived) -> dict[str, Any]:
    """A message to the comments address: its new text is the comment."""
    support = get_support_settings()
    raw = (
        aws.client("s3")
        .get_object(Bucket=support.need("mail_bucket"), Key=f"{INBOUND_PREFIX}{event.message_id}")[
            "Body"
        ]
        .read(support.max_message_bytes)
    )
    mail = parse_mail(bytes(raw), max_text_chars=support.max_text_chars)
    if mail.automated or event.spam == "FAIL" or event.virus == "FAIL" or mail.sender is None:
        logger.info("comment not filed", extra={"reason": mail.automated or "spam or no sender"})
        return {"status": "ignored", "reason": mail.automated or "spam, virus or no sender"}
    body = mail.body.new or mail.text
    feedback = Feedback(
        feedback_id=f"comment-{event.message_id}",
        source="comment",
        received_at=event.received_at,
        email=mail.sender,
        author=public_name(mail.sender_name),
        title=mail.subject[:300],
        body=body[:20_000],
        status="approved",
    )
    if not sender_verified(mail, event):
        feedback = feedback.model_copy(update={"reasons": ["sender not verified"]})
    return _file(feedback, event.message_id)


def _file(feedback: Feedback, review_id: str) -> dict[str, Any]:
    reasons = [*feedback.reasons, *moderate(feedback.title, feedback.body)]
    now = clock.now()
    feedback = feedback.model_copy(
        update={
            "status": "rejected" if reasons else "approved",
            "reasons": reasons,
            "published_at": None if reasons else now,
        }
    )
    store = Store(get_support_settings().need("tickets_table"))
    if not store.save_feedback(feedback):
        return {"status": "duplicate", "feedback_id": feedback.feedback_id}
    logger.info(
        "feedback moderated",
        extra={"feedback_id": feedback.feedback_id, "status": feedback.status, "reasons": reasons},
    )
    if reasons:
        return {"status": "rejected", "feedback_id": feedback.feedback_id, "reasons": reasons}
    publish(
        ReviewPublished(
            review_id=review_id,
            source=feedback.source,
            product_id=feedback.product_id,
            author=feedback.author,
            rating=feedback.rating,
            title=feedback.title,
            body=feedback.body,
            published_at=now,
        )
    )
    return {"status": "published", "feedback_id": feedback.feedback_id}


def publish(event: ReviewPublished, when: datetime | None = None) -> None:
    """Put the event on the shop's bus; a rejected entry fails the invocation (it retries)."""
    bus = get_support_settings().need("event_bus_name")
    response = aws.client("events").put_events(
        Entries=[
            {
                "Source": SOURCE,
                "DetailType": ReviewPublished.detail_type,
                "Detail": event.model_dump_json(),
                "EventBusName": bus,
                "Time": when or clock.now(),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        entry = response["Entries"][0]
        raise RuntimeError(f"ReviewPublished rejected by EventBridge: {entry.get('ErrorCode')}")
