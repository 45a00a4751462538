"""Price drop and sale alerts: something they want now costs less, in their size.

"Track the items customers want or search for, and use those items for special promotions
to those customers." Wish-list holders, watchers and searchers hear of it at most once per
product per sale, and only when a variant in their size is in stock at the new price
(chosen by `tailor.alerts.sender`, sent through `deliver`).
"""

from __future__ import annotations

from typing import Any

from tailor import i18n
from tailor.alerts.views import cart_url, item, percent_off
from tailor.emails.newsletter import page_context
from tailor.events.canonical import Money, Product, Variant
from tailor.profiles import Profile
from tailor.settings import Settings

EMAIL_TYPE = "price_drop"
REASONS = ("wish", "watch", "search")


def price_drop_context(
    product: Product,
    variant: Variant,
    was: Money,
    profile: Profile,
    settings: Settings,
    *,
    sale: bool,
    reasons: list[str],
    query: str | None,
) -> dict[str, Any]:
    context = page_context(profile, settings)
    off = percent_off(was, variant.price)
    return {
        **context,
        "item": item(product, variant, settings),
        "was": was,
        # Worded here because "20%", "20 %" and "20 %" differ by language.
        "percent_off": i18n.percent(off, context["locale"]) if off else None,
        "sale": sale,
        # Why they hear of it: on their wish list, watched, or searched for.
        "reason": next((r for r in REASONS if r in reasons), REASONS[0]),
        "query": query,
        "cart_url": cart_url(settings, variant.variant_id),
    }
