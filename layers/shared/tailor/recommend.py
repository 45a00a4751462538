"""Cross-sell: the one item that goes with what was just bought, the way socks follow shoes.

Candidates come from three sources, strongest first: the merchant's own pairings (a
`pairs-with:<handle>` tag on a bought product), what other buyers bought together (counts
kept from orders), and promoted items (on sale: compare-at above price). A candidate must be
active, in stock, in the customer's size where sizes apply, and neither in the order nor
bought in the customer's recent orders. A sized item whose size the customer never told us
is still offered: they pick the size on the product page. When nothing fits, there is no
recommendation rather than a poor one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from tailor.events.canonical import Product, Variant
from tailor.profiles import Profile

PAIRING_TAG = "pairs-with:"
PAIRED_SCORE = 1000.0
PROMOTED_SCORE = 1.0
# What the customer bought this long before is not suggested again.
RECENT_PURCHASES = timedelta(days=365)

Reason = Literal["paired", "bought_together", "promoted"]


class CatalogReader(Protocol):
    def get_many(self, product_ids: Iterable[str]) -> dict[str, Product]: ...
    def bought_with(self, product_id: str, limit: int = ...) -> dict[str, int]: ...
    def promoted(self, limit: int = ...) -> list[str]: ...
    def ids_for_handles(self, handles: Iterable[str]) -> dict[str, str]: ...


@dataclass(frozen=True)
class CrossSell:
    product: Product
    # None when the customer's size for this product is unknown: they choose it on its page.
    variant: Variant | None
    reason: Reason


def pairing_handles(products: Iterable[Product]) -> set[str]:
    return {
        tag[len(PAIRING_TAG) :].strip().lower()
        for product in products
        for tag in product.tags
        if tag.lower().startswith(PAIRING_TAG) and tag[len(PAIRING_TAG) :].strip()
    }


def cross_sell(
    bought: Mapping[str, Product], profile: Profile, catalog: CatalogReader, as_of: datetime
) -> CrossSell | None:
    """The best item to offer next to `bought` (product id -> product) at `as_of`, or None."""
    scores: dict[str, float] = defaultdict(float)
    reasons: dict[str, Reason] = {}
    owned = set(bought) | profile.bought_since(as_of - RECENT_PURCHASES)

    def consider(product_id: str, score: float, reason: Reason) -> None:
        if product_id in owned:
            return
        scores[product_id] += score
        if reason == "paired" or product_id not in reasons:
            reasons[product_id] = reason

    for product_id in catalog.ids_for_handles(pairing_handles(bought.values())).values():
        consider(product_id, PAIRED_SCORE, "paired")
    for product_id in bought:
        for other, count in catalog.bought_with(product_id).items():
            consider(other, float(count), "bought_together")
    promoted = set(catalog.promoted())
    for product_id in promoted:
        consider(product_id, PROMOTED_SCORE, "promoted")

    candidates = catalog.get_many(scores)
    ranked = sorted(candidates.values(), key=lambda p: (-scores[p.product_id], p.product_id))
    for product in ranked:
        variant = fitting_variant(product, profile)
        if variant is not None or _size_to_choose(product, profile):
            return CrossSell(product=product, variant=variant, reason=reasons[product.product_id])
    return None


def _size_to_choose(product: Product, profile: Profile) -> bool:
    """A sized item in stock whose size for this customer we do not know."""
    return (
        product.listed
        and profile.size_for(product.product_type) is None
        and any(v.size and v.in_stock for v in product.variants)
    )


def fitting_variant(product: Product, profile: Profile) -> Variant | None:
    """An in-stock variant in the customer's size; None if sizes apply and we cannot fit."""
    if not product.listed:
        return None
    in_stock = [v for v in product.variants if v.in_stock]
    if not any(v.size for v in product.variants):
        return _best_offer(in_stock)
    size = profile.size_for(product.product_type)
    if size is None:
        return None
    return _best_offer([v for v in in_stock if (v.size or "").strip().lower() == size.lower()])


def _best_offer(variants: list[Variant]) -> Variant | None:
    """Prefer a variant on sale, then the lowest price."""
    if not variants:
        return None
    return min(variants, key=lambda v: (not v.on_sale, v.price.amount, v.variant_id))
