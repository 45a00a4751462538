"""The order confirmation, end to end: event in, MIME out of SES, state in DynamoDB."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tailor import clock
from tailor.events.inbound import InvalidEvent

from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part
from tests.helpers.orders import shoes_only, stock_the_shop


def placed_now(event: dict[str, Any]) -> dict[str, Any]:
    """The order as if placed a moment ago (the add-to-order offer runs from that time)."""
    now = clock.now().isoformat()
    event["detail"]["payload"].update(created_at=now, processed_at=now)
    return event


@pytest.fixture
def shop(run: Any) -> Any:
    stock_the_shop(run)
    return run


def test_shopify_order_sends_one_receipt_with_lines_and_totals(shop: Any, outbox: Any) -> None:
    result = shop("OrderConfirmationFunction", load_event("shopify/orders-create.json"))

    assert result["status"] == "sent"
    message = outbox.only()
    assert message["To"].addresses[0].addr_spec == "alex.rivera@example.com"
    assert "#1001" in message["Subject"]
    assert message["Message-ID"].endswith("@shop.example.com>")
    assert message.get_content_type() == "multipart/alternative"
    html, text = html_part(message), text_part(message)
    assert "Classic Oxford" in html and "Classic Oxford" in text
    assert "Size 13" in text  # the catalog knows the variant "13" is a size
    payload = load_event("shopify/orders-create.json")["detail"]["payload"]
    total = payload["total_price_set"]["presentment_money"]["amount"]
    assert f"${float(total):,.2f}" in text
    assert payload["order_status_url"] in html


def test_cross_sell_offers_the_paired_sock_not_what_was_bought(shop: Any, outbox: Any) -> None:
    shop(
        "OrderConfirmationFunction",
        placed_now(shoes_only(load_event("shopify/orders-create.json"))),
    )

    html = html_part(outbox.only())
    assert "Merino Dress Sock" in html
    assert "Add it within 15 minutes" in html


def test_duplicate_delivery_sends_nothing_twice(shop: Any, outbox: Any) -> None:
    event = load_event("shopify/orders-create.json")
    redelivered = copy.deepcopy(event)
    redelivered["id"] = "another-eventbridge-id"
    redelivered["detail"]["metadata"]["X-Shopify-Webhook-Id"] = "another-delivery"

    shop("OrderConfirmationFunction", event)
    shop("OrderConfirmationFunction", redelivered)

    assert len(outbox.messages) == 1


def test_guest_checkout_in_euros_reads_like_a_german_receipt(shop: Any, outbox: Any) -> None:
    result = shop("OrderConfirmationFunction", load_event("shopify/orders-create-guest.json"))

    assert result["status"] == "sent"
    message = outbox.only()
    html, text = html_part(message), text_part(message).replace("\xa0", " ")
    assert 'lang="de"' in html
    assert "228,90 €" in text
    assert "189,00 €" in text
    assert "Inkl. Steuern … 36,55 €" in text  # the whole email in German, not only its money
    assert "$" not in text  # the customer paid in euros; shop money stays out of the receipt


def test_yen_amounts_have_no_decimals(shop: Any, outbox: Any) -> None:
    shop("OrderConfirmationFunction", load_event("shopify/orders-create-jpy.json"))

    text = text_part(outbox.only())
    assert "￥6,600" in text
    assert "￥6,600.00" not in text and "6600.00" not in text


def test_customer_text_is_escaped_and_never_evaluated(shop: Any, outbox: Any) -> None:
    event = load_event("shopify/orders-create-guest.json")
    payload = event["detail"]["payload"]
    payload["shipping_address"]["first_name"] = "Eve\r\nBcc: victim@example.org"
    payload["line_items"][0]["title"] = "<script>alert(1)</script>{{ config }}{% raw %}"

    shop("OrderConfirmationFunction", event)

    message = outbox.only()
    html = html_part(message)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "{{ config }}" in html and "{% raw %}" in html  # shown as typed, not run
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert message["Bcc"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["j.mueller@example.net"]
    assert "\n" not in str(message["Subject"])


@pytest.mark.parametrize(
    "address", [None, "", "not-an-address", "a@b", "x@example.com, y@example.com"]
)
def test_order_without_a_valid_address_sends_nothing(shop: Any, outbox: Any, address: Any) -> None:
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    payload["email"] = payload["contact_email"] = address
    payload["customer"]["email"] = address

    result = shop("OrderConfirmationFunction", event)

    assert result == {
        "status": "skipped",
        "email_type": "order_confirmation",
        "reason": "no valid email address on the order",
    }
    assert outbox.messages == []


def test_malformed_event_fails_naming_the_field(shop: Any, outbox: Any) -> None:
    event = load_event("canonical/order-placed.json")
    event["detail"]["lines"][0]["quantity"] = 0

    with pytest.raises(InvalidEvent, match=r"lines\.0\.quantity"):
        shop("OrderConfirmationFunction", event)
    assert outbox.messages == []


def test_shopify_payload_without_an_id_fails_naming_it(shop: Any) -> None:
    event = load_event("shopify/orders-create.json")
    del event["detail"]["payload"]["id"]

    with pytest.raises(InvalidEvent, match=r"payload\.id is missing"):
        shop("OrderConfirmationFunction", event)


def test_returning_customer_is_welcomed_back(shop: Any, outbox: Any) -> None:
    first = load_event("canonical/order-placed.json")
    second = copy.deepcopy(first)
    second["detail"]["order_id"] = second["detail"]["order_number"] = "7002"
    second["detail"]["placed_at"] = "2026-12-20T15:04:00+00:00"  # a month later

    shop("PurchaseHistoryFunction", first)
    shop("OrderConfirmationFunction", first)
    shop("PurchaseHistoryFunction", second)
    shop("OrderConfirmationFunction", second)

    greetings = [html_part(m) for m in outbox.messages]
    assert "Thank you for your first order, Susie!" in greetings[0]
    assert "Welcome back, Susie!" in greetings[1]


def test_first_time_greeting_holds_even_when_the_recorder_ran_first(shop: Any, outbox: Any) -> None:
    order = load_event("canonical/order-placed.json")
    shop("PurchaseHistoryFunction", order)
    shop("OrderConfirmationFunction", order)

    assert "Thank you for your first order" in html_part(outbox.only())


def test_throttled_send_fails_the_event_and_a_retry_sends_once(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError
    from tailor import mail

    real_send = mail.Mailer.send

    def throttled(self: Any, outgoing: Any) -> Any:
        raise ClientError(
            {
                "Error": {
                    "Code": "TooManyRequestsException",
                    "Message": "Maximum sending rate exceeded",
                }
            },
            "SendEmail",
        )

    monkeypatch.setattr(mail.Mailer, "send", throttled)
    event = load_event("shopify/orders-create.json")
    with pytest.raises(ClientError, match="TooManyRequests"):
        shop("OrderConfirmationFunction", event)
    assert outbox.messages == []

    monkeypatch.setattr(mail.Mailer, "send", real_send)
    shop("OrderConfirmationFunction", event)
    shop("OrderConfirmationFunction", event)
    assert len(outbox.messages) == 1


def test_huge_orders_stay_under_gmails_clipping_limit(shop: Any, outbox: Any) -> None:
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    template_line = payload["line_items"][0]
    payload["line_items"] = [
        {**template_line, "id": 10_000 + i, "title": f"Classic Oxford, pair {i}"}
        for i in range(400)
    ]

    shop("OrderConfirmationFunction", event)

    message = outbox.only()
    html = html_part(message)
    assert len(html.encode()) < 102 * 1024
    assert "Classic Oxford, pair 0" in html
    assert "more items" in html


def test_receipt_shows_the_order_as_placed_even_after_later_edits(shop: Any, outbox: Any) -> None:
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    placed = payload["total_price_set"]["presentment_money"]["amount"]
    # Delivered late, after a partial refund: only the current_* fields moved.
    payload["current_total_price"] = "43.84"
    payload["current_total_price_set"]["presentment_money"]["amount"] = "43.84"

    shop("OrderConfirmationFunction", event)

    text = text_part(outbox.only())
    assert f"${float(placed):,.2f}" in text
    assert "$43.84" not in text


def test_confirmation_number_is_shown_when_shopify_sends_one(shop: Any, outbox: Any) -> None:
    with_number = load_event("shopify/orders-create-jpy.json")
    without = load_event("shopify/orders-create.json")
    del without["detail"]["payload"]["confirmation_number"]  # before API 2023-04

    shop("OrderConfirmationFunction", with_number)
    shop("OrderConfirmationFunction", without)

    yen, dollars = (text_part(m) for m in outbox.messages)
    assert "確認番号：H2PW6YDQB" in yen  # the customer_locale is ja
    assert "Confirmation number" not in dollars


def test_yen_receipt_never_shows_a_dollar_amount(shop: Any, outbox: Any) -> None:
    event = load_event("shopify/orders-create-jpy.json")
    line = event["detail"]["payload"]["line_items"][0]
    # A line discount known only in the shop's dollars is not shown as if it were yen.
    del line["total_discount_set"]
    line["total_discount"] = "1.25"

    shop("OrderConfirmationFunction", event)

    text = text_part(outbox.only())
    assert "2 × Merino Dress Sock … ￥3,600" in text and "￥6,600" in text
    assert "$" not in text


def test_voided_test_order_sends_nothing(shop: Any, outbox: Any) -> None:
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"].update(test=True, financial_status="voided")

    result = shop("OrderConfirmationFunction", event)

    assert result == {
        "status": "skipped",
        "email_type": "order_confirmation",
        "reason": "voided test order",
    }
    assert outbox.messages == []


def test_test_order_is_confirmed_like_shopify_does_and_marked_as_a_test(
    shop: Any, outbox: Any
) -> None:
    test_order = load_event("shopify/orders-create.json")
    test_order["detail"]["payload"].update(test=True, financial_status="paid")

    shop("OrderConfirmationFunction", test_order)
    shop("OrderConfirmationFunction", load_event("shopify/orders-create-guest.json"))

    marked, real = outbox.messages
    assert marked["X-Tailor-Test-Order"] == "yes"
    assert real["X-Tailor-Test-Order"] is None


def test_unlisted_products_are_never_suggested(shop: Any, outbox: Any) -> None:
    socks = load_event("shopify/products-update.json")
    socks["detail"]["payload"].update(status="unlisted", updated_at="2026-11-22T00:00:00Z")
    shop("CatalogSyncFunction", socks)

    shop("OrderConfirmationFunction", shoes_only(load_event("shopify/orders-create.json")))

    assert "Merino Dress Sock" not in html_part(outbox.only())
