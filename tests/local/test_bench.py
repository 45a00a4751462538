"""`make bench` measures what it says it measures (its figures are not asserted: no timing)."""

from __future__ import annotations

from pathlib import Path

from tailor_local.bench import cold_starts, drain, warm_path
from tailor_local.template import Template

FIXTURE = Path(__file__).parent / "fixtures" / "template.yaml"


def test_cold_start_covers_every_function_of_the_template() -> None:
    template = Template(FIXTURE)

    floor, functions = cold_starts(template, runs=1)

    assert floor > 0
    assert sorted(functions) == sorted(template.functions())
    assert all(ms > 0 for ms in functions.values())


def test_the_warm_path_sends_each_confirmation_to_the_stub() -> None:
    confirmation, render = warm_path(Template(), iterations=2)

    assert confirmation > render > 0


def test_the_drain_sends_one_email_to_each_subscriber() -> None:
    crowd = drain(Template(), subscribers=30, floor_rounds=2)

    assert (crowd.subscribers, crowd.sent) == (30, 30)
    assert crowd.per_email_ms > 0 and crowd.floor_ms > 0
