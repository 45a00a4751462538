"""The private sale's link (a function URL): a signed token -> the item in the cart.

The token names the sale, the product and the customer's variant, and is valid from the
sale's start to its end. Opening it checks the signature and the window, and that the
variant is still there and in stock, then redirects to Shopify's cart permalink with the
invitee's own discount code (or, without one, to the product page on the shop's domain).
Anything else gets a friendly page: ended, not started yet, sold out, or not a valid link.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tailor import clock, i18n, web
from tailor.alerts.views import cart_url
from tailor.catalog import Catalog, product_page
from tailor.emails.private_sale import PRIVATE_SALE_PURPOSE
from tailor.links import ExpiredToken, InvalidToken, Signer
from tailor.observability import logger
from tailor.settings import Settings


def open_sale(token: str | None, signer: Signer, settings: Settings, lang: str) -> dict[str, Any]:
    now = clock.now()
    try:
        claims = signer.verify(PRIVATE_SALE_PURPOSE, token, now)
    except ExpiredToken as expired:
        logger.info("private sale link after the sale", extra={"sale_id": expired.payload.get("s")})
        return web.page(410, "sale_ended", lang)
    except InvalidToken as error:
        logger.info("private sale link rejected", extra={"reason": str(error)})
        return web.invalid_link(lang)
    sale_id = str(claims.get("s"))
    starts = claims.get("nb")
    if isinstance(starts, int) and now.timestamp() < starts:
        opens = datetime.fromtimestamp(starts, UTC)
        logger.info("private sale link before the sale", extra={"sale_id": sale_id})
        when = i18n.day_and_time(opens, ZoneInfo("UTC"), lang)
        return web.page(425, "sale_not_started", lang, values={"opens": when})
    found = Catalog(settings.need("catalog_table")).buyable(claims.get("p"), claims.get("v"))
    if found is None:
        logger.info("private sale item sold out", extra={"sale_id": sale_id})
        return web.page(410, "sale_sold_out", lang)
    product, variant = found
    code = str(claims.get("c") or "")
    logger.info(
        "private sale link opened", extra={"sale_id": sale_id, "product_id": product.product_id}
    )
    if not code:
        return web.redirect(product_page(product, settings))
    return web.redirect(cart_url(settings, variant.variant_id, code))
