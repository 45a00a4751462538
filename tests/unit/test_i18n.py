"""Money as the customer reads it."""

from decimal import Decimal

import pytest
from tailor.i18n import language, money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1234.5", "USD", "en", "$1,234.50"),
        ("1234.5", "EUR", "de-DE", "1.234,50\xa0€"),
        ("1234.5", "EUR", "fr", "1\u202f234,50\xa0€"),
        ("5800", "JPY", "ja", "￥5,800"),
        ("5800.4", "JPY", "en", "¥5,800"),
        ("19.999", "USD", "en-US", "$20.00"),
        ("7", "CHF", "de_CH", "CHF\xa07.00"),
        ("12", "USD", "xx-unknown", "$12.00"),
        ("12", "USD", None, "$12.00"),
    ],
)
def test_money_follows_locale_and_currency(
    amount: str, currency: str, locale: str | None, expected: str
) -> None:
    assert money(Decimal(amount), currency, locale) == expected


def test_language_for_the_html_lang_attribute() -> None:
    assert language("de-DE") == "de"
    assert language("pt_BR") == "pt"
    assert language("not a locale") == "en"
