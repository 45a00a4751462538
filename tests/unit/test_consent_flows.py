"""Consent end to end: double opt-in, preference page, one-click unsubscribe, SES feedback."""

from __future__ import annotations

from typing import Any

import pytest
from tailor import aws, clock
from tailor.consent import TOPICS as CONSENT_TOPICS

from tests.helpers.events import load_event, url_request
from tests.helpers.mail import html_part, link_token

MIDDAY = "2026-11-20T12:00:00+00:00"  # the local template's shop zone is UTC
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058 body


@pytest.fixture(autouse=True)
def daytime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAILOR_NOW", MIDDAY)


def profile_item(email: str = "susie@example.com") -> dict[str, Any]:
    item = aws.table("ProfilesTable").get_item(Key={"email": email}).get("Item")
    assert item is not None
    return item


def newsletter_state(email: str = "susie@example.com") -> str:
    return str(profile_item(email)["consent"]["newsletter"]["state"])


def ledger(email: str = "susie@example.com") -> list[tuple[str, str, str]]:
    items = aws.table("ConsentLedgerTable").query(
        KeyConditionExpression="email = :e", ExpressionAttributeValues={":e": email}
    )["Items"]
    return [(i["topic"], i["state"], i["source"]) for i in items]


def subscribed_event() -> dict[str, Any]:
    event = load_event("canonical/newsletter-subscribed.json")
    event["detail"]["subscribed_at"] = MIDDAY
    return event


def confirm_newsletter(run: Any, outbox: Any) -> None:
    run("NewsletterSignupFunction", load_event("canonical/newsletter-signup-requested.json"))
    token = link_token(html_part(outbox.messages[-1]), "/subscribe?t=")
    page = run("PreferencesFunction", url_request("/subscribe", {"t": token}))
    assert page["statusCode"] == 200 and "Yes, subscribe me" in page["body"]
    done = run("PreferencesFunction", url_request("/subscribe", method="POST", form={"t": token}))
    assert done["statusCode"] == 200 and "subscribed" in done["body"]


def test_signup_sends_a_confirmation_and_stays_pending_until_confirmed(
    run: Any, outbox: Any
) -> None:
    run("NewsletterSignupFunction", load_event("canonical/newsletter-signup-requested.json"))

    message = outbox.only()
    assert "confirm" in message["Subject"].lower()
    assert message["List-Unsubscribe"] is None  # a requested confirmation is not marketing
    assert newsletter_state() == "pending"
    # An unconfirmed signup never receives marketing, not even the welcome.
    result = run("NewsletterWelcomeFunction", subscribed_event())
    assert result == {
        "status": "skipped",
        "email_type": "newsletter_welcome",
        "reason": "no consent for newsletter",
    }
    assert len(outbox.messages) == 1


def test_confirming_subscribes_with_a_confirmed_opt_in_and_welcomes(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)

    assert newsletter_state() == "subscribed"
    assert profile_item()["consent"]["newsletter"]["opt_in_level"] == "confirmed_opt_in"
    assert ("newsletter", "subscribed", "double_opt_in") in ledger()
    assert ("newsletter", "pending", "signup") in ledger()

    run("NewsletterWelcomeFunction", subscribed_event())
    welcome = outbox.messages[-1]
    assert "Welcome" in welcome["Subject"]
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = welcome["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:3000/PreferencesFunction/unsubscribe?t=")
    html = html_part(welcome)
    assert "Email preferences" in html and "Unsubscribe" in html


def test_one_click_unsubscribe_works_without_a_page(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)
    run("NewsletterWelcomeFunction", subscribed_event())
    header = outbox.messages[-1]["List-Unsubscribe"]
    url = header.split(",")[0].strip("<> ")
    token = url.split("t=", 1)[1]

    response = run(
        "PreferencesFunction",
        url_request("/unsubscribe", {"t": token}, method="POST", body="List-Unsubscribe=One-Click"),
    )

    assert response["statusCode"] == 200
    assert newsletter_state() == "unsubscribed"
    assert ("newsletter", "unsubscribed", "unsubscribe_header") in ledger()


def one_click_token(outbox: Any) -> str:
    """The token of the last email's List-Unsubscribe URL."""
    header = outbox.messages[-1]["List-Unsubscribe"]
    return str(header.split(",")[0].strip("<> ").split("t=", 1)[1])


def resubscribe_form(token: str) -> dict[str, Any]:
    return url_request(
        "/preferences",
        method="POST",
        form={"t": token, "topic": list(CONSENT_TOPICS), "action": "save"},
    )


def test_a_one_click_unsubscribe_token_can_never_subscribe(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)
    run("NewsletterWelcomeFunction", subscribed_event())
    token = one_click_token(outbox)
    one_click = url_request("/unsubscribe", {"t": token}, method="POST", body=ONE_CLICK)
    run("PreferencesFunction", one_click)
    recorded = ledger()

    for request in (resubscribe_form(token), url_request("/preferences", {"t": token})):
        response = run("PreferencesFunction", request)
        assert response["statusCode"] == 403
        assert "This link can only unsubscribe" in response["body"]
        assert "Nothing was changed" in response["body"]
    assert newsletter_state() == "unsubscribed"
    assert ledger() == recorded
    # Nor does the unsubscribe page hand out a link that could.
    page = run("PreferencesFunction", url_request("/unsubscribe", {"t": token}))
    assert "preferences?t=" not in page["body"]


def test_unsubscribe_links_already_sent_keep_unsubscribing_and_only_that(
    run: Any, outbox: Any
) -> None:
    from tailor.links import PREFERENCES_PURPOSE, signer_from_secret

    confirm_newsletter(run, outbox)
    # One-click tokens used to be signed for the preference page, naming their topic.
    sent = signer_from_secret("LinkSigningSecret").sign(
        PREFERENCES_PURPOSE, {"e": "susie@example.com", "t": "newsletter"}
    )

    assert run("PreferencesFunction", resubscribe_form(sent))["statusCode"] == 403
    one_click = url_request("/unsubscribe", {"t": sent}, method="POST", body=ONE_CLICK)
    assert run("PreferencesFunction", one_click)["statusCode"] == 200
    assert newsletter_state() == "unsubscribed"
    assert run("PreferencesFunction", resubscribe_form(sent))["statusCode"] == 403
    assert newsletter_state() == "unsubscribed"


def test_a_link_scanner_opening_the_unsubscribe_url_changes_nothing(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)
    run("NewsletterWelcomeFunction", subscribed_event())
    token = link_token(html_part(outbox.messages[-1]), "/unsubscribe?t=")

    page = run("PreferencesFunction", url_request("/unsubscribe", {"t": token}))

    assert page["statusCode"] == 200 and "<form" in page["body"]
    assert newsletter_state() == "subscribed"


def test_preference_page_shows_and_saves_topics(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)
    run("NewsletterWelcomeFunction", subscribed_event())
    token = link_token(html_part(outbox.messages[-1]), "/preferences?t=")

    page = run("PreferencesFunction", url_request("/preferences", {"t": token}))
    assert page["statusCode"] == 200
    assert 'value="newsletter" checked' in page["body"]
    assert 'value="price_drops" checked' in page["body"]  # covered by the newsletter opt-in

    saved = run(
        "PreferencesFunction",
        url_request(
            "/preferences",
            method="POST",
            form={"t": token, "topic": ["back_in_stock", "replenishment"], "action": "save"},
        ),
    )
    assert saved["statusCode"] == 200 and "Saved." in saved["body"]
    consent = profile_item()["consent"]
    assert consent["newsletter"]["state"] == "unsubscribed"
    assert consent["back_in_stock"]["state"] == "subscribed"
    assert consent["price_drops"]["state"] == "unsubscribed"
    # What the page changed decides what arrives next: no more newsletter mail.
    sent = len(outbox.messages)
    later = subscribed_event()
    later["detail"]["email"] = "Susie@Example.com"  # another delivery, same customer
    run("NewsletterWelcomeFunction", later)
    assert len(outbox.messages) == sent


def test_unsubscribe_from_all(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)
    run("NewsletterWelcomeFunction", subscribed_event())
    token = link_token(html_part(outbox.messages[-1]), "/preferences?t=")

    run(
        "PreferencesFunction",
        url_request("/preferences", method="POST", form={"t": token, "action": "unsubscribe_all"}),
    )

    states = {topic: c["state"] for topic, c in profile_item()["consent"].items()}
    assert set(states.values()) == {"unsubscribed"} and len(states) == 7


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "eyJlIjoic3VzaWVAZXhhbXBsZS5jb20ifQ.forged-signature",
        "%%%.%%%",
        "x" * 5000,
    ],
)
def test_forged_tokens_change_nothing(run: Any, outbox: Any, token: str) -> None:
    confirm_newsletter(run, outbox)

    for request in (
        url_request("/preferences", {"t": token}),
        url_request("/unsubscribe", {"t": token}, method="POST", body="List-Unsubscribe=One-Click"),
        url_request("/preferences", method="POST", form={"t": token, "action": "unsubscribe_all"}),
    ):
        response = run("PreferencesFunction", request)
        assert response["statusCode"] == 400
        assert "This link is not valid" in response["body"]
    assert newsletter_state() == "subscribed"


def test_a_token_for_one_purpose_does_not_open_another(run: Any, outbox: Any) -> None:
    run("NewsletterSignupFunction", load_event("canonical/newsletter-signup-requested.json"))
    opt_in = link_token(html_part(outbox.only()), "/subscribe?t=")

    response = run(
        "PreferencesFunction",
        url_request("/preferences", method="POST", form={"t": opt_in, "action": "unsubscribe_all"}),
    )

    assert response["statusCode"] == 400


def test_requests_the_page_does_not_serve(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)
    token = link_token(html_part(outbox.messages[0]), "/subscribe?t=")

    assert run("PreferencesFunction", url_request("/admin", {"t": token}))["statusCode"] == 404
    assert (
        run("PreferencesFunction", url_request("/preferences", method="PUT"))["statusCode"] == 405
    )
    missing_body = url_request("/preferences", method="POST")
    assert run("PreferencesFunction", missing_body)["statusCode"] == 400


def test_an_unknown_topic_in_the_form_changes_nothing(run: Any, outbox: Any) -> None:
    confirm_newsletter(run, outbox)
    run("NewsletterWelcomeFunction", subscribed_event())
    token = link_token(html_part(outbox.messages[-1]), "/preferences?t=")

    response = run(
        "PreferencesFunction",
        url_request("/preferences", method="POST", form={"t": token, "topic": ["spam"]}),
    )

    assert response["statusCode"] == 400
    assert newsletter_state() == "subscribed"


def test_complaint_suppresses_and_stops_all_marketing_but_keeps_history(
    run: Any, outbox: Any
) -> None:
    confirm_newsletter(run, outbox)

    run("SesFeedbackFunction", load_event("ses/complaint.json"))

    item = profile_item()
    assert item["suppressed"] == "complaint"
    assert {c["state"] for c in item["consent"].values()} == {"unsubscribed"}
    assert ("newsletter", "unsubscribed", "complaint") in ledger()
    assert run("NewsletterWelcomeFunction", subscribed_event())["status"] == "skipped"


def test_hard_bounce_suppresses_even_transactional_mail(run: Any, outbox: Any) -> None:
    run("SesFeedbackFunction", load_event("ses/bounce-permanent.json"))

    result = run("OrderConfirmationFunction", load_event("canonical/order-placed.json"))

    assert result["reason"] == "address suppressed (hard_bounce)"
    assert outbox.messages == []


def test_soft_bounces_suppress_only_after_repeated_failures(run: Any) -> None:
    for attempt in range(3):
        event = load_event("ses/bounce-transient.json")
        event["detail"]["mail"]["messageId"] = f"message-{attempt}"
        run("SesFeedbackFunction", event)
        run("SesFeedbackFunction", event)  # duplicates count once
        expected = "soft_bounces" if attempt == 2 else None
        assert profile_item().get("suppressed") == expected


def test_delivery_resets_the_soft_bounce_count(run: Any) -> None:
    run("SesFeedbackFunction", load_event("ses/bounce-transient.json"))
    run("SesFeedbackFunction", load_event("ses/delivery.json"))

    assert profile_item()["soft_bounces"] == 0


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        (lambda e: e.update({"detail-type": "Email Opened"}), "ignored"),
        (lambda e: e["detail"].pop("bounce"), "missing"),
        (lambda e: e["detail"]["mail"].pop("messageId"), "missing"),
    ],
)
def test_odd_ses_events_are_ignored_or_refused_clearly(run: Any, change: Any, outcome: str) -> None:
    from tailor.events.inbound import InvalidEvent

    event = load_event("ses/bounce-permanent.json")
    change(event)
    if outcome == "ignored":
        assert run("SesFeedbackFunction", event) == {"ignored": "Email Opened"}
    else:
        with pytest.raises(InvalidEvent, match="missing"):
            run("SesFeedbackFunction", event)


@pytest.mark.parametrize("night", ["2026-11-21T23:30:00+00:00", "2026-11-22T03:00:00+00:00"])
def test_the_welcome_the_customer_just_confirmed_goes_out_at_once_even_at_night(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, night: str
) -> None:
    monkeypatch.setenv("TAILOR_NOW", night)  # quiet hours in the shop's zone (UTC)
    confirm_newsletter(run, outbox)  # the confirmation, then the click on "confirm"
    sent_before = len(outbox.messages)

    result = run("NewsletterWelcomeFunction", subscribed_event())

    assert result["status"] == "sent"
    assert len(outbox.messages) == sent_before + 1
    assert "List-Unsubscribe" in outbox.messages[-1]  # still marketing, with its headers
    schedules = aws.client("scheduler").list_schedules(GroupName="tailor-local-deferred")
    assert schedules["Schedules"] == []


def test_invite_in_the_order_confirmation_only_for_the_undecided(run: Any, outbox: Any) -> None:
    order = load_event("canonical/order-placed.json")
    order["detail"]["placed_at"] = clock.now().isoformat()
    run("OrderConfirmationFunction", order)
    invite = html_part(outbox.messages[-1])
    assert "Sign up for our occasional newsletter" in invite

    confirm_newsletter(run, outbox)
    second = load_event("canonical/order-placed.json")
    second["detail"]["order_id"] = "7002"
    run("OrderConfirmationFunction", second)
    assert "Sign up for our occasional newsletter" not in html_part(outbox.messages[-1])
