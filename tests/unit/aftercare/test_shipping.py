"""Shipping confirmations: one per shipment and tracking number, with what a customer needs."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from tailor.aftercare import coupons, tracking
from tailor.events.fulfillment import Tracking
from tailor.links import Signer
from tailor.links import signer_from_secret as real_signer

from tests.helpers.aftercare import ALEX, place_order, remember_test_order, shipped
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part

CODE = re.compile(r"THANKS-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")


def signer() -> Signer:
    return real_signer("LinkSigningSecret")


def test_first_shipment_of_an_order_says_what_is_in_it_and_what_is_still_to_come(
    run: Any, outbox: Any
) -> None:
    place_order(run)

    result = run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    assert result["status"] == "sent"
    message = outbox.only()
    assert message["To"].addresses[0].addr_spec == ALEX
    assert message["Subject"] == "Part of order #1001 is on its way"
    assert message["List-Unsubscribe"] is None  # transactional
    html, text = html_part(message), text_part(message)
    assert "UPS tracking number: 1Z9R5W900312345678" in text
    # The shop's own tracking URL wins over the carrier pattern.
    assert (
        'href="https://www.ups.com/WebTracking?loc=en_US&amp;requester=ST&amp;trackNums=1Z9R5W900312345678"'
        in html
    )
    in_parcel, still_to_come = text.split("Still to come")
    assert "Classic Oxford" in in_parcel and "Merino Dress Sock" not in in_parcel
    assert "2 \u00d7 Merino Dress Sock" in still_to_come.split("Our promise")[0]
    assert "return or exchange anything within 30 days of delivery" in text
    assert "Shipping to\r\nAlex Rivera\r\nNew York\r\nUnited States" in text


def test_come_back_code_is_the_orders_own_verifiable_code_with_its_expiry(
    run: Any, outbox: Any
) -> None:
    place_order(run)  # placed 2026-11-20: the code runs 60 days from then

    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    text = text_part(outbox.only())
    code = CODE.search(text)
    assert code is not None
    assert "10% off your next order with this code, valid until January 19, 2027:" in text
    assert f"\r\n{code.group()}\r\n" in text  # the expiry in the shop's zone (New York)
    assert code.group() == coupons.coupon_code("6283749150321", signer())
    assert coupons.verify_coupon(code.group().lower().replace("-", " "), "6283749150321", signer())
    assert not coupons.verify_coupon(code.group(), "6283749248625", signer())


@pytest.mark.parametrize(
    ("lang", "worded"),
    [
        ("en", "10% off your next order with this code, valid until January 19, 2027:"),
        ("de", "10 % Rabatt auf Ihre nächste Bestellung mit diesem Code, gültig bis 19. Januar"),
        ("ja", "次回のご注文に使える10%割引：以下のコードをご利用ください\uff082027年1月19日まで"),
    ],
)
def test_the_come_back_offer_is_worded_in_the_customers_language(
    run: Any, outbox: Any, lang: str, worded: str
) -> None:
    order = load_event("shopify/orders-create.json")
    order["detail"]["payload"]["customer_locale"] = lang
    run("PurchaseHistoryFunction", order)
    run("AftercareRecorderFunction", order)

    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    message = outbox.only()
    for part in (text_part(message), html.unescape(html_part(message))):
        flat = " ".join(part.split())
        assert " ".join(worded.split()) in flat
        if lang != "en":
            assert "next order" not in flat


def test_each_shipment_gets_its_own_email_and_the_same_code(run: Any, outbox: Any) -> None:
    place_order(run)

    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-update.json"))

    first, second = outbox.messages
    assert "Part of order" in first["Subject"]
    # The socks' shipment was never announced: a full confirmation, the order now complete.
    assert second["Subject"] == "Order #1001 is on its way"
    text = text_part(second)
    assert "Still to come" not in text
    assert "USPS tracking number: 9400111899223397886543" in text  # spaces stripped
    assert (
        'href="https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223397886543"'
        in html_part(second)
    )
    codes = {CODE.search(text_part(m)).group() for m in outbox.messages}  # type: ignore[union-attr]
    assert len(codes) == 1


def test_a_repeated_delivery_of_the_webhook_sends_nothing_twice(run: Any, outbox: Any) -> None:
    place_order(run)
    event = load_event("shopify/fulfillments-create.json")
    again = load_event("shopify/fulfillments-create.json")
    again["id"] = "another-eventbridge-id"

    run("ShippingConfirmationFunction", event)
    run("ShippingConfirmationFunction", again)

    assert len(outbox.messages) == 1


def test_tracking_added_later_gets_one_more_email_and_an_empty_update_none(
    run: Any, outbox: Any
) -> None:
    place_order(run)
    untracked = shipped(
        tracking_company=None,
        tracking_number=None,
        tracking_numbers=[],
        tracking_url=None,
        tracking_urls=[],
    )
    untracked["detail"]["metadata"]["X-Shopify-Topic"] = "fulfillments/create"
    run("ShippingConfirmationFunction", untracked)
    assert "send you the tracking number as soon as" in text_part(outbox.messages[0])

    nothing_new = shipped(tracking_number=None, tracking_numbers=[], shipment_status="confirmed")
    nothing_new["detail"]["metadata"]["X-Shopify-Topic"] = "fulfillments/update"
    run("ShippingConfirmationFunction", nothing_new)
    assert len(outbox.messages) == 1

    with_tracking = shipped(tracking_number="1Z 9R5W 9003 1234 5678")
    with_tracking["detail"]["metadata"]["X-Shopify-Topic"] = "fulfillments/update"
    run("ShippingConfirmationFunction", with_tracking)
    same_again = shipped(tracking_numbers=["1Z9R5W900312345678"])
    same_again["detail"]["metadata"]["X-Shopify-Topic"] = "fulfillments/update"
    same_again["id"] = "update-repeating-the-number"
    run("ShippingConfirmationFunction", same_again)

    assert len(outbox.messages) == 2
    update = outbox.messages[1]
    assert update["Subject"] == "Tracking for order #1001"
    assert "Your tracking number is here" in text_part(update)


def test_shipment_for_an_order_we_never_saw_is_sent_with_what_the_event_carries(
    run: Any, outbox: Any
) -> None:
    result = run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    assert result["status"] == "sent"
    message = outbox.only()
    assert message["Subject"] == "Order #1001 is on its way"
    text = text_part(message)
    assert "Classic Oxford" in text and "Still to come" not in text
    assert "Merino" not in text  # nothing invented from elsewhere


def test_canonical_shipment_links_an_unlinked_carrier_number_and_shows_the_estimate(
    run: Any, outbox: Any
) -> None:
    run("ShippingConfirmationFunction", load_event("canonical/order-shipped.json"))

    message = outbox.only()
    html, text = html_part(message), text_part(message)
    assert "FedEx tracking number: 794612345678" in text
    assert 'href="https://www.fedex.com/fedextrack/?trknbr=794612345678"' in html
    assert "Expected delivery: November 24, 2026" in text
    assert "Your order is on its way, Susie!" in text


def test_unknown_carrier_shows_the_number_without_a_guessed_link(
    run: Any, outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    event = shipped(
        tracking_company="Speedy Parcels",
        tracking_number="SP 123 456",
        tracking_numbers=["SP 123 456"],
        tracking_url="javascript:alert(1)",
        tracking_urls=["javascript:alert(1)"],
    )

    run("ShippingConfirmationFunction", event)

    html, text = html_part(outbox.only()), text_part(outbox.only())
    assert "Speedy Parcels tracking number: SP123456" in text
    assert "Track your parcel" not in text and "javascript:" not in html
    assert "carrier without a tracking pattern" in caplog.text


def test_delivered_before_shipped_sends_no_shipping_confirmation(run: Any, outbox: Any) -> None:
    place_order(run)
    run("DeliveryUpdateFunction", load_event("shopify/fulfillment-events-create-delivered.json"))
    assert len(outbox.messages) == 1  # the delivery note

    late = run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    assert late["reason"] == "shipment already delivered"
    assert len(outbox.messages) == 1


@pytest.mark.parametrize("status", ["cancelled", "error", "failure"])
def test_failed_or_cancelled_shipments_send_nothing(run: Any, outbox: Any, status: str) -> None:
    result = run("ShippingConfirmationFunction", shipped(status=status))

    assert result["status"] == "skipped" and status in result["reason"]
    assert outbox.messages == []


def test_shipment_without_any_address_is_skipped(run: Any, outbox: Any) -> None:
    result = run("ShippingConfirmationFunction", shipped(email=None))

    assert result["reason"] == "no valid email address for this shipment"
    assert outbox.messages == []


@pytest.mark.parametrize(
    ("carrier", "expected"),
    [
        ("UPS", "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"),
        ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=1Z999AA10123456784"),
        ("FedEx", "https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456784"),
        (
            "DHL Express",
            "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
            "?submit=1&tracking-id=1Z999AA10123456784",
        ),
        (
            "Royal Mail",
            "https://www.royalmail.com/track-your-item#/tracking-results/1Z999AA10123456784",
        ),
        (
            "Canada Post",
            "https://www.canadapost-postescanada.ca/track-reperage/en#/search"
            "?searchFor=1Z999AA10123456784",
        ),
        ("Australia Post", "https://auspost.com.au/mypost/track/details/1Z999AA10123456784"),
        ("australia-post", "https://auspost.com.au/mypost/track/details/1Z999AA10123456784"),
        ("Other", None),
        ("Speedy Parcels", None),
        (None, None),
    ],
)
def test_carrier_tracking_links(carrier: str | None, expected: str | None) -> None:
    shipment = tracking.links(carrier, [Tracking(number="1Z 999 AA1 0123 4567 84")])

    assert shipment.links[0].number == "1Z999AA10123456784"
    assert shipment.links[0].url == expected


def test_coupon_codes_are_deterministic_distinct_and_unforgeable() -> None:
    key, other = Signer(b"k" * 32), Signer(b"o" * 32)

    code = coupons.coupon_code("1001", key)

    assert CODE.fullmatch(code)
    assert code == coupons.coupon_code("1001", key)
    assert code != coupons.coupon_code("1002", key)
    assert code != coupons.coupon_code("1001", other)
    assert coupons.verify_coupon(code, "1001", key)
    assert not coupons.verify_coupon(code, "1001", other)
    assert not coupons.verify_coupon("THANKS-AAAA-AAAA", "1001", key)


def test_a_huge_shipment_lists_the_first_lines_and_stays_unclipped(run: Any, outbox: Any) -> None:
    event = load_event("shopify/fulfillments-create.json")
    item = event["detail"]["payload"]["line_items"][0]
    event["detail"]["payload"]["line_items"] = [
        {**item, "id": item["id"] + n, "title": f"Classic Oxford no. {n}"} for n in range(120)
    ]

    run("ShippingConfirmationFunction", event)

    message = outbox.only()
    html, text = html_part(message), text_part(message)
    assert "Classic Oxford no. 49" in text and "Classic Oxford no. 50" not in text
    assert "and 70 more items" in text
    assert len(html.encode()) < 102 * 1024


@pytest.mark.parametrize("status", ["pending", "open"])
def test_a_pending_fulfillment_is_announced_only_when_it_succeeds(
    run: Any, outbox: Any, status: str
) -> None:
    place_order(run)
    waiting = shipped(status=status)

    first = run("ShippingConfirmationFunction", waiting)
    assert first["status"] == "skipped" and status in first["reason"]
    assert outbox.messages == []

    # The fulfillment service ships it: the update moves it to success, same tracking number.
    done = shipped("shopify/fulfillments-create.json", status="success")
    done["detail"]["metadata"]["X-Shopify-Topic"] = "fulfillments/update"
    run("ShippingConfirmationFunction", done)

    message = outbox.only()
    assert message["Subject"] == "Part of order #1001 is on its way"
    assert "UPS tracking number: 1Z9R5W900312345678" in text_part(message)


def test_a_pending_fulfillment_that_succeeds_without_tracking_is_still_announced(
    run: Any, outbox: Any
) -> None:
    place_order(run)
    untracked = {"tracking_number": None, "tracking_numbers": [], "tracking_urls": []}
    run("ShippingConfirmationFunction", shipped(status="pending", **untracked))
    done = shipped(status="success", **untracked)
    done["detail"]["metadata"]["X-Shopify-Topic"] = "fulfillments/update"

    result = run("ShippingConfirmationFunction", done)

    assert result["status"] == "sent"
    assert "send you the tracking number as soon as" in text_part(outbox.only())


def test_come_back_code_runs_from_the_shipment_not_the_order(run: Any, outbox: Any) -> None:
    place_order(run)  # placed 2026-11-20

    run("ShippingConfirmationFunction", shipped(created_at="2026-12-15T10:00:00-05:00"))

    assert "valid until February 13, 2027" in text_part(outbox.only())


def test_nothing_is_shipped_for_a_voided_test_order(run: Any, outbox: Any) -> None:
    remember_test_order(run, "voided")

    result = run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    assert result["reason"] == "voided or cancelled test order"
    assert outbox.messages == []


def test_shipment_of_a_test_order_is_marked_as_a_test(run: Any, outbox: Any) -> None:
    remember_test_order(run)

    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    assert outbox.only()["X-Tailor-Test-Order"] == "yes"
