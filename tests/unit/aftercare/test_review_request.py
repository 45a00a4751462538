"""Review requests: a week after delivery, for what was kept and not yet reviewed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from tailor import aws, clock, consent
from tailor.aftercare.reviews import verify_review_token
from tailor.links import ExpiredToken, InvalidToken, signer_from_secret
from tailor.profiles import Profiles

from tests.helpers.aftercare import (
    ALEX,
    DEFERRED_GROUP,
    REVIEW_FORM,
    at,
    fire,
    load_catalog,
    only_schedule,
    place_order,
    subscribe,
    target_input,
)
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part

SHOE, SOCK = "8123456789012", "8123456789555"


@pytest.fixture
def delivered(run: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Alex's order #1001: the shoe shipped and delivered; Alex reads the newsletter."""
    at("2026-11-23T19:00:00+00:00", monkeypatch)
    load_catalog(run)
    place_order(run)
    subscribe(ALEX)
    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    run("DeliveryUpdateFunction", load_event("shopify/fulfillment-events-create-delivered.json"))
    return run


def review_links(html: str) -> list[str]:
    return [
        part.split('"', 1)[0].replace("&amp;", "&")
        for part in html.split('href="')[1:]
        if part.startswith(REVIEW_FORM)
    ]


def test_a_week_after_delivery_alex_is_asked_about_the_shoe(
    delivered: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = fire(delivered, only_schedule(kind="review-"), monkeypatch)

    assert result["status"] == "sent"
    message = outbox.messages[-1]
    assert message["Subject"] == "How is the Classic Oxford working out?"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "PreferencesFunction/unsubscribe?t=" in message["List-Unsubscribe"]
    html, text = html_part(message), text_part(message)
    assert "How is it working out, Alex?" in text
    assert "Your order #1001 arrived on November 23, 2026." in text
    assert "Classic Oxford" in text and "Write a review:" in text and "Merino" not in text
    assert 'src="https://cdn.shopify.com/' in html  # the product's picture from the catalog
    (link,) = review_links(html)
    query = parse_qs(urlparse(link).query)
    assert query["product"] == [SHOE] and query["order"] == ["6283749150321"]
    claim = verify_review_token(query["t"][0], signer_from_secret("LinkSigningSecret"))
    assert (claim.order_id, claim.product_id, claim.email) == ("6283749150321", SHOE, ALEX)


def test_review_links_are_signed_for_their_purpose_and_expire() -> None:
    from tailor.links import Signer

    signer = Signer(b"k" * 32)
    token = signer.sign("review", {"o": "1", "p": "2", "e": "a@b.c"}, expires_at=clock.now())
    with pytest.raises(ExpiredToken):
        verify_review_token(token, signer)
    with pytest.raises(InvalidToken):
        verify_review_token(signer.sign("offer", {"o": "1", "p": "2", "e": "a@b.c"}), signer)


def test_products_delivered_later_are_asked_about_too(
    delivered: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    socks_delivered = load_event("shopify/fulfillment-events-create-delivered.json")
    socks_delivered["detail"]["payload"].update(id=4412345670000, fulfillment_id=5512345679234)
    delivered("ShippingConfirmationFunction", load_event("shopify/fulfillments-update.json"))
    delivered("DeliveryUpdateFunction", socks_delivered)

    fire(delivered, only_schedule(kind="review-"), monkeypatch)  # still one request for the order

    message = outbox.messages[-1]
    assert message["Subject"] == "How is your order #1001 working out?"
    assert {urlparse(u).query.split("&")[0] for u in review_links(html_part(message))} == {
        f"product={SHOE}",
        f"product={SOCK}",
    }


def test_a_returned_product_is_not_asked_about(
    delivered: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered("RefundIssuedFunction", load_event("shopify/refunds-create.json"))  # the shoe
    sent = len(outbox.messages)

    result = fire(delivered, only_schedule(kind="review-"), monkeypatch)

    assert result == {
        "status": "skipped",
        "email_type": "review_request",
        "reason": "everything in the order was reviewed or refunded",
    }
    assert len(outbox.messages) == sent


def test_a_fully_refunded_order_is_not_asked_about(
    delivered: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = load_event("shopify/refunds-create.json")
    everything["detail"]["payload"]["transactions"][0]["amount"] = "238.16"
    everything["detail"]["payload"]["refund_line_items"] = []
    delivered("RefundIssuedFunction", everything)

    assert fire(delivered, only_schedule(kind="review-"), monkeypatch)["reason"] == "order refunded"


def test_an_order_cancelled_meanwhile_is_not_asked_about(
    delivered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cancelled = load_event("shopify/orders-cancelled.json")
    cancelled["detail"]["payload"].update(id=6283749150321, name="#1001", email=ALEX)
    delivered("OrderCancelledFunction", cancelled)

    assert (
        fire(delivered, only_schedule(kind="review-"), monkeypatch)["reason"] == "order cancelled"
    )


def test_an_already_reviewed_product_is_not_asked_about(
    delivered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = load_event("canonical/review-submitted.json")
    review["detail"].update(email="Alex.Rivera@example.com", product_id=SHOE)
    assert delivered("ReviewRecorderFunction", review)["recorded"] is True

    result = fire(delivered, only_schedule(kind="review-"), monkeypatch)

    assert result["reason"] == "everything in the order was reviewed or refunded"


def test_a_deleted_customer_is_not_written_to(
    delivered: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.table("ProfilesTable").delete_item(Key={"email": ALEX})
    sent = len(outbox.messages)

    result = fire(delivered, only_schedule(kind="review-"), monkeypatch)

    assert result["reason"] == "no profile: the customer was deleted or never known"
    assert len(outbox.messages) == sent


def test_no_review_request_without_consent_for_the_topic(
    delivered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    Profiles("ProfilesTable").update(
        ALEX, lambda p: consent.change(p, [consent.REVIEW_REQUESTS], "unsubscribed", "request")
    )

    result = fire(delivered, only_schedule(kind="review-"), monkeypatch)

    assert result["reason"] == "no consent for review_requests"


def test_a_request_falling_in_quiet_hours_waits_for_the_morning(
    delivered: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule = only_schedule(kind="review-")
    at("2026-12-01T03:30:00+00:00", monkeypatch)  # 22:30 in New York
    sent = len(outbox.messages)

    result = delivered("ReviewRequestFunction", target_input(schedule))

    assert result["status"] == "deferred" and result["reason"] == "quiet hours"
    assert len(outbox.messages) == sent
    retry = only_schedule(DEFERRED_GROUP)
    assert retry["Target"]["Arn"].endswith(":function:ReviewRequestFunction")
    assert retry["ScheduleExpression"] == "at(2026-12-01T13:00:00)"  # 08:00 in New York
    # When the deferral fires, it sends (the deferral was not recorded as done).
    assert fire(delivered, retry, monkeypatch)["status"] == "sent"


def test_canonical_review_due_for_a_product_missing_from_the_catalog(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at("2026-12-01T15:00:00+00:00", monkeypatch)
    run("PurchaseHistoryFunction", load_event("canonical/order-placed.json"))
    subscribe("susie@example.com", consent.REVIEW_REQUESTS)

    result = run("ReviewRequestFunction", load_event("canonical/review-due.json"))

    assert result["status"] == "sent"
    text = text_part(outbox.only())
    assert "Classic Oxford" in text and "Write a review:" in text
    assert "How is it working out, Susie?" in text


def test_the_review_is_scheduled_at_ten_in_the_customers_own_zone(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at("2026-11-23T19:00:00+00:00", monkeypatch)
    place_order(run)
    Profiles("ProfilesTable").update(
        ALEX, lambda p: p.model_copy(update={"time_zone": "Asia/Tokyo"})
    )

    run("DeliveryUpdateFunction", load_event("shopify/fulfillment-events-create-delivered.json"))

    # Delivered 2026-11-24 03:47 in Tokyo: a week later, 10:00 there is 01:00 UTC.
    expression = only_schedule(kind="review-")["ScheduleExpression"]
    assert expression == "at(2026-12-01T01:00:00)"
    assert datetime(2026, 12, 1, 1, tzinfo=UTC) - datetime(
        2026, 11, 23, 18, 47, tzinfo=UTC
    ) > timedelta(days=7)
