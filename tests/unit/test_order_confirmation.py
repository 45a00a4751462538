"""The order confirmation, end to end: event in, MIME out of SES, state in DynamoDB."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import html_part, load_event, text_part


def placed_now(event: dict[str, Any]) -> dict[str, Any]:
    """The order as if placed a moment ago (the add-to-order offer runs from that time)."""
    now = datetime.now(UTC).isoformat()
    event["detail"]["payload"].update(created_at=now, processed_at=now)
    return event


def shoes_only(event: dict[str, Any]) -> dict[str, Any]:
    payload = event["detail"]["payload"]
    payload["line_items"] = [li for li in payload["line_items"] if li["title"] == "Classic Oxford"]
    return event


@pytest.fixture
def shop(run: Any) -> Any:
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("CatalogSyncFunction", load_event("shopify/products-update.json"))
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
    payload = load_event("shopify/orders-create.json")["detail"]["payload"]
    total = payload["current_total_price_set"]["presentment_money"]["amount"]
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
