"""The add-to-your-order offer: a signed link that puts the suggested item in the cart.

The link is valid for a few minutes after the order. Opening it checks the signature, the
expiry and that the item is still available, then redirects to the shop's cart permalink
(`/cart/<variant>:1`); anything else gets a friendly page, never a stack trace.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from tailor import web
from tailor.catalog import Catalog
from tailor.links import OFFER_PURPOSE, ExpiredToken, InvalidToken, Signer
from tailor.observability import logger
from tailor.settings import Settings


def redeem(
    token: str | None, signer: Signer, settings: Settings, now: datetime | None = None
) -> dict[str, Any]:
    try:
        claims = signer.verify(OFFER_PURPOSE, token, now)
    except ExpiredToken:
        logger.info("offer link expired")
        return web.page(
            410,
            "This offer has ended",
            "The add-to-your-order offer was open for a short time after your order, and that "
            "time is up. The item may still be in the shop.",
        )
    except InvalidToken as error:
        logger.info("offer link rejected", extra={"reason": str(error)})
        return web.invalid_link()

    found = Catalog(settings.need("catalog_table")).buyable(claims.get("p"), claims.get("v"))
    if found is None:
        logger.info("offer item unavailable", extra={"order_id": claims.get("o")})
        return web.page(410, "Sold out", "Sorry, this item sold out before you got to it.")
    product, variant = found
    location = f"{settings.shop_base_url}/cart/{quote(variant.variant_id)}:1"
    if settings.offer_discount_code:
        location += f"?discount={quote(settings.offer_discount_code)}"
    logger.info(
        "offer redeemed", extra={"order_id": claims.get("o"), "product_id": product.product_id}
    )
    return web.redirect(location)
