"""The alert sender's metrics: one function sends three email types, counted under their
stream (CloudWatch bills each metric); per type, its log line says what it did."""

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


def sender_lines(*reports: Report) -> list[dict[str, Any]]:
    """The JSON lines (log lines and EMF records) the alert sender printed."""
    return [
        json.loads(line)
        for report in reports
        for invocation in report.invocations
        if invocation.function_id == "AlertsSenderFunction"
        for line in invocation.outcome.logs.splitlines()
        if line.startswith("{")
    ]


def sender_metrics(*reports: Report) -> list[dict[str, Any]]:
    """The CloudWatch embedded-metric-format records the alert sender printed."""
    return [line for line in sender_lines(*reports) if "_aws" in line]


def counted(records: list[dict[str, Any]], metric: str) -> dict[tuple[str, ...], int]:
    """How many of `metric` each set of dimension values was given, from the EMF records."""
    counts: dict[tuple[str, ...], int] = {}
    for record in records:
        if metric not in record:
            continue
        [dimensions] = record["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
        key = tuple(record[name] for name in dimensions)
        value = record[metric]  # a number, or a list of them
        counts[key] = counts.get(key, 0) + int(sum(value) if isinstance(value, list) else value)
    return counts


def delivered(*reports: Report) -> list[tuple[str, int]]:
    """(email type, emails sent) of each of the alert sender's `alerts delivered` lines."""
    said = [line for line in sender_lines(*reports) if line.get("message") == "alerts delivered"]
    return [(line["email_type"], line.get("sent", 0)) for line in said]


def test_a_restock_and_a_price_drop_are_counted_under_their_stream_and_logged_by_type(
    shop: Shop,
) -> None:
    shop.customer("alex@example.com", shoes="12", first_name="Alex")
    shop.back_in_stock("alex@example.com", "12")
    shop.customer("susie@example.com", shoes="13", first_name="Susie")
    shop.wish("susie@example.com")

    restocked = shop.oxford({"11": 4, "12": 3, "13": 2})
    dropped = shop.oxford({"11": 4, "12": 3, "13": 2}, price="159.00")  # -20 %

    records = sender_metrics(restocked, dropped)
    assert counted(records, "EmailsSent") == {("marketing",): 2}
    assert [r for r in records if "email_type" in r] == []  # no metric per type
    assert delivered(restocked, dropped) == [("back_in_stock", 1), ("price_drop", 1)]
