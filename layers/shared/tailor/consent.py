"""Marketing consent per topic: who may receive which marketing mail, and since when."""

from __future__ import annotations

from datetime import UTC

from tailor import clock
from tailor.events.canonical import CustomerUpdated
from tailor.profiles import Consent, Profile

NEWSLETTER = "newsletter"
SHOPIFY = "shopify"

_SHOPIFY_STATES = {
    "subscribed": "subscribed",
    "not_subscribed": "not_subscribed",
    "unsubscribed": "unsubscribed",
    "pending": "pending",
}


def apply_shopify_consent(profile: Profile, customer: CustomerUpdated) -> Profile:
    """Map Shopify's email_marketing_consent onto the newsletter topic.

    A Shopify update never silently re-subscribes someone who unsubscribed here: only an
    opt-in Shopify dates after our unsubscribe (a new, explicit choice) counts.
    """
    incoming = customer.marketing_consent
    if incoming is None or incoming.state not in _SHOPIFY_STATES:
        return profile
    state = _SHOPIFY_STATES[incoming.state]
    when = incoming.updated_at or customer.updated_at
    current = profile.consent.get(NEWSLETTER)
    if current is not None:
        if current.state == state:
            return profile
        if current.source != SHOPIFY and current.updated_at >= when:
            return profile
    record = Consent(
        state=state,
        source=SHOPIFY,
        opt_in_level=incoming.opt_in_level,
        updated_at=when.astimezone(UTC) if when else clock.now(),
    )
    return profile.model_copy(update={"consent": {**profile.consent, NEWSLETTER: record}})
