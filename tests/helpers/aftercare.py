"""Helpers for the after-the-order tests: orders, schedules, consent, firing.

Their `template` (the shop in New York, with a review form) is in
tests/unit/aftercare/conftest.py.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import boto3
import pytest
from tailor import consent
from tailor.profiles import Profile, Profiles

from tests.helpers.events import load_event

AFTERCARE_GROUP = "tailor-local-aftercare"
DEFERRED_GROUP = "tailor-local-deferred"
REVIEW_FORM = "https://shop.example.com/pages/review"
ALEX = "alex.rivera@example.com"
SUSIE = "susie@example.com"


def at(moment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the functions' clock (TAILOR_NOW) to `moment`."""
    monkeypatch.setenv("TAILOR_NOW", moment)


def place_order(run: Any, name: str = "shopify/orders-create.json") -> dict[str, Any]:
    """An order as the shop's rules deliver it: profile, aftercare record, reminders."""
    event = load_event(name)
    run("PurchaseHistoryFunction", event)
    run("AftercareRecorderFunction", event)
    return event


def load_catalog(run: Any) -> None:
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("CatalogSyncFunction", load_event("shopify/products-update.json"))
    run("CatalogSyncFunction", load_event("canonical/product-updated.json"))


def subscribe(email: str, *topics: str) -> None:
    """Marketing consent for `topics` (the newsletter, which covers them all, by default)."""
    chosen = list(topics) or [consent.NEWSLETTER]
    Profiles("ProfilesTable").update(
        email, lambda p: consent.change(p, chosen, "subscribed", "signup")
    )


def profile(email: str) -> Profile | None:
    return Profiles("ProfilesTable").get(email)


def scheduler() -> Any:
    return boto3.client("scheduler", region_name="us-east-1")


def schedules(group: str = AFTERCARE_GROUP, kind: str = "") -> list[dict[str, Any]]:
    """The schedules in `group` whose names start with `kind` (review, replenish)."""
    client = scheduler()
    return [
        client.get_schedule(Name=s["Name"], GroupName=group)
        for s in client.list_schedules(GroupName=group)["Schedules"]
        if s["Name"].startswith(kind)
    ]


def only_schedule(group: str = AFTERCARE_GROUP, kind: str = "") -> dict[str, Any]:
    found = schedules(group, kind)
    assert len(found) == 1, f"expected one {kind} schedule in {group}, found {len(found)}"
    return found[0]


def due_at(schedule: dict[str, Any]) -> datetime:
    expression = schedule["ScheduleExpression"]
    assert expression.startswith("at(") and schedule["ScheduleExpressionTimezone"] == "UTC"
    return datetime.fromisoformat(expression[3:-1] + "+00:00")


def target_input(schedule: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(schedule["Target"]["Input"])
    return event


def fire(run: Any, schedule: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """What EventBridge Scheduler does at the due time (moto stores schedules, never fires):
    invoke the target function with the schedule's input, the clock at the due time."""
    at(due_at(schedule).isoformat(), monkeypatch)
    function_id = schedule["Target"]["Arn"].rsplit(":", 1)[-1]
    return run(function_id, target_input(schedule))


def shipped(topic_file: str = "shopify/fulfillments-create.json", **changes: Any) -> dict[str, Any]:
    event = load_event(topic_file)
    event["detail"]["payload"].update(changes)
    return event


def remember_test_order(run: Any, financial_status: str = "paid") -> None:
    """Order #1001 placed through a test gateway (Shopify's `test: true`), as recorded."""
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"].update(test=True, financial_status=financial_status)
    run("AftercareRecorderFunction", event)
