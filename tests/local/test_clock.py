"""`tailor clock advance`: due schedules fire with their input, at their own time, once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tailor_local.cloud import open_cloud
from tailor_local.runner import Runner
from tailor_local.schedules import MAX_RATE_OCCURRENCES, Scheduler, parse_duration
from tailor_local.state import LocalError
from tailor_local.template import Template

FIXTURE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture
def scheduler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scheduler]:
    monkeypatch.setenv("TAILOR_HOME", str(tmp_path / "home"))
    template = Template(FIXTURE)
    with open_cloud(template, ephemeral=True) as cloud:
        runner = Runner(template, cloud)
        runner.deliver(
            {
                "id": str(uuid.uuid4()),
                "detail-type": "Remind",
                "source": "fixture.test",
                "detail": {},
            }
        )
        yield Scheduler(runner)


TICK = "TickFunctionEvery15Minutes"  # the fixture's rate(15 minutes) ScheduleV2


def names(scheduler: Scheduler) -> list[str]:
    return sorted(s["Name"] for s in scheduler.schedules() if s["Name"] != TICK)


def fired(scheduler: Scheduler, duration: str) -> list[tuple[str, dict[str, str]]]:
    """Move the clock on; what each fired target returned, in firing order."""
    reports = scheduler.advance(parse_duration(duration))
    return [(i.function_id, i.outcome.result) for r in reports for i in r.invocations]


def advance(scheduler: Scheduler, duration: str) -> list[dict[str, str]]:
    """Move the clock on; what the reminders returned."""
    return [result for name, result in fired(scheduler, duration) if name == "ReminderFunction"]


def test_only_schedules_that_fall_due_fire(scheduler: Scheduler) -> None:
    assert names(scheduler) == ["later", "soon"]

    assert advance(scheduler, "30m") == []
    assert names(scheduler) == ["later", "soon"]

    (fired,) = advance(scheduler, "45m")
    assert fired["reminder"] == "soon"
    assert names(scheduler) == ["later"]  # ActionAfterCompletion: DELETE


def test_a_fired_target_sees_its_due_time_as_now(scheduler: Scheduler) -> None:
    due = scheduler.next_due(scheduler.runner.clock.now() + timedelta(days=30))
    assert due is not None

    (fired,) = advance(scheduler, "2h")

    assert fired["now"] == due.due.isoformat()


def test_a_schedule_kept_after_completion_fires_once(scheduler: Scheduler) -> None:
    fired = advance(scheduler, "10d1h")
    assert [f["reminder"] for f in fired] == ["soon", "later"]  # in time order
    assert names(scheduler) == ["later"]  # ActionAfterCompletion: NONE keeps it

    assert advance(scheduler, "270d") == []


def test_the_clock_moves_handlers_time(scheduler: Scheduler) -> None:
    clock = scheduler.runner.clock
    before = clock.now()
    advance(scheduler, "270d")

    moved = clock.now() - before
    assert timedelta(days=270) <= moved < timedelta(days=270, minutes=1)
    assert clock.environment()["TAILOR_NOW"].startswith(f"{clock.now():%Y-%m-%dT%H:%M}")


def test_a_rate_schedule_of_the_template_fires_every_interval(scheduler: Scheduler) -> None:
    ticks = [r for name, r in fired(scheduler, "40m") if name == "TickFunction"]

    assert len(ticks) == 2  # 15 and 30 minutes after the clock first saw the schedule
    assert all(tick["input"] == {"tick": True} for tick in ticks)
    first, second = (datetime.fromisoformat(tick["now"]) for tick in ticks)
    assert second - first == timedelta(minutes=15)


def test_a_long_advance_fires_a_frequent_schedule_only_lately(scheduler: Scheduler) -> None:
    ticks = [r for name, r in fired(scheduler, "3d") if name == "TickFunction"]

    assert len(ticks) == MAX_RATE_OCCURRENCES
    assert scheduler.notes == [
        f"schedule {TICK} (rate(15 minutes)) fell due 288 times; "
        f"the local clock fired the latest {MAX_RATE_OCCURRENCES}"
    ]
    last = datetime.fromisoformat(ticks[-1]["now"])
    assert scheduler.runner.clock.now() - last < timedelta(minutes=15)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("15m", 900), ("36h", 129600), ("270d", 270 * 86400), ("1w2d", 9 * 86400), ("90s", 90)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "15", "15x", "m15", "-3d", "3 days"])
def test_a_bad_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(LocalError, match=r"not a duration: use a number and a unit"):
        parse_duration(text)
