"""List-Unsubscribe's mailto: mail to the unsubscribe address unsubscribes by its token."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from tailor import aws
from tailor_local.template import Template

from tests.helpers.events import EVENTS, url_request
from tests.helpers.mail import html_part, link_token
from tests.helpers.support_desk import compose, deliver_mail

UNSUBSCRIBE = "unsubscribe@shop.example.com"


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(
        parameters={"ReceivingDomain": "shop.example.com", "UnsubscribeAddress": UNSUBSCRIBE}
    )


@pytest.fixture
def welcomed(run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Susie confirmed the newsletter; her welcome's List-Unsubscribe mailto subject."""
    monkeypatch.setenv("TAILOR_NOW", "2026-11-20T12:00:00+00:00")
    signup = json.loads((EVENTS / "canonical" / "newsletter-signup-requested.json").read_text())
    run("NewsletterSignupFunction", signup)
    token = link_token(html_part(outbox.messages[-1]), "/subscribe?t=")
    run("PreferencesFunction", url_request("/subscribe", method="POST", form={"t": token}))
    subscribed = json.loads((EVENTS / "canonical" / "newsletter-subscribed.json").read_text())
    run("NewsletterWelcomeFunction", subscribed)
    header = outbox.messages[-1]["List-Unsubscribe"]
    mailto = next(part for part in header.split(",") if "mailto:" in part)
    url = urlsplit(mailto.strip(" <>"))
    assert unquote(url.path) == UNSUBSCRIBE
    return parse_qs(url.query)["subject"][0]


def newsletter_state() -> str:
    item = aws.table("ProfilesTable").get_item(Key={"email": "susie@example.com"})["Item"]
    return str(item["consent"]["newsletter"]["state"])


def test_mail_to_the_unsubscribe_address_unsubscribes_and_opens_no_ticket(
    run: Any, outbox: Any, welcomed: str
) -> None:
    sent = len(outbox.messages)
    raw = compose("", subject=welcomed)

    # The envelope recipient is what SES routes by (the To header may name anything).
    result = deliver_mail(run, raw, "unsub-1", recipients=(UNSUBSCRIBE,))

    assert result == {"status": "unsubscribed", "topics": ["newsletter"]}
    assert newsletter_state() == "unsubscribed"
    assert len(outbox.messages) == sent  # no acknowledgement, no ticket


def test_a_forged_unsubscribe_mail_changes_nothing(run: Any, outbox: Any, welcomed: str) -> None:
    raw = compose("", subject="unsubscribe forged.token")

    result = deliver_mail(run, raw, "unsub-2", recipients=(UNSUBSCRIBE,))

    assert result["status"] == "ignored"
    assert newsletter_state() == "subscribed"
