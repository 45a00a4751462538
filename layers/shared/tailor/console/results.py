"""The Results page: what each email type sent and earned, per language, over the last 7, 30
or 90 days, and the same numbers as a CSV file.

The numbers are `tailor report`'s (tailor.attribution.report) over the chosen days; this
module only turns them into rows a person reads: rates, money in the shop's currency.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError

from tailor import clock
from tailor.attribution.config import get_attribution_settings
from tailor.attribution.report import REPORTED, report
from tailor.attribution.store import Results
from tailor.console.http import Response
from tailor.i18n import money
from tailor.settings import get_settings

if TYPE_CHECKING:
    from tailor.console.site import Context

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
# The console is in English; money is formatted as English readers write it.
CONSOLE_LOCALE = "en"


@dataclass(frozen=True)
class Period:
    """The last `days` days, today (UTC, as the counters are kept) included."""

    days: int
    first: date
    last: date

    @classmethod
    def from_query(cls, query: Mapping[str, str], today: date) -> Period:
        asked = query.get("days", "")
        days = int(asked) if asked in {str(d) for d in PERIODS} else DEFAULT_DAYS
        return cls(days, today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class Row:
    """One email type, or one language of it, as the tables show it."""

    label: str
    sent: int
    delivered: int
    bounce_rate: str
    complaint_rate: str
    unsubscribed: int
    click_rate: str
    orders: int
    revenue: str

    @classmethod
    def of(cls, label: str, numbers: Mapping[str, Any], currency: str) -> Row:
        sent, delivered = numbers["sent"], numbers["delivered"]
        return cls(
            label=label,
            sent=sent,
            delivered=delivered,
            # As SES reckons them: bounces of what was sent, complaints of what arrived.
            bounce_rate=rate(numbers["bounced"], sent),
            complaint_rate=rate(numbers["complained"], delivered),
            unsubscribed=numbers["unsubscribed"],
            click_rate=rate(numbers["clicked"], delivered),
            orders=numbers["orders"],
            revenue=money(Decimal(str(numbers["revenue"])), currency, CONSOLE_LOCALE),
        )


@dataclass(frozen=True)
class EmailResults:
    email_type: str
    total: Row
    languages: list[Row]
    offer: Mapping[str, Any] | None
    holdout: Mapping[str, Any] | None


def rate(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def type_label(email_type: str) -> str:
    return email_type.replace("_", " ").capitalize()


def language_label(lang: str) -> str:
    """ "German (de)"; a tag Babel does not know is shown as it is."""
    if not lang:
        return "unknown"
    try:
        name = Locale.parse(lang.replace("-", "_")).get_display_name(CONSOLE_LOCALE)
    except (UnknownLocaleError, ValueError, TypeError):
        return lang
    return f"{name} ({lang})" if name else lang


def collect(period: Period) -> tuple[str, dict[str, Any]]:
    """The shop's currency and the report over the period."""
    currency = get_settings().shop_currency
    results = Results(get_attribution_settings().need("results_table"))
    return currency, report(results, currency, since=period.first)


def active(found: Mapping[str, Any]) -> dict[str, Any]:
    """The email types with anything to show: a count in the period, or a holdout."""
    return {
        email_type: entry
        for email_type, entry in found.items()
        if any(entry[name] for name in REPORTED) or "holdout" in entry
    }


def rows(found: Mapping[str, Any], currency: str) -> list[EmailResults]:
    return [
        EmailResults(
            email_type=email_type,
            total=Row.of(type_label(email_type), entry, currency),
            languages=[
                Row.of(language_label(lang), numbers, currency)
                for lang, numbers in entry["by_language"].items()
            ],
            offer=entry.get("offer"),
            holdout=entry.get("holdout"),
        )
        for email_type, entry in active(found).items()
    ]


def page(context: Context) -> Response:
    period = Period.from_query(context.request.query, clock.now().astimezone(UTC).date())
    currency, found = collect(period)
    shown = rows(found, currency)
    return context.page(
        "results.html.j2",
        title="Results",
        section="results",
        period=period,
        periods=PERIODS,
        currency=currency,
        emails=shown,
        offers=[e for e in shown if e.offer],
        holdouts=[e for e in shown if e.holdout],
        money=lambda amount: money(Decimal(str(amount)), currency, CONSOLE_LOCALE),
    )


# The CSV's columns: the report's numbers as they are (revenue in the currency's units).
CSV_COLUMNS = ("email_type", "language", *REPORTED, "currency", "offers_shown", "offers_taken")


def csv_download(context: Context) -> Response:
    """One row per email type (language "all") and one per language within it."""
    period = Period.from_query(context.request.query, clock.now().astimezone(UTC).date())
    currency, found = collect(period)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)
    for email_type, entry in active(found).items():
        offer = entry.get("offer") or {}
        offered = (offer.get("shown", ""), offer.get("taken", ""))
        writer.writerow([email_type, "all", *(entry[n] for n in REPORTED), currency, *offered])
        for lang, numbers in entry["by_language"].items():
            writer.writerow(
                [email_type, _cell(lang), *(numbers[n] for n in REPORTED), currency, "", ""]
            )
    name = f"results-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        200,
        out.getvalue(),
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


def _cell(text: str) -> str:
    """A stored language tag as data, never a spreadsheet formula (OWASP CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
