"""Cancellations and refunds: what, how much, where the money goes, and nothing alarming."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.aftercare import ALEX, place_order, remember_test_order
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part


def refund(**changes: Any) -> dict[str, Any]:
    event = load_event("shopify/refunds-create.json")
    event["detail"]["payload"].update(changes)
    return event


def test_shopify_cancellation_of_an_unpaid_order_says_nothing_was_charged(
    run: Any, outbox: Any
) -> None:
    result = run("OrderCancelledFunction", load_event("shopify/orders-cancelled.json"))

    assert result["status"] == "sent"
    message = outbox.only()
    assert message["To"].addresses[0].addr_spec == "mina.okafor@example.net"
    assert message["Subject"] == "Order #1004 has been cancelled"
    assert message["List-Unsubscribe"] is None
    text = text_part(message)
    assert "Mina, your order #1004 is cancelled" in text
    assert "We have cancelled your order #1004, as you asked." in text
    assert "not been charged: the hold of $219.60 on your payment has been released" in text
    assert "1 × Classic Oxford (11)" in text
    # One promotional line at most: no offer, no code, no product.
    assert text.count("open as always") == 1
    assert "THANKS-" not in text and "%" not in text
    assert html_part(message).count("<img") == 0


def test_canonical_cancellation_with_a_refund_says_where_the_money_goes(
    run: Any, outbox: Any
) -> None:
    run("OrderCancelledFunction", load_event("canonical/order-cancelled.json"))

    text = text_part(outbox.only())
    assert "because we could not supply everything in it" in text
    assert "We've refunded $32.40 to your PayPal account." in text


@pytest.mark.parametrize("reason", ["fraud", "declined"])
def test_no_promotion_when_the_shop_cancelled_for_fraud_or_a_declined_payment(
    run: Any, outbox: Any, reason: str
) -> None:
    event = load_event("shopify/orders-cancelled.json")
    event["detail"]["payload"]["cancel_reason"] = reason

    run("OrderCancelledFunction", event)

    text = text_part(outbox.only())
    assert "open as always" not in text
    assert "fraud" not in text.lower()


def test_refund_says_what_was_returned_how_much_and_to_which_card(run: Any, outbox: Any) -> None:
    place_order(run)

    result = run("RefundIssuedFunction", load_event("shopify/refunds-create.json"))

    assert result["status"] == "sent"
    message = outbox.only()
    assert message["To"].addresses[0].addr_spec == ALEX
    assert message["Subject"] == "Your refund of $194.32 for order #1001"
    text = text_part(message)
    assert "We've refunded $194.32 for your order #1001 to the card you paid with." in text
    assert "1 × Classic Oxford (13) · returned … $" in text
    assert "refunded in full" not in text  # the socks were kept
    assert text.count("Browse Oklahoma Outfitters") == 1


def test_repeated_refund_webhook_sends_once(run: Any, outbox: Any) -> None:
    place_order(run)
    again = load_event("shopify/refunds-create.json")
    again["id"] = "another-eventbridge-id"

    run("RefundIssuedFunction", load_event("shopify/refunds-create.json"))
    run("RefundIssuedFunction", again)

    assert len(outbox.messages) == 1


def test_refund_that_moves_no_money_is_remembered_not_mailed(run: Any, outbox: Any) -> None:
    place_order(run)

    result = run("RefundIssuedFunction", refund(transactions=[]))

    assert result["reason"] == "refund moved no money (restock or adjustment only)"
    assert outbox.messages == []


def test_failed_refund_transactions_are_not_money(run: Any, outbox: Any) -> None:
    place_order(run)
    payload = load_event("shopify/refunds-create.json")["detail"]["payload"]
    failed = [{**payload["transactions"][0], "status": "failure"}]

    result = run("RefundIssuedFunction", refund(transactions=failed))

    assert result["status"] == "skipped"
    assert outbox.messages == []


def test_refund_above_the_order_total_is_capped_and_logged(
    run: Any, outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    place_order(run)  # total $238.16
    payload = load_event("shopify/refunds-create.json")["detail"]["payload"]
    too_much = [{**payload["transactions"][0], "amount": "500.00"}]

    run("RefundIssuedFunction", refund(transactions=too_much))

    text = text_part(outbox.only())
    assert "We've refunded $238.16" in text and "$500.00" not in text
    assert "refunded in full" in text
    assert "refund above the order total: capped" in caplog.text


def test_refund_beyond_what_is_left_to_refund_sends_nothing(run: Any, outbox: Any) -> None:
    place_order(run)
    payload = load_event("shopify/refunds-create.json")["detail"]["payload"]
    everything = [{**payload["transactions"][0], "amount": "238.16"}]
    run("RefundIssuedFunction", refund(transactions=everything))

    second = run("RefundIssuedFunction", refund(id=912345679999))

    assert second["reason"] == "refund above what was left of the order total"
    assert len(outbox.messages) == 1


def test_refund_for_an_order_we_never_saw_sends_nothing(run: Any, outbox: Any) -> None:
    result = run("RefundIssuedFunction", load_event("shopify/refunds-create.json"))

    assert result["reason"] == "no address known for this order"
    assert outbox.messages == []


def test_refund_told_in_the_cancellation_email_is_not_mailed_again(run: Any, outbox: Any) -> None:
    run("OrderCancelledFunction", load_event("shopify/orders-cancelled.json"))
    cancelled = load_event("shopify/orders-cancelled.json")["detail"]["payload"]
    payload = load_event("shopify/refunds-create.json")["detail"]["payload"]
    with_money = refund(
        id=912345678950, order_id=cancelled["id"], transactions=payload["transactions"]
    )

    result = run("RefundIssuedFunction", with_money)

    assert result["reason"] == "refund already told in the cancellation email"
    assert len(outbox.messages) == 1


def test_canonical_refund(run: Any, outbox: Any) -> None:
    run("RefundIssuedFunction", load_event("canonical/refund-issued.json"))

    text = text_part(outbox.only())
    assert "We've refunded $139.32 for your order #7001 to the card you paid with." in text


def test_yen_refund_shows_the_lines_and_shipping_it_moved(run: Any, outbox: Any) -> None:
    place_order(run, "shopify/orders-create-jpy.json")

    result = run("RefundIssuedFunction", load_event("shopify/refunds-create-jpy.json"))

    assert result["status"] == "sent"
    message = outbox.only()
    text = text_part(message)
    assert "￥3,000" in message["Subject"]
    assert "Cedar Shoe Trees" in text and "￥2,200" in text
    assert "送料 … ￥800" in text  # the order adjustment, in the customer's Japanese
    assert "$" not in text and ".00" not in text


def test_refund_with_shipping_is_capped_at_what_was_charged_with_shipping(
    run: Any, outbox: Any
) -> None:
    place_order(run, "shopify/orders-create-jpy.json")  # ￥6,600 with ￥800 shipping
    event = load_event("shopify/refunds-create-jpy.json")
    event["detail"]["payload"]["transactions"][0]["amount"] = "7000"

    run("RefundIssuedFunction", event)

    text = text_part(outbox.only())
    assert "￥6,600を返金いたしました" in text and "￥7,000" not in text


def test_cancelled_test_order_sends_no_cancellation_and_no_refund(run: Any, outbox: Any) -> None:
    cancelled = load_event("shopify/orders-cancelled.json")
    cancelled["detail"]["payload"]["test"] = True
    payload = load_event("shopify/refunds-create.json")["detail"]["payload"]
    later = refund(
        id=912345678960,
        order_id=cancelled["detail"]["payload"]["id"],
        transactions=[{**payload["transactions"][0], "test": True}],
    )

    first = run("OrderCancelledFunction", cancelled)
    second = run("RefundIssuedFunction", later)

    assert first["reason"] == "cancelled test order"
    assert second["reason"] == "refund on a voided or cancelled test order"
    assert outbox.messages == []


def test_refund_of_a_test_order_still_goes_out_marked_as_a_test(run: Any, outbox: Any) -> None:
    remember_test_order(run)

    run("RefundIssuedFunction", load_event("shopify/refunds-create.json"))

    assert outbox.only()["X-Tailor-Test-Order"] == "yes"
