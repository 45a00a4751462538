"""The results dashboard and the alarms read only metrics that something publishes: AWS's
own, or the custom metrics the code declares (each of which CloudWatch bills $0.30 a month)."""

from __future__ import annotations

import json
import re
from typing import Any

from tailor_local.costs import custom_metrics
from tailor_local.template import Template, local_template

# SEARCH('{Namespace,dimension,...} MetricName="Name" ...', ...)
_SEARCH = re.compile(r"SEARCH\('\{(?P<schema>[^}]*)\}\s+MetricName=\"(?P<name>[^\"]+)\"")


def read_by_the_dashboard(template: Template) -> list[tuple[str, str, frozenset[str]]]:
    """(namespace, metric name, dimension names) of every metric the dashboard shows."""
    body = template.resolve(template.resources["ResultsDashboard"]["Properties"]["DashboardBody"])
    read = []
    for widget in json.loads(body)["widgets"]:
        for line in widget["properties"]["metrics"]:
            expression: dict[str, Any] = next((p for p in line if isinstance(p, dict)), {})
            if "expression" in expression:
                found = _SEARCH.search(expression["expression"])
                assert found, f"not a SEARCH the test reads: {expression['expression']}"
                namespace, *dimensions = [p.strip() for p in found["schema"].split(",")]
                read.append((namespace, found["name"], frozenset(dimensions)))
            else:
                namespace, name, *pairs = [p for p in line if isinstance(p, str)]
                read.append((namespace, name, frozenset(pairs[0::2])))
    return read


def read_by_the_alarms(template: Template) -> list[tuple[str, str, frozenset[str]]]:
    alarms = template.of_type("AWS::CloudWatch::Alarm").values()
    return [
        (
            alarm["Properties"]["Namespace"],
            alarm["Properties"]["MetricName"],
            frozenset(d["Name"] for d in alarm["Properties"].get("Dimensions", [])),
        )
        for alarm in alarms
    ]


def test_the_dashboard_and_alarms_read_only_metrics_that_are_published() -> None:
    template = local_template()
    published = {(m.namespace, m.name, m.dimension_names) for m in custom_metrics(template)}
    read = read_by_the_dashboard(template) + read_by_the_alarms(template)

    custom = [metric for metric in read if not metric[0].startswith("AWS/")]
    assert custom, "the dashboard shows the emails sent per type"
    assert [metric for metric in custom if metric not in published] == []
    assert ("Tailor", "EmailsSent", frozenset({"email_type", "service", "stream"})) in custom


def test_an_email_type_has_one_count_metric_per_sender_and_no_reasons() -> None:
    metrics = custom_metrics(local_template())

    counts = [m for m in metrics if m.name.startswith("Emails")]
    assert {m.name for m in counts} == {"EmailsSent"}
    assert {dict(m.dimensions)["email_type"] for m in counts} >= {"order_confirmation"}
    assert all(m.dimension_names == {"email_type", "service", "stream"} for m in counts)
    order = [m for m in counts if dict(m.dimensions)["email_type"] == "order_confirmation"]
    assert [dict(m.dimensions)["service"] for m in order] == ["order_confirmation"]
