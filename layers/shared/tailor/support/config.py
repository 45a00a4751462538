"""The support desk's own settings, read from the environment template.yaml gives its functions.

Validated once at cold start like `tailor.settings.Settings`: a malformed SLA setting fails
the cold start naming the variable, instead of a ticket getting a wrong due time.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import ClassVar

from pydantic import Field, field_validator

from tailor.settings import EnvSettings
from tailor.support.sla import BusinessHours

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SupportSettings(EnvSettings):
    """Support desk environment (names are the upper-cased fields)."""

    scope: ClassVar[str] = "support desk environment"

    tickets_table: str = ""
    mail_bucket: str = ""
    event_bus_name: str = ""
    support_address: str = ""
    support_lead_address: str = ""
    comments_address: str = ""
    # Business hours the SLA clock runs in.
    sla_first_reply_hours: float = Field(default=4, gt=0, le=24 * 14)
    sla_next_reply_hours: float = Field(default=8, gt=0, le=24 * 14)
    sla_warn_minutes: int = Field(default=60, ge=0, le=24 * 60)
    sla_timezone: str = ""
    sla_working_days: str = "Mon,Tue,Wed,Thu,Fri"
    sla_business_hours: str = "09:00-17:00"
    sla_holidays: str = ""
    # Loop protection: acknowledgements per ticket and per sender.
    ack_interval_minutes: int = Field(default=60, ge=1)
    acks_per_sender_per_hour: int = Field(default=5, ge=1)
    # Canned responses the shop edits without a deploy live under this prefix of the bucket.
    canned_prefix: str = "canned/"
    return_days: int = Field(default=30, ge=0, le=365)
    returns_url: str = ""
    # Inbound mail limits (SES accepts messages up to 40 MB).
    max_message_bytes: int = Field(default=30 * 1024 * 1024, ge=1024)
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
    max_text_chars: int = Field(default=100_000, ge=1000)

    @field_validator("support_address", "support_lead_address", "comments_address")
    @classmethod
    def _address_or_empty(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @field_validator("sla_working_days")
    @classmethod
    def _days(cls, value: str) -> str:
        working_days(value)
        return value

    @field_validator("sla_business_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        opening_hours(value)
        return value

    @field_validator("sla_holidays")
    @classmethod
    def _holidays(cls, value: str) -> str:
        holidays(value)
        return value

    def business_hours(self, shop_timezone: str) -> BusinessHours:
        start, end = opening_hours(self.sla_business_hours)
        return BusinessHours(
            zone_name=self.sla_timezone or shop_timezone,
            days=working_days(self.sla_working_days),
            opens=start,
            closes=end,
            holidays=holidays(self.sla_holidays),
        )


def working_days(text: str) -> frozenset[int]:
    """`Mon,Tue,Wed`, `Mon-Fri` or `Sun-Thu` -> weekday numbers (Monday is 0)."""
    found: set[int] = set()
    for item in (part.strip().lower() for part in text.split(",")):
        if not item:
            continue
        first, _, last = (side.strip()[:3] for side in item.partition("-"))
        last = last or first
        if first not in _DAYS or last not in _DAYS:
            raise ValueError(f"unknown weekday {item!r}: use Mon, Tue, ... Sun or a range Mon-Fri")
        day, stop = _DAYS.index(first), _DAYS.index(last)
        found.add(day)
        while day != stop:
            day = (day + 1) % 7
            found.add(day)
    if not found:
        raise ValueError("at least one working day is needed")
    return frozenset(found)


def opening_hours(text: str) -> tuple[time, time]:
    """`09:00-17:30` -> (09:00, 17:30)."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)\s*", text)
    if not match:
        raise ValueError(f"business hours {text!r} must look like 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    try:
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError as error:
        raise ValueError(f"business hours {text!r}: {error}") from None
    if closes <= opens:
        raise ValueError(f"business hours {text!r} must close after they open")
    return opens, closes


def holidays(text: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(d.strip()) for d in text.split(",") if d.strip())
    except ValueError as error:
        raise ValueError(f"holidays must be ISO dates (2026-12-25,...): {error}") from None


def get_support_settings() -> SupportSettings:
    return SupportSettings.current()
