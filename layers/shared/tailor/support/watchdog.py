"""The SLA watchdog: every few minutes, what is overdue or about to be, told to the lead.

It reads the tickets waiting on us (a sparse index sorted by due time), emails the support
lead a digest when a ticket newly falls due soon or overdue (each ticket appears once per
stage, so the lead is not mailed the same list every quarter hour), marks breaches, and
publishes the desk's health as two metrics the dashboard reads: the backlog and the tickets
overdue. What is due soon and the first-response time (median and 90th percentile over the
last 7 days) are in its answer; each metric costs $0.30 a month.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from babel.dates import format_skeleton, format_time, format_timedelta

from tailor import clock, copy, i18n
from tailor.delivery import deliver, skipped
from tailor.observability import logger, metrics
from tailor.profiles import Profile
from tailor.support.models import Ticket
from tailor.support.runtime import Desk

EMAIL_TYPE = "support_sla_digest"
FIRST_RESPONSE_DAYS = 7
MAX_LISTED = 100


def watch() -> dict[str, Any]:
    desk = Desk.from_env()
    now = clock.now()
    soon = now + timedelta(minutes=desk.support.sla_warn_minutes)
    waiting = desk.store.waiting()
    overdue = [t for t in waiting if t.due_at is not None and t.due_at <= now]
    at_risk = [t for t in waiting if t.due_at is not None and now < t.due_at <= soon]
    responses = desk.store.first_responses(
        [(now - timedelta(days=d)).date().isoformat() for d in range(FIRST_RESPONSE_DAYS)]
    )
    p50, p90 = percentile(responses, 50), percentile(responses, 90)
    _measure(len(waiting), len(overdue))

    fresh = [t for t in overdue if t.alerted != "overdue"] + [t for t in at_risk if t.alerted == ""]
    summary = {
        "backlog": len(waiting),
        "overdue": [t.ticket_id for t in overdue],
        "at_risk": [t.ticket_id for t in at_risk],
        "first_response_p50_seconds": p50,
        "first_response_p90_seconds": p90,
    }
    if not fresh:
        return {**summary, "digest": skipped(EMAIL_TYPE, "nothing newly due")}
    lead = desk.lead_address
    fresh_ids = {t.ticket_id for t in fresh}
    zone = desk.hours.zone_name
    # The lead reads the desk in the shop's own language, as its staff console is.
    locale = copy.resolve_locale(desk.settings.default_locale)

    def row(ticket: Ticket) -> dict[str, Any]:
        return _row(ticket, now, zone, locale, ticket.ticket_id in fresh_ids)

    context = {
        "brand": desk.settings.brand(),
        "lang": copy.resolve_language(locale),
        "locale": locale,
        "zone": zone,
        "warn_minutes": desk.support.sla_warn_minutes,
        "backlog": len(waiting),
        "overdue": [row(t) for t in overdue[:MAX_LISTED]],
        "at_risk": [row(t) for t in at_risk[:MAX_LISTED]],
        "first_response": {
            "count": len(responses),
            "p50": _duration(p50, locale),
            "p90": _duration(p90, locale),
        },
    }
    result = deliver(EMAIL_TYPE, context, Profile(email=lead))
    for ticket in fresh:
        stage = "overdue" if ticket in overdue else "at_risk"
        desk.store.update_ticket(
            ticket.ticket_id,
            lambda t, stage=stage: t.model_copy(  # type: ignore[misc]
                update={"alerted": stage, "breached": t.breached or stage == "overdue"}
            ),
        )
    logger.info("SLA digest sent", extra={"overdue": len(overdue), "at_risk": len(at_risk)})
    return {**summary, "digest": result}


def percentile(values: list[int], pct: float) -> int | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _measure(backlog: int, overdue: int) -> None:
    metrics.add_metric(name="SupportBacklog", unit=MetricUnit.Count, value=backlog)
    metrics.add_metric(name="SupportSlaBreaches", unit=MetricUnit.Count, value=overdue)


def _row(ticket: Ticket, now: datetime, zone: str, locale: str, new: bool) -> dict[str, Any]:
    """A ticket as the digest lists it; `intent` is its name, which the copy words."""
    since = ticket.waiting_since or ticket.created_at
    customer = ticket.customer_name or ticket.customer_email
    if ticket.customer_name:
        customer = f"{ticket.customer_name} <{ticket.customer_email}>"
    return {
        "number": ticket.ticket_id,
        "subject": ticket.subject,
        "intent": ticket.intent,
        "order_number": ticket.order_number,
        "customer": customer,
        "waiting_since": _local(since, zone, locale),
        "waiting_for": _duration(int((now - since).total_seconds()), locale),
        "due": _local(ticket.due_at, zone, locale) if ticket.due_at else "",
        "new": new,
    }


def _local(moment: datetime, zone: str, locale: str) -> str:
    """Weekday, day, month and time as the language writes them ("Mon, Nov 23 13:10")."""
    local = moment.astimezone(ZoneInfo(zone))
    babel_locale = i18n.parse_locale(locale)
    day = format_skeleton("MMMEd", local, locale=babel_locale)
    return f"{day} {format_time(local, 'short', locale=babel_locale)}"


def _duration(seconds: int | None, locale: str) -> str:
    if seconds is None:
        return ""
    return str(
        format_timedelta(
            timedelta(seconds=seconds), threshold=1.5, locale=i18n.parse_locale(locale)
        )
    )
