"""The alert sender's metrics: one function sends three email types, counted per type."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tailor_local.runner import Report
from tailor_local.template import Template

from tests.helpers.alerts_shop import Shop, open_shop


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 2})
    return shop


def sender_metrics(*reports: Report) -> list[dict[str, Any]]:
    """The CloudWatch embedded-metric-format records the alert sender printed."""
    records = []
    for report in reports:
        for invocation in report.invocations:
            if invocation.function_id != "AlertsSenderFunction":
                continue
            for line in invocation.outcome.logs.splitlines():
                if line.startswith("{") and '"_aws"' in line:
                    records.append(json.loads(line))
    return records


def counted(records: list[dict[str, Any]], metric: str) -> dict[tuple[str, str], int]:
    """How many of `metric` each (email type, stream) was given, from the EMF records."""
    counts: dict[tuple[str, str], int] = {}
    for record in records:
        dimensions = record["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
        if metric not in record or "email_type" not in dimensions:
            continue  # the function's total, or another metric
        key = (record["email_type"], record["stream"])
        value = record[metric]  # a number, or a list of them
        counts[key] = counts.get(key, 0) + int(sum(value) if isinstance(value, list) else value)
    return counts


def test_a_restock_and_a_price_drop_are_counted_under_their_own_email_types(shop: Shop) -> None:
    shop.customer("alex@example.com", shoes="12", first_name="Alex")
    shop.back_in_stock("alex@example.com", "12")
    shop.customer("susie@example.com", shoes="13", first_name="Susie")
    shop.wish("susie@example.com")

    restocked = shop.oxford({"11": 4, "12": 3, "13": 2})
    dropped = shop.oxford({"11": 4, "12": 3, "13": 2}, price="159.00")  # -20 %

    assert counted(sender_metrics(restocked, dropped), "EmailsSent") == {
        ("back_in_stock", "marketing"): 1,
        ("price_drop", "marketing"): 1,
    }
