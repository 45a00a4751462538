"""Business-hours arithmetic: weekends, evenings, holidays, time zones, daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from tailor.settings import SettingsError
from tailor.support.config import SupportSettings, working_days
from tailor.support.sla import BusinessHours

CHICAGO = BusinessHours(zone_name="America/Chicago")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "hours", "due"),
    [
        # Monday 09:10 Chicago + 4h -> 13:10 the same day.
        ("2026-11-23T15:10", 4, "2026-11-23T19:10"),
        # Monday 15:00 Chicago + 4h -> 2h today, 2h Tuesday from 09:00 -> Tuesday 11:00.
        ("2026-11-23T21:00", 4, "2026-11-24T17:00"),
        # Friday 18:00 Chicago (after hours) + 4h -> Monday 13:00.
        ("2026-11-28T00:00", 4, "2026-11-30T19:00"),
        # Saturday + 1h -> Monday 10:00.
        ("2026-11-21T16:00", 1, "2026-11-23T16:00"),
        # Monday 07:00 Chicago (before opening) + 8h -> Monday 17:00.
        ("2026-11-23T13:00", 8, "2026-11-23T23:00"),
        # 20 business hours = two and a half days.
        ("2026-11-23T15:00", 20, "2026-11-25T19:00"),
    ],
)
def test_due_times_count_only_business_hours(received: str, hours: float, due: str) -> None:
    assert CHICAGO.add(utc(received), hours) == utc(due)


def test_holidays_are_skipped() -> None:
    hours = BusinessHours(zone_name="America/Chicago", holidays=frozenset({date(2026, 11, 26)}))

    # Wednesday 16:00 + 2h -> 1h Wednesday, Thursday is Thanksgiving, Friday 10:00.
    assert hours.add(utc("2026-11-25T22:00"), 2) == utc("2026-11-27T16:00")


def test_opening_hours_hold_across_daylight_saving() -> None:
    # Friday 16:00 CDT, before the change on Sunday 1 November; due Monday 12:00 CST.
    assert CHICAGO.add(utc("2026-10-30T21:00"), 4) == utc("2026-11-02T18:00")


def test_a_weekend_desk_and_a_desk_in_another_zone() -> None:
    tokyo = BusinessHours(
        zone_name="Asia/Tokyo", days=working_days("Sun-Thu"), opens=time(10), closes=time(19)
    )

    # Friday 12:00 Tokyo: closed Friday and Saturday, opens Sunday 10:00 -> 12:00.
    assert tokyo.add(utc("2026-11-27T03:00"), 2) == utc("2026-11-29T03:00")


def test_business_time_between_two_moments() -> None:
    # Friday 16:00 to Monday 10:00 Chicago: one hour Friday, one hour Monday.
    assert CHICAGO.between(utc("2026-11-27T22:00"), utc("2026-11-30T16:00")) == timedelta(hours=2)
    assert CHICAGO.between(utc("2026-11-30T16:00"), utc("2026-11-27T22:00")) == timedelta(0)


def test_settings_read_working_days_hours_and_holidays() -> None:
    settings = SupportSettings.from_env(
        {
            "SLA_WORKING_DAYS": "Mon-Wed,Fri",
            "SLA_BUSINESS_HOURS": "08:30-16:00",
            "SLA_HOLIDAYS": "2026-12-25, 2027-01-01",
            "SLA_TIMEZONE": "Europe/Berlin",
        }
    )
    hours = settings.business_hours("UTC")

    assert hours.days == frozenset({0, 1, 2, 4})
    assert (hours.opens, hours.closes) == (time(8, 30), time(16))
    assert date(2026, 12, 25) in hours.holidays
    assert hours.zone_name == "Europe/Berlin"
    assert SupportSettings.from_env({}).business_hours("America/Chicago").zone_name == (
        "America/Chicago"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLA_WORKING_DAYS", "Funday"),
        ("SLA_BUSINESS_HOURS", "17:00-09:00"),
        ("SLA_BUSINESS_HOURS", "9 to 5"),
        ("SLA_HOLIDAYS", "25/12/2026"),
        ("SUPPORT_ADDRESS", "not an address"),
    ],
)
def test_malformed_settings_fail_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        SupportSettings.from_env({name: value})
