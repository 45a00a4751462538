"""Wish-list private sale: one invitation listing the customer's own wished-for items.

"If your site maintains a wish list defined by individual customers, use those lists to
create private sales, using those wanted items, through e-mail." Each item is shown in the
customer's size ("just for you") with a signed link that works only during the sale and
puts that variant in the cart with the invitee's own discount code (see
`tailor.alerts.access`): the sale's code followed by an HMAC of the sale and the address,
so a code copied from one link is no use to anyone else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from tailor import i18n, zones
from tailor.aftercare.coupons import derived_code
from tailor.alerts.views import discounted, item
from tailor.attribution import register_code
from tailor.emails.newsletter import page_context
from tailor.events.canonical import Product, Variant
from tailor.events.interests import PrivateSaleStarted
from tailor.links import Signer
from tailor.profiles import Profile
from tailor.settings import Settings

EMAIL_TYPE = "private_sale"
PRIVATE_SALE_PURPOSE = "private-sale"
INVITEE_CODE_PURPOSE = "private-sale-code"


def invitee_code(sale: PrivateSaleStarted, email: str, signer: Signer) -> str:
    """The invitee's own discount code, `<discount_code>-XXXX-XXXX` ("" when the sale has
    no code): the shop creates the same codes for its wish-list holders (see README)."""
    if not sale.discount_code:
        return ""
    claims = {"s": sale.sale_id, "e": email.strip().lower()}
    return derived_code(sale.discount_code, INVITEE_CODE_PURPOSE, claims, signer)


def access_url(
    base: str,
    signer: Signer,
    sale: PrivateSaleStarted,
    product: Product,
    variant: Variant,
    code: str,
) -> str:
    """The item's link: valid from the sale's start (`nb`) to its end (`exp`)."""
    claims = {
        "s": sale.sale_id,
        "p": product.product_id,
        "v": variant.variant_id,
        "nb": int(sale.starts_at.timestamp()),
        "c": code,
    }
    token = signer.sign(PRIVATE_SALE_PURPOSE, claims, expires_at=sale.ends_at)
    return f"{base.rstrip('/')}?{urlencode({'t': token})}"


def private_sale_context(
    sale: PrivateSaleStarted,
    items: list[tuple[Product, Variant]],
    profile: Profile,
    settings: Settings,
    *,
    base_url: str,
    signer: Signer,
) -> dict[str, Any]:
    context = page_context(profile, settings)
    code = invitee_code(sale, profile.email, signer)
    if code:
        register_code(code, issuer="private_sale", email_type="private_sale", lang=context["lang"])
    context["sale"] = {
        "title": sale.title,
        "discount_percent": i18n.percent(sale.discount_percent, context["locale"]),
        "ends_on": i18n.day_and_time(
            sale.ends_at, zones.customer_zone(profile, settings), context["locale"]
        ),
    }
    context["items"] = [
        {
            **item(product, variant, settings),
            "sale_price": discounted(variant.price, sale.discount_percent),
            "access_url": access_url(base_url, signer, sale, product, variant, code),
        }
        for product, variant in items
    ]
    return context
