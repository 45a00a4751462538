"""What every email after the order starts from: the shop, the language, the greeting, and
dates in the customer's own time zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any, Protocol

from babel import Locale

from tailor import copy
from tailor.aftercare.store import OrderRecord
from tailor.delivery import deliver
from tailor.events.canonical import Address, Product
from tailor.events.fulfillment import OrderEvent
from tailor.mail import test_order_headers
from tailor.profiles import Profile
from tailor.settings import Settings

# Payment gateways (Shopify's names) -> where a refund goes, as a copy key the emails word
# (`refund_to_card` ...) in the customer's language.
REFUND_DESTINATIONS = {
    "shopify_payments": "card",
    "stripe": "card",
    "paypal": "paypal",
    "shop_pay_installments": "installments",
    "gift_card": "gift_card",
    "amazon_payments": "amazon_pay",
    "klarna": "klarna",
    "afterpay": "afterpay",
}
ORIGINAL_PAYMENT = "original"
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
    """The shop, its brand, and the one language (and locale for money and dates) the
    email is written in: the customer's tag, else the shop's default."""
    return {
        "shop": {"name": settings.shop_name, "url": settings.shop_base_url},
        "brand": settings.brand(),
        "lang": copy.resolve_language(locale, settings.default_locale),
        "locale": copy.resolve_locale(locale, settings.default_locale),
        "first_name": first_name,
    }


class VariantOf(Protocol):
    """Which variant of which product a line or item is."""

    @property
    def product_id(self) -> str | None: ...
    @property
    def variant_id(self) -> str | None: ...
    @property
    def variant_title(self) -> str | None: ...


class Line(VariantOf, Protocol):
    @property
    def title(self) -> str: ...
    @property
    def quantity(self) -> int: ...


def lines(
    items: Iterable[Line], products: Mapping[str, Product] | None = None
) -> list[dict[str, Any]]:
    """Order lines as the templates list them: what, which variant, how many (at most
    MAX_LINES, which keeps any email far below Gmail's clipping size). With the catalog's
    products, a variant that is only a size ("13") gets `size`, which the email words as
    "Size 13" in its language."""
    return [
        {
            "title": i.title,
            "variant_title": i.variant_title,
            "size": size_of(i, products or {}),
            "quantity": i.quantity,
        }
        for i in islice(items, MAX_LINES)
    ]


def size_of(line: VariantOf, products: Mapping[str, Product]) -> str | None:
    """The size, when the catalog says the variant's title is only its size ("13")."""
    product = products.get(line.product_id or "")
    variant = product.variant(line.variant_id) if product else None
    if variant is not None and variant.size and line.variant_title == variant.size:
        return variant.size
    return None


def country_name(address: Address | None, locale: str) -> str | None:
    """The destination's country in the email's language (Babel's CLDR territory names),
    else as Shopify wrote it."""
    if address is None:
        return None
    code = (address.country_code or "").upper()
    name = Locale.parse(locale).territories.get(code) if code else None
    return name or address.country


def refund_destination(gateway: str | None) -> str:
    """Where a refund goes, as the key of its wording (`card`, `paypal` ... `original`)."""
    if not gateway:
        return ORIGINAL_PAYMENT
    return REFUND_DESTINATIONS.get(gateway.strip().lower(), ORIGINAL_PAYMENT)
