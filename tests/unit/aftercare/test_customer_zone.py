"""Times in the customer's own zone: a Tulsa customer of a New York shop reads Tulsa time,
and their reminders come at the reminder hour in Tulsa."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers.aftercare import ALEX, at, due_at, load_catalog, profile, schedules, target_input
from tests.helpers.events import load_event
from tests.helpers.mail import text_part

SOCK = "8123456789555"
TULSA = {
    "address1": "401 S Boston Ave",
    "city": "Tulsa",
    "province": "Oklahoma",
    "province_code": "OK",
    "zip": "74103",
    "country": "United States",
    "country_code": "US",
}


def place_order_to_tulsa(run: Any) -> None:
    """Alex's order #1001, shipped to Tulsa this time (the shop is in New York)."""
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"]["shipping_address"].update(TULSA, latitude=None, longitude=None)
    run("PurchaseHistoryFunction", event)
    run("AftercareRecorderFunction", event)


@pytest.fixture
def ordered_to_tulsa(run: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    at("2026-11-20T15:00:00+00:00", monkeypatch)
    load_catalog(run)
    place_order_to_tulsa(run)
    return run


def test_the_order_teaches_the_profile_the_customers_zone(ordered_to_tulsa: Any) -> None:
    known = profile(ALEX)
    assert known is not None
    assert (known.time_zone, known.time_zone_inferred) == ("America/Chicago", True)


def test_delivered_at_reads_in_tulsa_time_with_its_zone(ordered_to_tulsa: Any, outbox: Any) -> None:
    ordered_to_tulsa("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    delivered = load_event("shopify/fulfillment-events-create-delivered.json")
    # 20:00 UTC on a winter day: 2 p.m. in Tulsa, 3 p.m. at the shop in New York.
    delivered["detail"]["payload"].update(happened_at="2026-11-23T20:00:00Z")

    ordered_to_tulsa("DeliveryUpdateFunction", delivered)

    text = " ".join(text_part(outbox.messages[-1]).split())  # Babel's narrow no-break space
    assert "delivered your order #1001 on November 23, 2026 at 2:00 PM CST" in text
    # The review request a week later comes at the reminder hour there: 10:00 CST.
    review = schedules(kind="review-")
    assert [due_at(s) for s in review] == [datetime(2026, 11, 30, 16, 0, tzinfo=UTC)]


def test_a_reminder_lands_at_the_reminder_hour_in_the_customers_zone(
    ordered_to_tulsa: Any,
) -> None:
    reminders = {target_input(s)["detail"]["product_id"]: s for s in schedules(kind="replenish-")}
    # Socks bought 2026-11-20 come round again 270 days later: 10:00 CDT in Tulsa.
    assert due_at(reminders[SOCK]) == datetime(2027, 8, 17, 15, 0, tzinfo=UTC)
