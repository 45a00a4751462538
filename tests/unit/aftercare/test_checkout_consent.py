"""The consent a customer gave at checkout reaches the mail that follows the order."""

from __future__ import annotations

from typing import Any

import pytest
from tailor import aws

from tests.helpers.aftercare import ALEX, at, fire, load_catalog, only_schedule
from tests.helpers.events import load_event, order_with_consent


def test_a_customer_subscribed_in_shopify_is_asked_for_a_review(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at("2026-11-23T19:00:00+00:00", monkeypatch)
    load_catalog(run)
    order = order_with_consent("subscribed", "2026-11-20T05:12:00-05:00")
    run("PurchaseHistoryFunction", order)
    run("AftercareRecorderFunction", order)
    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    run("DeliveryUpdateFunction", load_event("shopify/fulfillment-events-create-delivered.json"))

    result = fire(run, only_schedule(kind="review-"), monkeypatch)

    assert result["status"] == "sent"
    assert outbox.messages[-1]["Subject"] == "How is the Classic Oxford working out?"
    entries = aws.table("ConsentLedgerTable").query(
        KeyConditionExpression="email = :e", ExpressionAttributeValues={":e": ALEX}
    )["Items"]
    assert [(e["topic"], e["state"], e["source"], e["opt_in_level"]) for e in entries] == [
        ("newsletter", "subscribed", "shopify", "single_opt_in")
    ]
