"""Locales and money as the customer reads them: `$1,234.50`, `1.234,50 €`, `￥5,800`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision


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


def money(amount: Decimal, currency: str, locale: str | None) -> str:
    """Format an amount with the currency's own precision (no decimals for JPY)."""
    digits = get_currency_precision(currency)
    return format_currency(
        amount.quantize(Decimal(1).scaleb(-digits)),
        currency,
        locale=parse_locale(locale),
        currency_digits=True,
    )


def long_date(moment: datetime, locale: str | None) -> str:
    return format_date(moment, format="long", locale=parse_locale(locale))
