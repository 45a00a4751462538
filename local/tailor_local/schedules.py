"""The local clock, and EventBridge Scheduler schedules firing as time passes.

moto stores schedules but never fires them. `tailor clock advance 270d` moves the local
clock forward and fires, in time order, every occurrence that falls due: one-time `at(...)`
schedules and `rate(...)` ones (cron expressions are reported, not fired). Each target runs
at its own due time (TAILOR_NOW is set to it, and `tailor.clock.now()` honours it), then the
streams and queues it fed are drained, so what a firing causes happens before the next one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tailor import clock as tailor_clock

from tailor_local.state import LocalError, State

if TYPE_CHECKING:
    from tailor_local.reports import Host, Report

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_RATE_UNITS = {
    "minute": 60,
    "minutes": 60,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,
    "days": 86400,
}
# Firings in one advance, all schedules together (a guard against schedules creating schedules).
MAX_OCCURRENCES = 10_000
# A rate schedule falling due more often than this in one advance fires its latest occurrences
# only: nothing but schedules happens during an advance, so a periodic job (a watchdog reading
# current state) learns what it needs from its latest runs, and 270 days of a 15-minute
# watchdog would otherwise be 25,920 runs.
MAX_RATE_OCCURRENCES = 2


def parse_duration(text: str) -> timedelta:
    """`15m`, `36h`, `270d`, `1w2d`, `90s` -> timedelta."""
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise LocalError(
            f"{text!r} is not a duration: use a number and a unit (s, m, h, d, w), "
            "e.g. 15m, 36h or 270d"
        )
    return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


class Clock:
    """Real time (tailor.clock's, so TAILOR_NOW pins it) plus the local cloud's offset;
    pinned to a moment while a schedule fires."""

    def __init__(self, state: State, real_now: Callable[[], datetime] | None = None) -> None:
        self.state = state
        self._real_now = real_now or tailor_clock.now
        self._pinned: datetime | None = None

    @property
    def offset(self) -> timedelta:
        return timedelta(seconds=self.state.clock_offset_seconds)

    def now(self) -> datetime:
        return self._pinned or self._real_now() + self.offset

    def environment(self) -> dict[str, str]:
        """TAILOR_NOW for handlers, whenever local time differs from real time."""
        if self._pinned is None and not self.state.clock_offset_seconds:
            return {}
        return {"TAILOR_NOW": self.now().isoformat()}

    @contextmanager
    def pinned(self, moment: datetime) -> Iterator[None]:
        saved, self._pinned = self._pinned, moment
        try:
            yield
        finally:
            self._pinned = saved

    def advance(self, delta: timedelta) -> None:
        if delta.total_seconds() < 0:
            raise LocalError("the local clock only moves forward")
        self.state.clock_offset_seconds += delta.total_seconds()
        self.state.save()


@dataclass(frozen=True)
class Occurrence:
    due: datetime
    schedule: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.schedule.get('GroupName', 'default')}/{self.schedule['Name']}"


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return None


def rate_step(expression: str) -> timedelta | None:
    """The interval of a `rate(N unit)` expression, else None."""
    rate = re.fullmatch(r"rate\((\d+)\s+(\w+)\)", expression.strip())
    if rate is None or rate.group(2) not in _RATE_UNITS:
        return None
    return timedelta(seconds=int(rate.group(1)) * _RATE_UNITS[rate.group(2)])


def next_occurrence(schedule: dict[str, Any], last_fired: datetime | None) -> datetime | None:
    """When the schedule fires next after `last_fired` (None when never again, or cron)."""
    expression = str(schedule.get("ScheduleExpression", "")).strip()
    try:
        zone = ZoneInfo(str(schedule.get("ScheduleExpressionTimezone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    at = re.fullmatch(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)", expression)
    if at:
        if last_fired is not None:
            return None
        return datetime.fromisoformat(at.group(1)).replace(tzinfo=zone).astimezone(UTC)
    step = rate_step(expression)
    if step is not None:
        start = _aware(schedule.get("StartDate")) or _aware(schedule.get("CreationDate"))
        if start is None:
            return None
        due = start + step if last_fired is None else last_fired + step
        end = _aware(schedule.get("EndDate"))
        return None if end is not None and due > end else due
    return None


class Scheduler:
    """Fires due schedules of the local cloud's EventBridge Scheduler."""

    def __init__(self, runner: Host) -> None:
        self.runner = runner
        self.client = runner.cloud.client("scheduler")
        self.skipped: set[str] = set()
        self._notes: dict[str, str] = {}
        self._details: dict[tuple[str, str], dict[str, Any]] = {}

    @property
    def notes(self) -> list[str]:
        return list(self._notes.values())

    def advance(self, delta: timedelta) -> list[Report]:
        """Move the local clock on by `delta`, firing what falls due on the way."""
        clock = self.runner.clock
        start = clock.now()
        state = self.runner.cloud.state
        for schedule in self.schedules():
            if schedule["Arn"] not in state.fired and rate_step(schedule["ScheduleExpression"]):
                # A rate schedule counts from when the local clock first sees it.
                state.fired[schedule["Arn"]] = start.isoformat()
        reports = self.run_until(start + delta)
        clock.advance(delta)
        return reports

    def schedules(self) -> list[dict[str, Any]]:
        """The enabled schedules, in full (fetched again only when one was modified)."""
        found = []
        paginator = self.client.get_paginator("list_schedules")
        for page in paginator.paginate(State="ENABLED"):
            for summary in page.get("Schedules", []):
                key = (summary["Arn"], str(summary.get("LastModificationDate")))
                if key not in self._details:
                    self._details[key] = self.client.get_schedule(
                        Name=summary["Name"], GroupName=summary.get("GroupName", "default")
                    )
                found.append(self._details[key])
        return found

    def next_due(self, until: datetime) -> Occurrence | None:
        earliest: Occurrence | None = None
        state = self.runner.cloud.state
        for schedule in self.schedules():
            fired = state.fired.get(schedule["Arn"])
            due = next_occurrence(schedule, datetime.fromisoformat(fired) if fired else None)
            if due is None:
                if not str(schedule.get("ScheduleExpression", "")).startswith("at("):
                    self.skipped.add(f"{schedule['Name']} ({schedule.get('ScheduleExpression')})")
                continue
            if due > until:
                continue
            due = self._latest_only(schedule, due, until)
            if earliest is None or due < earliest.due:
                earliest = Occurrence(due, schedule)
        return earliest

    def _latest_only(self, schedule: dict[str, Any], due: datetime, until: datetime) -> datetime:
        step = rate_step(str(schedule.get("ScheduleExpression", "")))
        if step is None:
            return due
        falling_due = int((until - due) / step) + 1
        if falling_due <= MAX_RATE_OCCURRENCES:
            return due
        self._notes.setdefault(
            schedule["Arn"],
            f"schedule {schedule['Name']} ({schedule['ScheduleExpression']}) fell due "
            f"{falling_due} times; the local clock fired the latest {MAX_RATE_OCCURRENCES}",
        )
        return due + step * (falling_due - MAX_RATE_OCCURRENCES)

    def run_until(self, until: datetime) -> list[Report]:
        """Fire every occurrence due up to `until`, earliest first, each at its own time."""
        reports = []
        for _ in range(MAX_OCCURRENCES):
            occurrence = self.next_due(until)
            if occurrence is None:
                break
            with self.runner.clock.pinned(occurrence.due):
                reports.append(self.fire(occurrence))
        return reports

    def fire(self, occurrence: Occurrence) -> Report:
        schedule = occurrence.schedule
        state = self.runner.cloud.state
        state.fired[schedule["Arn"]] = occurrence.due.isoformat()
        state.save()
        target = schedule.get("Target") or {}
        label = f"schedule {occurrence.name} due {occurrence.due:%Y-%m-%d %H:%M} UTC"
        report = self.runner.fire_target(target, label, f"schedule:{occurrence.name}")
        if (
            schedule.get("ActionAfterCompletion") == "DELETE"
            and next_occurrence(schedule, occurrence.due) is None
        ):
            self.client.delete_schedule(
                Name=schedule["Name"], GroupName=schedule.get("GroupName", "default")
            )
            state.fired.pop(schedule["Arn"], None)
            state.save()
            report.notes.append(f"schedule {occurrence.name} deleted after completion")
        return report


def target_input(target: dict[str, Any]) -> Any:
    """A schedule target's Input: JSON when it parses, else the string as given."""
    raw = target.get("Input")
    if raw is None:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return raw
