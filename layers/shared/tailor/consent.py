"""Marketing consent per topic: who may receive which marketing mail, since when, and why.

The profile holds the current state per topic; every change is also appended to the
consent ledger (one item per change, never updated), so the history of a customer's
choices can be shown to them or to a regulator. Transactional mail needs no consent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from tailor import aws, clock, transactions
from tailor.events.canonical import MarketingConsent
from tailor.profiles import Consent, ConsentState, Profile, Profiles

NEWSLETTER = "newsletter"
OFFERS = "offers"
BACK_IN_STOCK = "back_in_stock"
PRICE_DROPS = "price_drops"
REPLENISHMENT = "replenishment"
REVIEW_REQUESTS = "review_requests"
REFERRALS = "referrals"

# Marketing topics in the order the preference page lists them, with their labels for
# staff (customers read them in their language: templates/pages/copy, `topic_<id>`).
TOPICS: dict[str, str] = {
    NEWSLETTER: "Newsletter: occasional news and sales",
    OFFERS: "Personal offers and recommendations",
    BACK_IN_STOCK: "Back-in-stock alerts you asked for",
    PRICE_DROPS: "Price drops and sales on items you like",
    REPLENISHMENT: "Reminders when it's time to restock",
    REVIEW_REQUESTS: "Requests to review what you bought",
    REFERRALS: "Refer-a-friend offers",
}

Source = Literal[
    "shopify",
    "preference_page",
    "unsubscribe_header",
    "complaint",
    "double_opt_in",
    "signup",
    "request",
]
SHOPIFY: Source = "shopify"

_SHOPIFY_STATES: dict[str, ConsentState] = {
    "subscribed": "subscribed",
    "not_subscribed": "not_subscribed",
    "unsubscribed": "unsubscribed",
    "pending": "pending",
}


class UnknownTopic(ValueError):
    pass


def allows(profile: Profile, topic: str) -> bool:
    """Marketing on `topic` is allowed: opted in to it, or to the newsletter with no
    choice made for the topic itself (an explicit unsubscribe always wins)."""
    if topic not in TOPICS:
        raise UnknownTopic(topic)
    own = profile.consent.get(topic)
    if own is not None:
        return own.state == "subscribed"
    general = profile.consent.get(NEWSLETTER)
    return general is not None and general.state == "subscribed"


def change(
    profile: Profile,
    topics: Iterable[str],
    state: ConsentState,
    source: Source,
    *,
    opt_in_level: str | None = None,
    at: datetime | None = None,
) -> Profile:
    """The profile with these topics set to `state` (unchanged topics keep their record)."""
    when = (at or clock.now()).astimezone(UTC)
    consent = dict(profile.consent)
    for topic in topics:
        if topic not in TOPICS:
            raise UnknownTopic(topic)
        current = consent.get(topic)
        if current is not None and current.state == state:
            continue
        consent[topic] = Consent(
            state=state, source=source, opt_in_level=opt_in_level, updated_at=when
        )
    return profile.model_copy(update={"consent": consent})


def apply_shopify_consent(
    profile: Profile, incoming: MarketingConsent | None, as_of: datetime
) -> Profile:
    """Map the email marketing consent Shopify reports (on a customer, a consent update or
    an order) onto the newsletter topic; `as_of` is when Shopify reported it.

    The newest choice wins: one that Shopify dates no later than the choice recorded here
    changes nothing, so Shopify never silently re-subscribes someone who unsubscribed here
    and a late delivery never rolls a newer choice back. An undated one (Shopify leaves
    `consent_updated_at` empty for customers who never chose) only fills in a blank.
    """
    if incoming is None or incoming.state not in _SHOPIFY_STATES:
        return profile
    state = _SHOPIFY_STATES[incoming.state]
    current = profile.consent.get(NEWSLETTER)
    if current is not None and (
        current.state == state
        or incoming.updated_at is None
        or current.updated_at >= incoming.updated_at
    ):
        return profile
    return change(
        profile,
        [NEWSLETTER],
        state,
        SHOPIFY,
        opt_in_level=incoming.opt_in_level,
        at=incoming.updated_at or as_of,
    )


class ConsentLedger:
    """Append-only history of consent changes, one item per topic change."""

    def __init__(self, table_name: str) -> None:
        self._table = aws.table(table_name)

    def entries(self, before: Profile, after: Profile) -> list[dict[str, Any]]:
        """The transaction writes that record what changed between two profiles."""
        recorded_at = clock.now().isoformat()
        return [
            transactions.put(
                self._table.name,
                {
                    "Item": {
                        "email": after.email,
                        "entry": f"{record.updated_at.isoformat()}#{topic}#{uuid.uuid4().hex[:8]}",
                        "topic": topic,
                        "state": record.state,
                        "source": record.source,
                        "opt_in_level": record.opt_in_level or "unknown",
                        "recorded_at": recorded_at,
                    },
                    "ConditionExpression": "attribute_not_exists(entry)",
                },
            )
            for topic, record in after.consent.items()
            if before.consent.get(topic) != record
        ]

    def history(self, email: str) -> list[dict[str, str]]:
        from boto3.dynamodb.conditions import Key

        items = self._table.query(KeyConditionExpression=Key("email").eq(email))["Items"]
        return [{k: str(v) for k, v in item.items()} for item in items]


def update_consent(
    profiles: Profiles, ledger: ConsentLedger, email: str, apply: Callable[[Profile], Profile]
) -> tuple[Profile, Profile]:
    """The profile before and after a change to it, stored in one transaction with the
    ledger entries for the consent it changed: a choice is never stored unrecorded."""
    return profiles.change(email, apply, along=ledger.entries)
