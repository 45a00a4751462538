"""What the alert emails show of a product (money stays Money: the template formats it in
the customer's locale), and the links they carry."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote, urlencode

from babel.numbers import get_currency_precision

from tailor.catalog import product_page
from tailor.events.canonical import Money, Product, Variant
from tailor.settings import Settings


def item(product: Product, variant: Variant, settings: Settings) -> dict[str, Any]:
    return {
        "title": product.title,
        "url": product_page(product, settings),
        "image_url": product.image_url,
        "size": variant.size,
        "variant_title": variant.title or None,
        "price": variant.price,
        "compare_at_price": variant.compare_at_price if variant.on_sale else None,
    }


def cart_url(settings: Settings, variant_id: str, discount_code: str | None = None) -> str:
    """Shopify's cart permalink: the variant in the cart, the discount applied."""
    url = f"{settings.shop_base_url}/cart/{quote(variant_id)}:1"
    return f"{url}?{urlencode({'discount': discount_code})}" if discount_code else url


def percent_off(was: Money, now: Money) -> int:
    if was.amount <= 0 or now.amount >= was.amount:
        return 0
    return int(((was.amount - now.amount) * 100 / was.amount).to_integral_value(ROUND_HALF_UP))


def discounted(price: Money, percent: Decimal) -> Money:
    exponent = Decimal(1).scaleb(-get_currency_precision(price.currency))
    amount = (price.amount * (100 - percent) / 100).quantize(exponent, ROUND_HALF_UP)
    return Money(amount=amount, currency=price.currency)
