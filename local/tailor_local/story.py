"""The demo story as data: its steps, and what each step caused (kept apart from the player,
so the gallery that shows them does not import the player that writes the gallery)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tailor_local import outbox
from tailor_local.reports import Report

SCHEDULED = "schedule:"  # the event id of a schedule's firing


@dataclass(frozen=True)
class Step:
    title: str
    caption: str
    when: str = ""
    clock: str | None = None
    deliver: tuple[str, ...] = ()
    click: dict[str, Any] | None = None


@dataclass(frozen=True)
class Story:
    title: str
    shop: str
    intro: str
    start: datetime | timedelta
    steps: tuple[Step, ...]
    folder: Path
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class Click:
    """A link followed (or a form submitted) and what the shop answered."""

    who: str
    text: str
    url: str
    method: str = "GET"
    status: int | None = None
    location: str | None = None
    page_title: str | None = None
    page: str = ""
    report: Report | None = None


@dataclass
class StepResult:
    number: int
    step: Step
    reports: list[Report] = field(default_factory=list)
    clicks: list[Click] = field(default_factory=list)
    emails: list[outbox.Email] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> list[Report]:
        """The reports of delivered events and mail (not of schedules that fired)."""
        return [r for r in self.reports if not r.event_id.startswith(SCHEDULED)]

    @property
    def failures(self) -> list[str]:
        clicked = [c.report for c in self.clicks if c.report is not None]
        return self.problems + [f for r in [*self.reports, *clicked] for f in r.failures]
