"""What every email after the order starts from: the shop, the language, the greeting, and
dates in the customer's own time zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any, Protocol

from tailor import i18n
from tailor.aftercare.store import OrderRecord
from tailor.delivery import deliver
from tailor.events.fulfillment import OrderEvent
from tailor.mail import test_order_headers
from tailor.profiles import Profile
from tailor.settings import Settings

# Payment gateways (Shopify's names) -> where a refund goes, as the customer reads it.
REFUND_DESTINATIONS = {
    "shopify_payments": "the card you paid with",
    "stripe": "the card you paid with",
    "paypal": "your PayPal account",
    "shop_pay_installments": "your Shop Pay Installments plan",
    "gift_card": "your gift card",
    "amazon_payments": "your Amazon Pay account",
    "klarna": "your Klarna account",
    "afterpay": "your Afterpay account",
}
ORIGINAL_PAYMENT = "your original payment method"
MAX_LINES = 50


def for_order(
    settings: Settings, order: OrderRecord | None, profile: Profile, event: OrderEvent
) -> dict[str, Any]:
    """The base context for an email about an order: the event's locale and name first,
    then what the order said, then the profile."""
    return base(
        settings,
        event.locale or (order.locale if order else None) or profile.locale,
        event.customer.first_name or (order.first_name if order else None) or profile.first_name,
    )


def send(
    email_type: str, context: Mapping[str, Any], profile: Profile, *, test_order: bool
) -> dict[str, Any]:
    """A transactional email about an order, to the name it greets, marked if a test order."""
    return deliver(
        email_type,
        context,
        profile,
        name=context["first_name"],
        headers=test_order_headers(test_order),
    )


def base(settings: Settings, locale: str | None, first_name: str | None) -> dict[str, Any]:
    tag = str(i18n.parse_locale(locale, settings.default_locale))
    return {
        "shop": {"name": settings.shop_name, "url": settings.shop_base_url},
        "lang": i18n.language(tag),
        "locale": tag,
        "first_name": first_name,
    }


class Line(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def variant_title(self) -> str | None: ...
    @property
    def quantity(self) -> int: ...


def lines(items: Iterable[Line]) -> list[dict[str, Any]]:
    """Order lines as the templates list them: what, which variant, how many (at most
    MAX_LINES, which keeps any email far below Gmail's clipping size)."""
    return [
        {"title": i.title, "variant_title": i.variant_title, "quantity": i.quantity}
        for i in islice(items, MAX_LINES)
    ]


def refund_destination(gateway: str | None) -> str:
    if not gateway:
        return ORIGINAL_PAYMENT
    return REFUND_DESTINATIONS.get(gateway.strip().lower(), ORIGINAL_PAYMENT)
