"""Discounts the shop offers in its emails (a referral welcome, a referral reward, a come-back
code), as values every language words itself.

A merchant sets a discount as a number, never as a sentence: "15%" (a percentage) or "10",
"10.00", "10 USD" (an amount in the shop's currency). Each email then says it in its own
language from its copy ("15 % Rabatt auf Ihre erste Bestellung"), so a German customer never
reads the shop's English inside a German email. What the discount applies to (the first
order, the next one) follows from the email that offers it.

A setting holding a discount is validated at cold start like any other: a value that is not
one fails, naming the template.yaml parameter and the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from babel.numbers import get_currency_precision
from pydantic import PlainValidator, ValidationInfo

from tailor import i18n

# What a discount applies to, as the copy keys name it: discount_<applies_to>_<kind>.
AppliesTo = Literal["first_order", "next_order"]

_PERCENT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*%$")
_AMOUNT = re.compile(r"^(?P<number>\d+(?:\.\d{1,2})?)(?:\s*(?P<currency>[A-Z]{3}))?$")
EXPECTED = 'a percentage ("15%") or an amount in the shop\'s currency ("10", "10.00", "10 USD")'


@dataclass(frozen=True)
class Discount:
    """A percentage off (`kind` "percent"), or an amount off in `currency`, else the shop's."""

    kind: Literal["percent", "amount"]
    value: Decimal
    currency: str | None = None

    def wording(self, applies_to: AppliesTo, currency: str, locale: str) -> dict[str, str]:
        """What a template needs to word the discount: `t(offer.key, percent=..., amount=...)`,
        the number written as the email's locale writes it ("15 %", "10,00 $")."""
        worded = {"percent": "", "amount": ""}
        if self.kind == "percent":
            worded["percent"] = i18n.percent(self.value, locale)
        else:
            worded["amount"] = i18n.money(self.value, self.currency or currency, locale)
        return {"key": f"discount_{applies_to}_{self.kind}", **worded}


def wording(
    discount: Discount | None, applies_to: AppliesTo, currency: str, locale: str
) -> dict[str, str] | None:
    """`offer` in an email's context: the discount for the email's locale, None for none."""
    return discount.wording(applies_to, currency, locale) if discount else None


def parse(text: str) -> Discount | None:
    """The discount `text` sets, None for an empty one; ValueError names what is expected."""
    value = text.strip()
    if not value:
        return None
    if percent := _PERCENT.match(value):
        number = Decimal(percent["number"])
        if not 0 < number <= 100:
            raise ValueError(f"{value!r}: a percentage off is more than 0% and at most 100%")
        return Discount("percent", number)
    if amount := _AMOUNT.match(value):
        number = Decimal(amount["number"])
        if number <= 0:
            raise ValueError(f"{value!r}: an amount off is more than 0")
        return Discount("amount", number, amount["currency"])
    raise ValueError(f"{value!r} is not {EXPECTED}")


def parameter_name(field: str) -> str:
    """The template.yaml parameter that sets a field: come_back_offer -> ComeBackOffer."""
    return "".join(part.capitalize() for part in field.split("_"))


def _setting(value: Any, info: ValidationInfo) -> Discount | None:
    if value is None or isinstance(value, Discount):
        return value
    try:
        return parse(str(value))
    except ValueError as error:
        parameter = parameter_name(info.field_name or "")
        raise ValueError(f"the {parameter} parameter: {error}") from None


# A settings field holding a discount (`come_back_offer: DiscountSetting = None`).
DiscountSetting = Annotated[Discount | None, PlainValidator(_setting)]


def check_currency(value: object, currency: str, field: str) -> None:
    """An amount named in another currency than the shop's would be a different discount
    from the one the shop created: refuse it, naming the parameter."""
    if not isinstance(value, Discount) or value.kind != "amount":
        return
    parameter = parameter_name(field)
    if value.currency not in (None, currency):
        raise ValueError(
            f"the {parameter} parameter: {value.value} {value.currency} is not in the "
            f"shop's currency {currency}"
        )
    # 10.50 in yen would be worded as a discount the shop never made (no fractions of yen).
    smallest_unit = Decimal(1).scaleb(-get_currency_precision(currency))
    if value.value != value.value.quantize(smallest_unit):
        raise ValueError(f"the {parameter} parameter: {currency} has no {value.value}")
