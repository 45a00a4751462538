"""Refer a friend: the friend gets one invitation, with the referrer's words as plain text."""

from __future__ import annotations

import json
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

import pytest
from tailor import aws
from tailor.profiles import Profile
from tailor_local.cloud import EphemeralCloud
from tailor_local.runner import Report, Runner
from tailor_local.state import Journal, State
from tailor_local.template import REPO_ROOT, Template

OFFER = "15%"
SAMPLE = REPO_ROOT / "events" / "canonical" / "referral-invitation-requested.json"


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(parameters={"ReferralOffer": OFFER, "ShopName": "Oklahoma Outfitters"})


def invitation(**detail: Any) -> dict[str, Any]:
    """The sample ReferralInvitationRequested with these fields of its detail changed."""
    event: dict[str, Any] = json.loads(SAMPLE.read_text())
    event["detail"].update(detail)
    return event


def deliver(cloud: Template, event: dict[str, Any]) -> Report:
    """Through the template's own rules, as EventBridge would."""
    runner = Runner(cloud, EphemeralCloud(cloud, State(), Journal(None)))
    report = runner.deliver(event)
    assert report.ok, report.failures
    return report


class Page(HTMLParser):
    """An email's HTML as a reader sees it: its text, tags and links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text, self.tags, self.links = "", set[str](), set[str]()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.links |= {value or "" for key, value in attrs if key == "href"}

    def handle_data(self, data: str) -> None:
        self.text += data


def part(message: EmailMessage, kind: str) -> str:
    body = message.get_body(preferencelist=(kind,))
    assert body is not None, f"no text/{kind} part"
    return str(body.get_content())


def test_the_friend_gets_the_invitation_with_the_referrers_name_as_plain_text(
    cloud: Template, outbox: Any
) -> None:
    name = 'Alex <b>"the shoe guy"</b> & co'
    note = "<script>alert(1)</script> Try the Oxfords!\n<a href='https://evil.example'>x</a>"

    deliver(cloud, invitation(referrer_name=name, note=note))

    message = outbox.only()
    assert message["To"] == "dana@example.net"
    assert message["Subject"] == f"{name} invited you"
    html, text = part(message, "html"), part(message, "plain")
    page = Page(html)
    assert f"{name} thinks you'll like Oklahoma Outfitters" in page.text
    assert f"“{note}”" in page.text.replace("\r\n", "\n")
    assert {"b", "script"} & page.tags == set()
    assert "https://evil.example" not in page.links
    assert f"{name} thinks you'll like" in text
    assert "15% off your first order, with the code below" in text
    # Sent at the customer's request to someone who never signed up: no marketing headers.
    assert message["List-Unsubscribe"] is None


def test_a_redelivered_request_invites_once(cloud: Template, outbox: Any) -> None:
    event = invitation()

    deliver(cloud, event)
    deliver(cloud, event)

    assert len(outbox.messages) == 1


def test_a_customer_cannot_invite_themselves(cloud: Template, outbox: Any) -> None:
    report = deliver(cloud, invitation(friend_email="Susie@Example.com"))

    assert outbox.messages == []
    [sent] = [i.outcome.result for i in report.invocations]
    assert sent["reason"] == "a customer cannot refer themselves"


def test_a_suppressed_friend_is_not_written_to(cloud: Template, outbox: Any) -> None:
    suppressed = Profile(email="dana@example.net", suppressed="hard bounce")
    aws.table(cloud.physical_name("ProfilesTable")).put_item(
        Item=suppressed.model_dump(mode="json", exclude_none=True)
    )

    deliver(cloud, invitation())

    assert outbox.messages == []


def test_a_name_with_a_line_break_is_refused_naming_the_field(cloud: Template) -> None:
    runner = Runner(cloud, EphemeralCloud(cloud, State(), Journal(None)))

    report = runner.deliver(invitation(referrer_name="Alex\r\nBcc: everyone@example.com"))

    assert not report.ok
    assert "referrer_name" in " ".join(report.failures)


@pytest.mark.parametrize(
    ("locale", "worded"),
    [
        ("en-US", "As a welcome to new customers: 15% off your first order, with the code below."),
        ("de-DE", "Kunden: 15\xa0% Rabatt auf Ihre erste Bestellung, mit dem Code unten."),
        ("ja-JP", "初めてのお客様への特典：下記のコードで初回のご注文に使える15%割引。"),
    ],
)
def test_the_offer_is_worded_in_the_friends_language(
    cloud: Template, outbox: Any, locale: str, worded: str
) -> None:
    deliver(cloud, invitation(locale=locale))

    message = outbox.only()
    text = " ".join(part(message, "plain").split())
    html = " ".join(Page(part(message, "html")).text.split())
    assert worded.replace("\xa0", " ") in text and worded.replace("\xa0", " ") in html
    if not locale.startswith("en"):
        assert "first order" not in text and "first order" not in html
