"""Order confirmation: the receipt, a greeting that knows the customer, and one cross-sell.

"You never have a better time to cement your relationship with a customer, and generate
an additional sale": the suggested item comes with a signed link to a new checkout for it,
filled in for the customer, that works for the first minutes after the order (tailor.offers).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from tailor import addresses, clock, copy, i18n, zones
from tailor.catalog import Catalog, product_page
from tailor.consent import NEWSLETTER
from tailor.delivery import deliver, skipped
from tailor.emails.newsletter import opt_in_url
from tailor.events.canonical import Money, OrderLine, OrderPlaced, Product
from tailor.idempotency import email_once
from tailor.links import OFFER_PURPOSE, Signer, signer_from_secret
from tailor.mail import test_order_headers
from tailor.observability import logger
from tailor.offers import offer_claims
from tailor.profiles import Profile, Profiles, record_order
from tailor.recommend import CrossSell, cross_sell
from tailor.settings import Settings, get_settings

EMAIL_TYPE = "order_confirmation"


@email_once(key="order_id")
def send_order_confirmation(*, event: OrderPlaced) -> dict[str, Any]:
    if event.voided_test:
        return skipped(EMAIL_TYPE, "voided test order")
    settings = get_settings()
    recipient = addresses.normalize(event.email)
    if recipient is None:
        return skipped(EMAIL_TYPE, "no valid email address on the order")
    catalog = Catalog(settings.need("catalog_table"), settings.need("copurchase_table"))
    profile = Profiles(settings.need("profiles_table")).get_or_new(recipient)
    bought = catalog.get_many(line.product_id for line in event.lines if line.product_id)
    # Learn sizes from this very order, so the suggestion fits even a first-time buyer.
    knowing_this_order = record_order(profile, event, bought)
    suggestion = cross_sell(bought, knowing_this_order, catalog, event.placed_at)
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    context = confirmation_context(event, profile, bought, suggestion, settings, signer)
    return deliver(
        EMAIL_TYPE,
        context,
        profile,
        name=event.customer.first_name,
        headers=test_order_headers(event.test),
        shrink=fewer_lines,
    )


def fewer_lines(context: Mapping[str, Any], factor: float) -> dict[str, Any]:
    """Show the first lines and point to the order status page for the rest."""
    order = dict(context["order"])
    lines = order["lines"]
    keep = max(1, int(len(lines) * factor))
    order["hidden_lines"] = order.get("hidden_lines", 0) + len(lines) - keep
    order["lines"] = lines[:keep]
    return {**context, "order": order}


def confirmation_context(
    order: OrderPlaced,
    profile: Profile,
    bought: dict[str, Product],
    suggestion: CrossSell | None,
    settings: Settings,
    signer: Signer,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Everything the template shows; money stays Money so the template formats it."""
    tag = order.locale or profile.locale
    locale = copy.resolve_locale(tag, settings.default_locale)
    return {
        "shop": {"name": settings.shop_name, "url": settings.shop_base_url},
        "brand": settings.brand(),
        "lang": copy.resolve_language(tag, settings.default_locale),
        "locale": locale,
        "first_name": order.customer.first_name or profile.first_name,
        "returning": profile.is_returning(order.order_id, order.placed_at),
        "order": {
            "number": order.order_number,
            "confirmation_number": order.confirmation_number,
            "placed_on": i18n.day(
                order.placed_at,
                zones.customer_zone(profile, settings, order.shipping_address),
                locale,
            ),
            "status_url": order.status_url,
            **receipt(order, bought),
            "shipping_address": addresses.postal_lines(order.shipping_address, locale),
            "shipping_method": order.shipping_method,
            "payment_methods": order.payment_methods,
            "payment_terms": order.payment_terms,
        },
        "cross_sell": _suggestion(order, suggestion, settings, signer, now or clock.now()),
        "newsletter_invite": _newsletter_invite(order, profile, settings, signer),
    }


def receipt(order: OrderPlaced, bought: Mapping[str, Product]) -> dict[str, Any]:
    """The receipt as Shopify shows it, each discount once, so its rows add up:
    items at their price with their own discounts, the subtotal of those, the order's
    discounts, shipping, tax when added on top, and the total paid."""
    currency = order.currency
    lines = [_line(line, bought) for line in order.lines]
    subtotal = sum((line["total"].amount for line in lines), Decimal(0))
    shipping = order.shipping.amount if order.shipping else Decimal(0)
    added_tax = order.tax.amount if order.tax and not order.taxes_included else Decimal(0)
    taken_off = sum((d.amount.amount for d in order.discounts), Decimal(0))
    if subtotal + shipping + added_tax - taken_off != order.total.amount:
        # Duties, tips or a source that sums differently: the total paid is still the truth.
        logger.warning(
            "receipt rows do not add up to the total", extra={"order_id": order.order_id}
        )
    return {
        "lines": lines,
        "hidden_lines": 0,
        "subtotal": Money(amount=subtotal, currency=currency),
        "discounts": [d for d in order.discounts if not d.on_shipping],
        "shipping": order.shipping,
        "shipping_discounts": [d for d in order.discounts if d.on_shipping],
        "tax": order.tax,
        "taxes_included": order.taxes_included,
        "total": order.total,
    }


def _line(line: OrderLine, bought: Mapping[str, Product]) -> dict[str, Any]:
    product = bought.get(line.product_id or "")
    before = line.unit_price.amount * line.quantity
    total = before - (line.discount.amount if line.discount else 0)
    variant = product.variant(line.variant_id) if product else None
    # "12" alone says little; the catalog knows it is a size, which the receipt labels
    # in the email's language.
    is_size = variant is not None and bool(variant.size) and line.variant_title == variant.size
    return {
        "title": line.title,
        "variant_title": None if is_size else line.variant_title,
        "size": line.variant_title if is_size else None,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount": line.discount,
        "before_discount": Money(amount=before, currency=line.unit_price.currency),
        "total": Money(amount=max(total, Decimal(0)), currency=line.unit_price.currency),
        "image_url": line.image_url or (product.image_url if product else None),
        # The shop's description of its picture, else what it shows.
        "image_alt": (product.image_alt or product.title) if product else line.title,
    }


def _suggestion(
    order: OrderPlaced,
    suggestion: CrossSell | None,
    settings: Settings,
    signer: Signer,
    now: datetime,
) -> dict[str, Any] | None:
    if suggestion is None:
        return None
    product, variant = suggestion.product, suggestion.variant
    expires = order.placed_at + timedelta(minutes=settings.offer_minutes)
    offer_url = None
    # A confirmation delayed past the window shows the item without an offer that already ended.
    if settings.offer_url and now < expires:
        claims = offer_claims(order, product.product_id, variant.variant_id if variant else None)
        token = signer.sign(OFFER_PURPOSE, claims, expires_at=expires)
        offer_url = f"{settings.offer_url}?{urlencode({'t': token})}"
    # Without a variant the customer picks the size; the price shown is the lowest one.
    choices = [variant] if variant else [v for v in product.variants if v.in_stock]
    cheapest = min(choices, key=lambda v: v.price.amount)
    # Catalog prices are in the shop's currency; a customer paying in another sees the
    # price in the shop (converted by Shopify) rather than a figure in a foreign currency.
    same_currency = cheapest.price.currency == order.currency
    return {
        "title": product.title,
        "variant_title": (variant.title or None) if variant else None,
        "size": variant.size if variant else None,
        "choose_size": variant is None,
        "price": cheapest.price if same_currency else None,
        "price_from": len({v.price.amount for v in choices}) > 1,
        "compare_at_price": cheapest.compare_at_price
        if cheapest.on_sale and same_currency and variant
        else None,
        "image_url": product.image_url,
        "url": product_page(product, settings),
        "reason": suggestion.reason,
        "offer_url": offer_url,
        "offer_minutes": settings.offer_minutes,
        "offer_discount": bool(settings.offer_discount_code),
    }


def _newsletter_invite(
    order: OrderPlaced, profile: Profile, settings: Settings, signer: Signer
) -> str | None:
    """A signed sign-up link, only for customers who neither opted in nor opted out."""
    if not settings.preferences_url or order.accepts_marketing:
        return None
    if profile.consent_state(NEWSLETTER) in ("subscribed", "unsubscribed"):
        return None
    return opt_in_url(profile.email, EMAIL_TYPE, settings, signer)
