"""The one sending decision: suppression, consent, quiet hours, frequency cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tailor import consent
from tailor.policy import decide
from tailor.profiles import Profile
from tailor.settings import Settings

SETTINGS = Settings(
    shop_name="Shop",
    shop_base_url="https://shop.example.com",
    sender_address="orders@shop.example.com",
    shop_timezone="America/Chicago",
    frequency_cap_overrides={"back_in_stock": 0},
)
NOON_CHICAGO = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # 12:00 in Chicago


def subscribed(*topics: str, **fields: object) -> Profile:
    profile = Profile(email="susie@example.com", **fields)  # type: ignore[arg-type]
    return consent.change(profile, topics, "subscribed", "preference_page", at=NOON_CHICAGO)


def test_transactional_mail_is_always_sent_unless_suppressed() -> None:
    nobody = Profile(email="susie@example.com")
    assert decide(nobody, None, SETTINGS, NOON_CHICAGO).action == "send"

    bounced = Profile(email="susie@example.com", suppressed="hard_bounce")
    decision = decide(bounced, None, SETTINGS, NOON_CHICAGO)
    assert (decision.action, decision.reason) == ("skip", "address suppressed (hard_bounce)")


def test_marketing_needs_consent_for_its_topic() -> None:
    decision = decide(Profile(email="susie@example.com"), "newsletter", SETTINGS, NOON_CHICAGO)
    assert (decision.action, decision.reason) == ("skip", "no consent for newsletter")


def test_newsletter_consent_covers_topics_without_a_choice_of_their_own() -> None:
    profile = subscribed("newsletter")
    assert decide(profile, "price_drops", SETTINGS, NOON_CHICAGO).action == "send"

    opted_out = consent.change(profile, ["price_drops"], "unsubscribed", "preference_page")
    assert decide(opted_out, "price_drops", SETTINGS, NOON_CHICAGO).action == "skip"


def test_pending_double_opt_in_receives_no_marketing() -> None:
    pending = consent.change(Profile(email="s@example.com"), ["newsletter"], "pending", "signup")
    assert decide(pending, "newsletter", SETTINGS, NOON_CHICAGO).action == "skip"


def test_quiet_hours_defer_to_eight_in_the_customers_own_time_zone() -> None:
    profile = subscribed("newsletter", time_zone="Europe/Berlin")
    late_in_berlin = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)  # 22:30 in Berlin

    decision = decide(profile, "newsletter", SETTINGS, late_in_berlin)

    assert decision.action == "defer" and decision.reason == "quiet hours"
    assert decision.until == datetime(2026, 11, 21, 7, 0, tzinfo=UTC)  # 08:00 in Berlin


def test_quiet_hours_use_the_shops_zone_when_the_customers_is_unknown() -> None:
    profile = subscribed("newsletter")
    three_am_chicago = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    decision = decide(profile, "newsletter", SETTINGS, three_am_chicago)

    assert decision.until == datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def test_frequency_cap_defers_until_sixteen_hours_after_the_last_marketing_mail() -> None:
    last = NOON_CHICAGO - timedelta(hours=2)
    profile = subscribed("newsletter", "back_in_stock", last_marketing_epoch=int(last.timestamp()))

    capped = decide(profile, "newsletter", SETTINGS, NOON_CHICAGO)
    assert (capped.action, capped.until) == ("defer", last + timedelta(hours=16))
    # A topic may override the cap (back-in-stock alerts are time-critical).
    assert decide(profile, "back_in_stock", SETTINGS, NOON_CHICAGO).action == "send"


def test_an_unknown_topic_is_a_programming_error() -> None:
    with pytest.raises(consent.UnknownTopic):
        decide(Profile(email="s@example.com"), "spam", SETTINGS, NOON_CHICAGO)


def test_mail_the_customer_just_asked_for_is_held_by_neither_quiet_hours_nor_the_cap() -> None:
    three_am_chicago = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    last = three_am_chicago - timedelta(hours=1)
    profile = subscribed("newsletter", last_marketing_epoch=int(last.timestamp()))
    assert decide(profile, "newsletter", SETTINGS, three_am_chicago).action == "defer"

    asked = decide(profile, "newsletter", SETTINGS, three_am_chicago, requested_by_customer=True)

    assert (asked.action, asked.until) == ("send", None)
    assert asked.reason == "requested by the customer (newsletter)"


def test_mail_the_customer_asked_for_still_needs_consent_and_a_deliverable_address() -> None:
    pending = consent.change(Profile(email="s@example.com"), ["newsletter"], "pending", "signup")
    bounced = subscribed("newsletter").model_copy(update={"suppressed": "hard bounce"})

    for profile, reason in (
        (pending, "no consent for newsletter"),
        (bounced, "address suppressed"),
    ):
        decision = decide(profile, "newsletter", SETTINGS, NOON_CHICAGO, requested_by_customer=True)
        assert decision.action == "skip" and decision.reason.startswith(reason)
