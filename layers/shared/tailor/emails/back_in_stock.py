"""Back in stock: the size they asked for is back, and how many are left when few are.

"If customers come across a back-ordered item, give them the option of an e-mail
notification when the item comes in stock." Sent once per request, to the subscribers of
exactly the variant that came back, wave after wave while the stock lasts (the waves are
`tailor.alerts.fanout`'s, the sending `tailor.alerts.sender`'s, through `deliver`).
"""

from __future__ import annotations

from typing import Any

from tailor.alerts.views import cart_url, item
from tailor.emails.newsletter import page_context
from tailor.events.canonical import Product, Variant
from tailor.profiles import Profile
from tailor.settings import Settings

EMAIL_TYPE = "back_in_stock"


def back_in_stock_context(
    product: Product, variant: Variant, profile: Profile, few_left: int, settings: Settings
) -> dict[str, Any]:
    """The variant that came back; `left` only when few are (None when stock is untracked)."""
    units = variant.inventory
    return {
        **page_context(profile, settings),
        "item": item(product, variant, settings),
        "left": units if units is not None and units <= few_left else None,
        "cart_url": cart_url(settings, variant.variant_id),
    }
