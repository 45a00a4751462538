"""Out for delivery and delivered: short notes; a delivery schedules the review request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers.aftercare import (
    AFTERCARE_GROUP,
    ALEX,
    due_at,
    only_schedule,
    place_order,
    schedules,
    target_input,
)
from tests.helpers.events import load_event
from tests.helpers.mail import text_part

OUT_FOR_DELIVERY = "shopify/fulfillment-events-create.json"
DELIVERED = "shopify/fulfillment-events-create-delivered.json"


@pytest.fixture
def on_its_way(run: Any) -> Any:
    """Order #1001 placed and its shoe shipped (the carrier events join on the shipment)."""
    place_order(run)
    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    return run


def carrier_event(name: str, **changes: Any) -> dict[str, Any]:
    event = load_event(name)
    event["detail"]["payload"].update(changes)
    return event


def test_out_for_delivery_is_a_short_note_with_the_expected_time(
    on_its_way: Any, outbox: Any
) -> None:
    result = on_its_way("DeliveryUpdateFunction", load_event(OUT_FOR_DELIVERY))

    assert result["status"] == "sent"
    message = outbox.messages[-1]
    assert message["Subject"] == "Order #1001 arrives today"
    assert message["To"].addresses[0].addr_spec == ALEX
    assert message["List-Unsubscribe"] is None
    text = " ".join(text_part(message).split())
    assert "should arrive by 8:00 PM EST on November 23, 2026" in text  # New York time
    assert "Classic Oxford" in text and "Merino" not in text  # only this shipment
    assert schedules() == []  # no review before delivery


def test_delivered_note_and_a_review_request_scheduled_a_week_later_at_ten(
    on_its_way: Any, outbox: Any
) -> None:
    on_its_way("DeliveryUpdateFunction", load_event(DELIVERED))

    message = outbox.messages[-1]
    assert message["Subject"] == "Order #1001 has been delivered"
    text = " ".join(text_part(message).split())
    assert "delivered your order #1001 on November 23, 2026 at 1:47 PM EST" in text
    assert "Carrier's note: Delivered: Front Desk/Reception" in text
    schedule = only_schedule()
    # Delivered 2026-11-23 in New York; seven days later at 10:00 there (EST, UTC-5).
    assert due_at(schedule) == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["GroupName"] == AFTERCARE_GROUP
    assert schedule["Target"]["Arn"].endswith(":function:ReviewRequestFunction")
    assert schedule["Target"]["RoleArn"].endswith("SchedulerRole")
    due = target_input(schedule)
    assert due["detail-type"] == "ReviewDue"
    assert due["detail"]["order_id"] == "6283749150321"
    assert due["detail"]["email"] == ALEX
    assert [i["title"] for i in due["detail"]["items"]] == ["Classic Oxford"]


def test_a_repeated_delivery_event_sends_and_schedules_once(on_its_way: Any, outbox: Any) -> None:
    on_its_way("DeliveryUpdateFunction", load_event(DELIVERED))
    again = load_event(DELIVERED)
    again["id"] = "another-eventbridge-id"
    again["detail"]["payload"]["id"] = 4412345679999  # the carrier said it twice

    on_its_way("DeliveryUpdateFunction", again)

    assert [m["Subject"] for m in outbox.messages] == [
        "Part of order #1001 is on its way",
        "Order #1001 has been delivered",
    ]
    assert len(schedules()) == 1


@pytest.mark.parametrize(
    "status", ["in_transit", "label_printed", "attempted_delivery", "carrier_picked_up", "Delayed"]
)
def test_other_carrier_statuses_send_nothing(on_its_way: Any, outbox: Any, status: str) -> None:
    result = on_its_way("DeliveryUpdateFunction", carrier_event(OUT_FOR_DELIVERY, status=status))

    assert result["status"] == "skipped"
    assert result["reason"] == f"carrier status {status.lower()} is not mailed"
    assert len(outbox.messages) == 1  # the shipping confirmation only


def test_out_for_delivery_arriving_after_delivered_sends_nothing(
    on_its_way: Any, outbox: Any
) -> None:
    on_its_way("DeliveryUpdateFunction", load_event(DELIVERED))

    late = on_its_way("DeliveryUpdateFunction", load_event(OUT_FOR_DELIVERY))

    assert late["reason"] == "out_for_delivery after the shipment was delivered"
    assert "delivered" in outbox.messages[-1]["Subject"]


def test_delivered_before_shipped_still_tells_the_customer_and_asks_for_reviews(
    run: Any, outbox: Any
) -> None:
    place_order(run)

    run("DeliveryUpdateFunction", load_event(DELIVERED))

    assert "delivered" in outbox.only()["Subject"]
    titles = [i["title"] for i in target_input(only_schedule())["detail"]["items"]]
    assert titles == ["Classic Oxford", "Merino Dress Sock"]  # the order's, not the shipment's


def test_carrier_event_for_an_order_we_never_saw_sends_nothing_and_logs_why(
    run: Any, outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    result = run("DeliveryUpdateFunction", load_event(DELIVERED))

    assert result["reason"] == "no address known for this order"
    assert outbox.messages == []
    assert schedules() == []
    assert "carrier event for an order we never saw" in caplog.text
    assert ALEX not in caplog.text


def test_canonical_delivery(run: Any, outbox: Any) -> None:
    run("PurchaseHistoryFunction", load_event("canonical/order-placed.json"))
    run("AftercareRecorderFunction", load_event("canonical/order-placed.json"))
    run("ShippingConfirmationFunction", load_event("canonical/order-shipped.json"))

    run("DeliveryUpdateFunction", load_event("canonical/order-delivered.json"))

    assert text_part(outbox.messages[-1]).count("Left at front door") == 1
    assert target_input(only_schedule())["detail"]["order_number"] == "#7001"
