"""The after-order offer: a signed link to a new checkout for the suggested item.

The link is valid for a few minutes after the order. Opening it checks the signature, the
expiry and that the item is still available, then redirects to the shop's cart permalink
(`/cart/<variant>:1`) with the checkout filled in for the customer (email and shipping
address) and the offer's discount code. The customer's details come from the signed token
only, never from the link's other parameters, so nobody can redirect someone else's parcel.
When the customer's size is unknown, the token names no variant and the link opens the
product page instead (with the discount applied through Shopify's discount link). Anything
else gets a friendly page, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from tailor import addresses, copy, web
from tailor.attribution.orders import OFFER_ATTRIBUTE
from tailor.catalog import Catalog, product_page
from tailor.events.canonical import OrderPlaced, Product
from tailor.links import OFFER_PURPOSE, ExpiredToken, InvalidToken, Signer
from tailor.observability import logger
from tailor.profiles import Profiles
from tailor.settings import Settings

# Shopify's checkout prefill parameters: checkout[shipping_address][<field>].
CHECKOUT_ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country",
)


def offer_claims(order: OrderPlaced, product_id: str, variant_id: str | None) -> dict[str, Any]:
    """What the signed offer link carries: the item, and whom to fill the checkout in for."""
    claims: dict[str, Any] = {"o": order.order_id, "p": product_id}
    if variant_id:
        claims["v"] = variant_id
    if order.email:
        claims["e"] = order.email
    address = order.shipping_address
    if address is not None:
        fields = {
            "first_name": address.first_name or order.customer.first_name,
            "last_name": address.last_name or order.customer.last_name,
            "address1": address.address1,
            "address2": address.address2,
            "city": address.city,
            "province": address.province,
            "zip": address.zip,
            "country": address.country or address.country_code,
        }
        claims["a"] = {name: value for name, value in fields.items() if value}
    return claims


def checkout_url(variant_id: str, claims: Mapping[str, Any], settings: Settings) -> str:
    """The cart permalink for one of the variant, its checkout prefilled from the claims."""
    query: list[tuple[str, str]] = []
    if isinstance(claims.get("e"), str):
        query.append(("checkout[email]", claims["e"]))
    address = claims.get("a")
    if isinstance(address, Mapping):
        query.extend(
            (f"checkout[shipping_address][{name}]", address[name])
            for name in CHECKOUT_ADDRESS_FIELDS
            if isinstance(address.get(name), str)
        )
    if settings.offer_discount_code:
        query.append(("discount", settings.offer_discount_code))
    # A cart attribute, back in the new order's note_attributes: the offer was taken.
    query.append((f"attributes[{OFFER_ATTRIBUTE}]", "yes"))
    location = f"{settings.shop_base_url}/cart/{quote(variant_id, safe='')}:1"
    return f"{location}?{urlencode(query, quote_via=quote)}" if query else location


def product_offer_url(product: Product, settings: Settings) -> str:
    """The product page, through Shopify's discount link when the offer has a code."""
    page = product_page(product, settings)
    if not settings.offer_discount_code:
        return page
    code = quote(settings.offer_discount_code, safe="")
    return f"{settings.shop_base_url}/discount/{code}?{urlencode({'redirect': _path(page)})}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def redeem(
    token: str | None, signer: Signer, settings: Settings, lang: str, now: datetime | None = None
) -> dict[str, Any]:
    try:
        claims = signer.verify(OFFER_PURPOSE, token, now)
    except ExpiredToken as expired:
        logger.info("offer link expired")
        return web.page(410, "offer_ended", _customers_language(expired.payload, lang, settings))
    except InvalidToken as error:
        logger.info("offer link rejected", extra={"reason": str(error)})
        return web.invalid_link(lang)

    location = _destination(Catalog(settings.need("catalog_table")), claims, settings)
    if location is None:
        logger.info("offer item unavailable", extra={"order_id": claims.get("o")})
        return web.page(410, "offer_sold_out", _customers_language(claims, lang, settings))
    logger.info(
        "offer redeemed", extra={"order_id": claims.get("o"), "product_id": claims.get("p")}
    )
    return web.redirect(location)


def _customers_language(claims: Mapping[str, Any], browser: str, settings: Settings) -> str:
    """The language of the customer the offer was made to (their profile's), else the
    browser's."""
    email = addresses.normalize(claims.get("e"))
    profile = Profiles(settings.need("profiles_table")).get(email) if email else None
    return copy.resolve_language(profile.locale if profile else None, browser)


def _destination(catalog: Catalog, claims: Mapping[str, Any], settings: Settings) -> str | None:
    """Where the offer goes, or None when the item can no longer be bought."""
    if "v" in claims:
        found = catalog.buyable(claims.get("p"), claims.get("v"))
        return checkout_url(found[1].variant_id, claims, settings) if found else None
    # No variant: the customer chooses the size on the product page.
    product = catalog.get(str(claims.get("p")))
    if product is None or not product.purchasable:
        return None
    if not any(v.in_stock for v in product.variants):
        return None
    return product_offer_url(product, settings)
