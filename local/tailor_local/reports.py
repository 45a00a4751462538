"""What delivering an event caused, and what the runner's parts may ask of the runner.

The records (`Send`, `Invocation`, `Report`) and the `Host` protocol live here so that the
parts the runner drives (inbound mail, streams and queues, schedules, the outbox) depend on
this module and never on the runner: imports go one way, runner -> parts -> reports.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tailor_local.cloud import Cloud
    from tailor_local.invoke import Outcome
    from tailor_local.template import Function, Template


@dataclass
class Send:
    """One send a function made that SES accepted."""

    ses_message_id: str
    email_type: str | None
    function_id: str
    event_id: str
    recipients: list[str] = field(default_factory=list)


@dataclass
class Invocation:
    function_id: str
    trigger: str
    outcome: Outcome
    attempts: int = 1
    sends: list[Send] = field(default_factory=list)
    dead_letter: str | None = None
    event: Any = field(default=None, repr=False)


@dataclass
class Report:
    """Everything one delivered event (or fired schedule) caused."""

    event_id: str
    label: str
    bus: str | None
    origin: str = ""
    rules: list[str] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sends(self) -> list[Send]:
        return [send for invocation in self.invocations for send in invocation.sends]

    @property
    def ok(self) -> bool:
        return not self.failures


def event_label(event: Any) -> str:
    if not isinstance(event, dict):
        return type(event).__name__
    label = str(event.get("detail-type") or "event")
    detail = event.get("detail")
    metadata = detail.get("metadata") if isinstance(detail, dict) else None
    if isinstance(metadata, dict) and metadata.get("X-Shopify-Topic"):
        label += f" {metadata['X-Shopify-Topic']}"
    return label


class HostClock(Protocol):
    """The local clock as the parts use it (`schedules.Clock` is the one the runner has)."""

    def now(self) -> datetime: ...

    def pinned(self, moment: datetime) -> AbstractContextManager[None]: ...

    def advance(self, delta: timedelta) -> None: ...


class Host(Protocol):
    """What inbound mail, streams and schedules ask of the runner that drives them."""

    @property
    def template(self) -> Template: ...

    @property
    def cloud(self) -> Cloud: ...

    @property
    def clock(self) -> HostClock: ...

    @property
    def cache(self) -> dict[str, str]: ...

    @property
    def current(self) -> Report: ...

    def reporting(self, report: Report) -> AbstractContextManager[Report]: ...

    def drain(self) -> None: ...

    def invoke_sync(self, function: Function, event: Any, trigger: str) -> Invocation: ...

    def invoke_async(self, function: Function, event: Any, trigger: str) -> Invocation: ...

    def send_to_queue(self, queue: str, body: Any) -> None: ...

    def fire_target(self, target: dict[str, Any], label: str, event_id: str) -> Report: ...
