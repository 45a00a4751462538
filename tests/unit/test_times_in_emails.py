"""Dates and times in emails are the customer's: the day an order was placed is the day
it was where they are, not where the shop is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tailor import i18n

from tests.helpers.events import load_event
from tests.helpers.mail import text_part


def test_the_order_date_is_the_day_it_was_where_the_parcel_goes(run: Any, outbox: Any) -> None:
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    # Placed at 13:30 in the shop's New York afternoon: already the next day in Perth.
    placed = "2026-11-20T13:30:00-05:00"
    payload.update(created_at=placed, processed_at=placed)
    payload["shipping_address"].update(
        city="Perth", province="Western Australia", province_code="WA", zip="6000",
        country="Australia", country_code="AU", latitude=None, longitude=None,
    )  # fmt: skip

    run("OrderConfirmationFunction", event)

    assert "of November 21, 2026 and are getting it ready" in text_part(outbox.only())


def test_a_moment_reads_as_date_and_time_joined_the_languages_way() -> None:
    due = datetime(2026, 11, 23, 19, 10, tzinfo=UTC)
    chicago, berlin = ZoneInfo("America/Chicago"), ZoneInfo("Europe/Berlin")
    assert i18n.day_and_time(due, chicago, "en-US") == "November 23, 2026, 1:10\u202fPM CST"
    assert i18n.day_and_time(due, berlin, "de-DE") == "23. November 2026, 20:10 MEZ"
