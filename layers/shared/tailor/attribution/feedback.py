"""SES events counted per email type and language: delivered, bounced, complained.

SES publishes them (configuration sets' EventBridge destinations) with the email's tags,
which `tailor.mail` and `tailor.delivery` set: `email_type` and `lang`. Each event is
counted once: a marker of its event id is written with the counter, on condition that it
is new, so EventBridge's redelivery counts nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tailor import clock
from tailor.attribution.config import get_attribution_settings
from tailor.attribution.store import Results, expiry
from tailor.email_types import EMAIL_TYPES
from tailor.events.inbound import envelope

COUNTED = {
    "Email Delivered": "delivered",
    "Email Bounced": "bounced",
    "Email Complaint Received": "complained",
}


def count_ses_event(event: Any) -> str | None:
    """Count the event under its email's type and language; the counter's name, or None
    for events that are not counted (other types, mail Tailor did not tag)."""
    env = envelope(event)
    counter = COUNTED.get(env.detail_type)
    settings = get_attribution_settings()
    if counter is None or not settings.results_table:
        return None
    mail = env.detail.get("mail")
    tags = mail.get("tags") if isinstance(mail, Mapping) else None
    email_type = _tag(tags, "email_type")
    if email_type not in EMAIL_TYPES:
        return None
    lang = _tag(tags, "lang") or "und"
    now = clock.now()
    results = Results(settings.results_table)
    marker = {
        "pk": f"ses#{env.event_id}",
        "sk": counter,
        "expiration": expiry(now, 7),  # a week: past any redelivery
    }
    counted = results.put_once_counting(
        marker, [results.count_update(email_type, lang, now, {counter: 1})]
    )
    return counter if counted else None


def _tag(tags: object, name: str) -> str:
    # SES event tags: {"name": ["value"]}.
    values = tags.get(name) if isinstance(tags, Mapping) else None
    return str(values[0]) if isinstance(values, list) and values else ""


def count_unsubscribe(email_type: object, lang: object) -> None:
    """An unsubscribe through the link of an email of `email_type` (the token says which)."""
    settings = get_attribution_settings()
    if email_type not in EMAIL_TYPES or not settings.results_table:
        return
    language = lang if isinstance(lang, str) and lang else "und"
    Results(settings.results_table).count(str(email_type), language, clock.now(), unsubscribed=1)
