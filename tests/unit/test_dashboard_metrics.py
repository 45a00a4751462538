"""The health dashboard and the alarms read only metrics that something publishes (AWS's own,
or the custom metrics the code declares), and the code publishes no custom metric that
nothing reads: CloudWatch bills each $0.30 a month."""

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
    body = template.resolve(template.resources["HealthDashboard"]["Properties"]["DashboardBody"])
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


def test_the_dashboard_and_alarms_read_exactly_the_custom_metrics_that_are_published() -> None:
    template = local_template()
    published = {(m.namespace, m.name, m.dimension_names) for m in custom_metrics(template)}
    read = read_by_the_dashboard(template) + read_by_the_alarms(template)

    custom = {metric for metric in read if not metric[0].startswith("AWS/")}
    assert ("Tailor", "EmailsSent", frozenset({"stream"})) in custom
    assert custom == published  # nothing read that is not published, nor published unread


def test_emails_are_counted_per_stream_never_per_type() -> None:
    metrics = custom_metrics(local_template())

    counts = [m for m in metrics if m.name.startswith("Emails")]
    assert {m.name for m in counts} == {"EmailsSent", "EmailsFailed"}
    assert {dict(m.dimensions)["stream"] for m in counts} == {"transactional", "marketing"}
    assert all(m.dimension_names == {"stream"} for m in counts)
    assert [m for m in metrics if "email_type" in m.dimension_names] == []
