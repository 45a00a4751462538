"""When review requests and replenishment reminders fire, and what they carry.

The schedules themselves are `tailor.scheduling`'s: one-time, deterministically named,
self-deleting. Here: a sensible local hour, and a canonical event as their input.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tailor.events.canonical import Model

SOURCE = "tailor.aftercare"
# A schedule computed for a moment already past (a late webhook) fires shortly instead.
MINIMUM_LEAD = timedelta(minutes=5)


def local_hour(moment: datetime, zone: ZoneInfo, hour: int, now: datetime) -> datetime:
    """`hour`:00 in `zone` on the day `moment` falls on there, and not before `now`."""
    day = moment.astimezone(zone).date()
    at = datetime.combine(day, time(hour), tzinfo=zone)
    return max(at, now + MINIMUM_LEAD).astimezone(UTC)


def as_event(model: Model, name: str, now: datetime) -> dict[str, Any]:
    """The EventBridge-shaped input the target's handler parses like any canonical event."""
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SOURCE}/{name}")),
        "detail-type": model.detail_type,
        "source": SOURCE,
        "time": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [],
        "detail": model.model_dump(mode="json", exclude_none=True),
    }
