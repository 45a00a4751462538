"""The sending policy: the one decision every email passes before it reaches SES.

send, defer until a time, or skip with a reason. Suppressed addresses (hard bounce,
complaint, repeated soft bounces) get nothing. Transactional mail is otherwise always
sent, never capped or deferred. Marketing needs consent for its topic, and is deferred
(not dropped) during quiet hours in the customer's time zone and while the customer's
frequency cap is used up, unless the customer asked for it by their own action just now
(the welcome after confirming a subscription): that goes out at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from tailor import consent
from tailor.profiles import Profile
from tailor.settings import Settings
from tailor.zones import customer_zone

Action = Literal["send", "defer", "skip"]


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    until: datetime | None = None


SEND_TRANSACTIONAL = Decision("send", "transactional")


def decide(
    profile: Profile,
    topic: str | None,
    settings: Settings,
    now: datetime,
    *,
    requested_by_customer: bool = False,
) -> Decision:
    """`topic` is None for transactional mail, else the marketing topic it belongs to.

    `requested_by_customer`: the customer's own action just now asked for this email, so
    they are awake and waiting for it; quiet hours and the frequency cap do not hold it."""
    if profile.suppressed:
        return Decision("skip", f"address suppressed ({profile.suppressed})")
    if topic is None:
        return SEND_TRANSACTIONAL
    if not consent.allows(profile, topic):
        return Decision("skip", f"no consent for {topic}")
    if requested_by_customer:
        return Decision("send", f"requested by the customer ({topic})")
    quiet_until = end_of_quiet_hours(now, customer_zone(profile, settings), settings)
    if quiet_until is not None:
        return Decision("defer", "quiet hours", quiet_until)
    cap = timedelta(hours=settings.cap_hours(topic))
    if profile.last_marketing_at is not None and now < profile.last_marketing_at + cap:
        return Decision("defer", "frequency cap", profile.last_marketing_at + cap)
    return Decision("send", f"consent for {topic}")


def end_of_quiet_hours(now: datetime, zone: ZoneInfo, settings: Settings) -> datetime | None:
    """When quiet hours end, if `now` falls inside them (the window may wrap midnight)."""
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    if start == end:
        return None
    local = now.astimezone(zone)
    hour = local.hour
    quiet = (start <= hour < end) if start < end else (hour >= start or hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end), tzinfo=zone)
