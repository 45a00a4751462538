"""Locales, money and times as the customer reads them: `$1,234.50`, `1.234,50 €`,
`￥5,800`, `November 23, 2026`, `2:00 PM CST`, `14:00 MEZ`.

Every date and time an email shows comes from here, in the customer's zone
(`tailor.zones.customer_zone`): one date style (CLDR's long) and one time style (the
locale's short time with the zone's short name) per language.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone_gmt, get_timezone_name
from babel.numbers import format_currency, format_percent, get_currency_precision
from babel.units import format_unit


@cache
def parse_locale(tag: str | None, default: str = "en") -> Locale:
    """A Babel locale from a tag such as `de-DE`, `pt_BR` or `ja`; unknown tags fall back."""
    for candidate in (tag, default, "en"):
        if not candidate:
            continue
        try:
            return Locale.parse(candidate.strip().replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale("en")


def language(tag: str | None, default: str = "en") -> str:
    """The BCP 47 language for `<html lang>`."""
    return parse_locale(tag, default).language


def country(code: str | None, locale: str | None, given: str | None = None) -> str | None:
    """A country's name in the customer's language from its ISO code ("US" is "Vereinigte
    Staaten" in German), else the name the address came with (Shopify's is English)."""
    if code:
        name = parse_locale(locale).territories.get(code.strip().upper())
        if name:
            return str(name)
    return given


def money(amount: Decimal, currency: str, locale: str | None) -> str:
    """Format an amount with the currency's own precision (no decimals for JPY)."""
    digits = get_currency_precision(currency)
    return format_currency(
        amount.quantize(Decimal(1).scaleb(-digits)),
        currency,
        locale=parse_locale(locale),
        currency_digits=True,
    )


def day(moment: datetime, zone: ZoneInfo, locale: str | None) -> str:
    """The day `moment` falls on where the customer is, e.g. "November 23, 2026"."""
    return format_date(moment.astimezone(zone), format="long", locale=parse_locale(locale))


def time_of_day(moment: datetime, zone: ZoneInfo, locale: str | None) -> str:
    """The time in the customer's zone, named so they know which: "2:00 PM CST", "14:00 MEZ".

    The locale's short time plus CLDR's short zone name, else (where the language has no
    abbreviation for the zone) its localized offset: "20:10 UTC+01:00", not "+0100"."""
    babel_locale = parse_locale(locale)
    local = moment.astimezone(zone)
    pattern = babel_locale.time_formats["short"].pattern
    name = get_timezone_name(local, "short", locale=babel_locale)
    if name.startswith(("+", "-")):
        name = get_timezone_gmt(local, "long", locale=babel_locale)
    return f"{format_time(local, pattern, locale=babel_locale)} {name}"


def day_and_time(moment: datetime, zone: ZoneInfo, locale: str | None) -> str:
    """Both, joined as the language joins them: "November 23, 2026, 1:10 PM CST"."""
    joined = parse_locale(locale).datetime_formats["long"]
    return (
        str(joined)
        .replace("'", "")
        .replace("{1}", day(moment, zone, locale))
        .replace("{0}", time_of_day(moment, zone, locale))
    )


def percent(value: Decimal | int, locale: str | None) -> str:
    """A percentage as the language writes it, decimals kept: "20%", "12,5 %" (de)."""
    return format_percent(
        Decimal(value) / 100, locale=parse_locale(locale), decimal_quantization=False
    )


def elapsed(since: datetime, until: datetime, locale: str | None) -> str:
    """Time gone by as a person counts it, in the customer's language: "9 months",
    "6 Wochen", "9か月" (days under two weeks, weeks under two months, then months, years)."""
    days = max(1, round((until - since).total_seconds() / 86400))
    if days < 14:
        count, unit = days, "day"
    elif days < 60:
        count, unit = round(days / 7), "week"
    elif round(days / 30.44) < 12:
        count, unit = round(days / 30.44), "month"
    else:
        count, unit = round(days / 365.25), "year"
    return format_unit(count, f"duration-{unit}", length="long", locale=parse_locale(locale))
