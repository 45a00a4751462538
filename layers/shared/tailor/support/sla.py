"""The SLA clock: business hours in the support team's time zone, working days and holidays.

"First reply within 4 business hours" means hours when the desk is open: a message that
arrives on Friday evening is due on Monday morning, not Saturday. Arithmetic runs on the
local wall clock (so a desk that opens at 09:00 opens at 09:00 on both sides of a daylight
saving change) and results are returned in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

# No desk is closed for longer than this; guards against a calendar with no working day.
_MAX_DAYS_SEARCHED = 400


@dataclass(frozen=True)
class BusinessHours:
    zone_name: str = "UTC"
    days: frozenset[int] = frozenset(range(5))
    opens: time = time(9)
    closes: time = time(17)
    holidays: frozenset[date] = field(default_factory=frozenset)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def add(self, moment: datetime, hours: float) -> datetime:
        """The moment `hours` business hours after `moment` (aware), in UTC."""
        remaining = timedelta(hours=hours)
        cursor = self._next_open(self._local(moment))
        for _ in range(_MAX_DAYS_SEARCHED):
            closing = _on(cursor.date(), self.closes)
            available = closing - cursor
            if remaining <= available:
                return self._utc(cursor + remaining)
            remaining -= available
            cursor = self._next_open(closing)
        raise ValueError("the business calendar has no working day within a year")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from `start` to `end` (zero when end is not after start)."""
        if end <= start:
            return timedelta(0)
        cursor, stop = self._local(start), self._local(end)
        total = timedelta(0)
        day = cursor.date()
        while day <= stop.date():
            if self.is_working_day(day):
                opening = max(_on(day, self.opens), cursor)
                closing = min(_on(day, self.closes), stop)
                if closing > opening:
                    total += closing - opening
            day += timedelta(days=1)
        return total

    # ------------------------------------------------------------------ helpers
    def _local(self, moment: datetime) -> datetime:
        """Naive wall-clock time in the desk's zone."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def _utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def _next_open(self, local: datetime) -> datetime:
        """`local` if the desk is open then, else the next opening time."""
        day = local.date()
        for _ in range(_MAX_DAYS_SEARCHED):
            if self.is_working_day(day):
                opening, closing = _on(day, self.opens), _on(day, self.closes)
                if local < opening:
                    return opening
                if local < closing:
                    return local
            day += timedelta(days=1)
            local = _on(day, time(0))
        raise ValueError("the business calendar has no working day within a year")


def _on(day: date, at: time) -> datetime:
    return datetime.combine(day, at)
