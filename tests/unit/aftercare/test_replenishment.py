"""Replenishment: a reminder per customer and product, re-keyed by the next purchase."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from tailor import aws, consent
from tailor.aftercare.replenishment import parse_interval
from tailor.i18n import elapsed
from tailor.profiles import Profiles

from tests.helpers.aftercare import (
    ALEX,
    SUSIE,
    at,
    due_at,
    fire,
    load_catalog,
    place_order,
    schedules,
    subscribe,
    target_input,
)
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part

SHOE, SOCK = "8123456789012", "8123456789555"


def reminders() -> dict[str, dict[str, Any]]:
    """Pending reminders by product id."""
    return {target_input(s)["detail"]["product_id"]: s for s in schedules(kind="replenish-")}


def second_order(placed_at: str = "2027-03-01T10:00:00-05:00") -> dict[str, Any]:
    """Alex buys the socks again (order #1005)."""
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    payload.update(id=6283749159999, name="#1005", created_at=placed_at, processed_at=placed_at)
    payload["line_items"] = [li for li in payload["line_items"] if li["product_id"] == int(SOCK)]
    event["id"] = "second-order"
    return event


@pytest.fixture
def bought(run: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The catalog, then Alex's order #1001: a size-13 shoe and two pairs of socks."""
    at("2026-11-20T15:00:00+00:00", monkeypatch)
    load_catalog(run)
    place_order(run)
    subscribe(ALEX)
    return run


def test_buying_socks_schedules_a_reminder_nine_months_later_at_ten(bought: Any) -> None:
    found = reminders()

    assert set(found) == {SHOE, SOCK}  # replenish:365d and replenish:270d
    socks = found[SOCK]
    # Bought 2026-11-20 in New York; 270 days later is 2027-08-17, 10:00 EDT.
    assert due_at(socks) == datetime(2027, 8, 17, 14, 0, tzinfo=UTC)
    assert socks["ActionAfterCompletion"] == "DELETE"
    assert socks["Target"]["Arn"].endswith(":function:ReplenishmentReminderFunction")
    assert ALEX not in socks["Name"] and socks["Name"].startswith("replenish-")
    detail = target_input(socks)["detail"]
    assert detail["variant_id"] == "44112233449999"
    assert (detail["quantity"], detail["interval"], detail["order_id"]) == (
        2,
        "270d",
        "6283749150321",
    )


def test_a_repeated_order_event_makes_no_second_reminder(bought: Any) -> None:
    before = {pid: s["ScheduleExpression"] for pid, s in reminders().items()}
    again = load_event("shopify/orders-create.json")
    again["id"] = "another-eventbridge-id"

    bought("AftercareRecorderFunction", again)

    assert len(schedules(kind="replenish-")) == 2
    assert {pid: s["ScheduleExpression"] for pid, s in reminders().items()} == before


def test_buying_again_restarts_the_clock_for_that_product_only(bought: Any) -> None:
    shoe_before = reminders()[SHOE]["ScheduleExpression"]

    bought("AftercareRecorderFunction", second_order())

    found = reminders()
    assert len(schedules(kind="replenish-")) == 2
    assert target_input(found[SOCK])["detail"]["order_id"] == "6283749159999"
    assert due_at(found[SOCK]) == datetime(2027, 11, 26, 15, 0, tzinfo=UTC)  # 270 days on, EST
    assert found[SHOE]["ScheduleExpression"] == shoe_before


def test_an_older_order_arriving_late_does_not_undo_a_newer_one(run: Any) -> None:
    load_catalog(run)
    run("AftercareRecorderFunction", second_order())

    place_order(run)  # #1001, placed months before #1005, delivered only now

    assert target_input(reminders()[SOCK])["detail"]["order_id"] == "6283749159999"


def test_the_reminder_offers_the_same_socks_with_a_one_click_reorder(
    bought: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = fire(bought, reminders()[SOCK], monkeypatch)

    assert result["status"] == "sent"
    message = outbox.only()
    assert message["Subject"] == "Merino Dress Sock: time for a fresh pair?"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, text = html_part(message), text_part(message)
    assert "It's been 9 months since you bought your Merino Dress Sock" in text
    assert "may be starting to wear a bit thin in the heel" in text
    assert 'href="https://shop.example.com/cart/44112233449999:2"' in html
    assert "Quantity: 2" in text and "was $18.00, now $12.00" in text  # on closeout
    assert "!" not in text.split("Email preferences")[0]  # a reminder, not a shout


def test_the_shoe_comes_back_in_the_size_bought(
    bought: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fire(bought, reminders()[SHOE], monkeypatch)

    message = outbox.only()
    assert message["Subject"] == "Classic Oxford: time for a refresh?"
    text = text_part(message)
    assert "It's been 1 year since" in text and "Size 13" in text
    assert "https://shop.example.com/cart/44112233445568:1" in html_part(message)


def test_no_reminder_when_bought_again_since(
    bought: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = copy.deepcopy(reminders()[SOCK])  # fires although a newer order re-keyed it
    bought("PurchaseHistoryFunction", second_order())

    assert fire(bought, stale, monkeypatch)["reason"] == "bought again since"
    assert outbox.messages == []


def test_no_reminder_for_a_deleted_customer(
    bought: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.table("ProfilesTable").delete_item(Key={"email": ALEX})

    result = fire(bought, reminders()[SOCK], monkeypatch)

    assert result["reason"] == "no profile: the customer was deleted or never known"
    assert outbox.messages == []


def test_no_reminder_without_consent(bought: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    Profiles("ProfilesTable").update(
        ALEX, lambda p: consent.change(p, [consent.REPLENISHMENT], "unsubscribed", "request")
    )

    assert fire(bought, reminders()[SOCK], monkeypatch)["reason"] == "no consent for replenishment"


def test_no_reminder_when_the_size_is_sold_out(
    bought: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sold_out = load_event("shopify/products-update.json")
    payload = sold_out["detail"]["payload"]
    payload["variants"][0]["inventory_quantity"] = 0
    payload["updated_at"] = "2027-01-01T00:00:00-05:00"
    bought("CatalogSyncFunction", sold_out)

    assert fire(bought, reminders()[SOCK], monkeypatch)["reason"] == "their size is not in stock"


def test_no_reminder_for_a_cancelled_purchase(bought: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cancelled = load_event("shopify/orders-cancelled.json")
    cancelled["detail"]["payload"].update(id=6283749150321, name="#1001", email=ALEX)
    bought("OrderCancelledFunction", cancelled)

    assert fire(bought, reminders()[SOCK], monkeypatch)["reason"] == "the purchase was cancelled"


def test_canonical_replenishment_due(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("CatalogSyncFunction", load_event("canonical/product-updated.json"))
    run("PurchaseHistoryFunction", load_event("canonical/order-placed.json"))
    subscribe(SUSIE, consent.REPLENISHMENT)
    at("2027-08-17T15:00:00+00:00", monkeypatch)

    run("ReplenishmentReminderFunction", load_event("canonical/replenishment-due.json"))

    message = outbox.only()
    assert message["Subject"] == "Rag Wool Socks: time for a fresh pair?"
    assert 'href="https://shop.example.com/cart/2001:2"' in html_part(message)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("replenish:270d", "270d"),
        ("replenish:9m", "9m"),
        ("replenish:6w", "6w"),
        ("Replenish: 1Y", "1y"),
        ("replenish:90", "90d"),
        ("replenish:0d", None),
        ("replenish:soon", None),
        ("pairs-with:classic-oxford", None),
    ],
)
def test_replenishment_tags(tag: str, expected: str | None) -> None:
    interval = parse_interval(tag)

    assert (interval.text if interval else None) == expected


def test_month_intervals_keep_to_the_calendar() -> None:
    nine_months = parse_interval("replenish:9m")
    assert nine_months is not None

    assert nine_months.after(datetime(2026, 5, 31, tzinfo=UTC)) == datetime(2027, 2, 28, tzinfo=UTC)
    nine = elapsed(datetime(2026, 11, 20, tzinfo=UTC), datetime(2027, 8, 17, tzinfo=UTC), "de")
    assert nine == "9 Monate"
    six = elapsed(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 12, tzinfo=UTC), "en")
    assert six == "6 weeks"
