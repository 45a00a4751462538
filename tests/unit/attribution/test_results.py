"""Results per email type and language: sends, SES feedback counted once, clicks, orders,
revenue and the offer's take-up, as `tailor report --json` shows them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from tailor.attribution.report import report
from tailor.attribution.store import Results

from tests.helpers.aftercare import subscribe
from tests.helpers.events import load_event, url_request
from tests.helpers.mail import Outbox, html_part, links_in

KEYS = {
    "sent",
    "delivered",
    "bounced",
    "complained",
    "unsubscribed",
    "clicked",
    "orders",
    "revenue",
    "by_language",
}


def ses_event(detail_type: str, event_id: str, email_type: str, lang: str) -> dict[str, Any]:
    """An SES event as its configuration set's EventBridge destination publishes it."""
    kinds = {
        "Email Delivered": ("delivery", {"recipients": ["alex.rivera@example.com"]}),
        "Email Bounced": (
            "bounce",
            {
                "bounceType": "Transient",
                "bouncedRecipients": [{"emailAddress": "alex.rivera@example.com"}],
            },
        ),
        "Email Complaint Received": (
            "complaint",
            {"complainedRecipients": [{"emailAddress": "alex.rivera@example.com"}]},
        ),
    }
    key, body = kinds[detail_type]
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": "aws.ses",
        "time": "2026-11-25T18:01:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventType": key.capitalize(),
            "mail": {
                "messageId": "0100018f-ses-id",
                "tags": {"email_type": [email_type], "lang": [lang], "stream": ["transactional"]},
            },
            key: body,
        },
    }


def the_report(cloud: Any) -> dict[str, Any]:
    return report(Results(cloud.physical_name("ResultsTable")), "USD")


def test_the_report_is_keyed_by_email_type_with_every_count(
    run: Any, outbox: Outbox, cloud: Any
) -> None:
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))

    found = the_report(cloud)

    assert set(found) >= {"order_confirmation", "shipping_confirmation", "review_request"}
    for entry in found.values():
        assert set(entry) >= KEYS
    confirmation = found["order_confirmation"]
    assert confirmation["sent"] == 1
    assert confirmation["by_language"]["en"]["sent"] == 1
    assert set(confirmation["offer"]) == {"shown", "taken", "take_up"}


def test_ses_feedback_is_counted_once_per_event_under_its_type_and_language(
    run: Any, cloud: Any
) -> None:
    delivered = ses_event("Email Delivered", "e-1", "shipping_confirmation", "de")
    run("SesFeedbackFunction", delivered)
    run("SesFeedbackFunction", delivered)  # EventBridge delivers at least once
    run("SesFeedbackFunction", ses_event("Email Bounced", "e-2", "shipping_confirmation", "de"))
    run(
        "SesFeedbackFunction",
        ses_event("Email Complaint Received", "e-3", "shipping_confirmation", "de"),
    )

    entry = the_report(cloud)["shipping_confirmation"]

    assert (entry["delivered"], entry["bounced"], entry["complained"]) == (1, 1, 1)
    assert entry["by_language"]["de"]["delivered"] == 1


def test_an_unsubscribe_counts_once_under_the_email_it_came_from(
    run: Any, outbox: Outbox, cloud: Any
) -> None:
    subscribe("susie@example.com")
    run("NewsletterWelcomeFunction", load_event("canonical/newsletter-subscribed.json"))
    message = outbox.only()
    header = str(message["List-Unsubscribe"])
    one_click = header[header.index("<") + 1 : header.index(">")]
    # The unsubscribe and preference links are not sent through the click redirect.
    assert "ClickRedirectFunction" not in header
    assert "PreferencesFunction" in one_click
    links = links_in(html_part(message))
    assert any("/PreferencesFunction/preferences?t=" in link for link in links)
    token = parse_qs(urlsplit(one_click).query)["t"][0]
    post = url_request("/unsubscribe", method="POST", form={"t": token})

    run("PreferencesFunction", post)
    run("PreferencesFunction", post)  # pressed twice: unsubscribed once

    entry = the_report(cloud)["newsletter_welcome"]
    assert entry["unsubscribed"] == 1 and entry["by_language"]["en"]["unsubscribed"] == 1
    assert entry["sent"] == 1
