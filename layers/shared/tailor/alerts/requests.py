"""Interest events -> the interests table (and, for explicit requests, consent).

"Email me when it's back" and "tell me when it's on sale" are requests for exactly that
mail, so they record consent for their topic (source `request`, in the consent ledger), also
for guests, who get a profile keyed by their address. A wish list or a search asks for
nothing: their holders hear of a price drop only with consent they gave otherwise.

Every write is keyed by what it records, so a replayed event changes nothing; each outcome
is one log line naming the product, never the address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tailor import addresses, consent
from tailor.alerts import store, words
from tailor.alerts.config import get_alert_settings
from tailor.catalog import Catalog
from tailor.events.canonical import Model, Product, Variant
from tailor.events.inbound import InvalidEvent, envelope, parse
from tailor.events.interests import (
    BackInStockRequested,
    ProductSearched,
    SaleAlertRequested,
    WishlistItemAdded,
    WishlistItemRemoved,
)
from tailor.observability import logger
from tailor.profiles import Profile, Profiles
from tailor.settings import get_settings

# Searches remember the products shown first, not the whole result page.
PRODUCTS_SHOWN_KEPT = 10

Result = dict[str, Any]


def record(event: Any) -> Result:
    """Store the interest an event expresses (the rule routes only these detail-types)."""
    detail_type = envelope(event).detail_type
    entry = RECORDERS.get(detail_type)
    if entry is None:
        raise InvalidEvent(f"{detail_type} is not an interest event")
    model, recorder = entry
    _, parsed = parse(event, model, get_settings())
    logger.set_correlation_id(getattr(parsed, "product_id", None) or detail_type)
    return recorder(parsed)


def _outcome(kind: str, product_id: str, stored: bool, reason: str) -> Result:
    logger.info(f"{kind}: {reason}", extra={"product_id": product_id, "stored": stored})
    return {"kind": kind, "product_id": product_id, "stored": stored, "reason": reason}


NOT_AN_ADDRESS = "not a valid email address: not stored"


def _consent_to(topic: str, email: str, locale: str | None) -> None:
    settings = get_settings()

    def requested(profile: Profile) -> Profile:
        if locale and not profile.locale:
            profile = profile.model_copy(update={"locale": locale})
        return consent.change(profile, [topic], "subscribed", "request", opt_in_level="request")

    consent.update_consent(
        Profiles(settings.need("profiles_table")),
        consent.ConsentLedger(settings.need("consent_ledger_table")),
        email,
        requested,
    )


def _variant(product: Product, variant_id: str | None, size: str | None) -> Variant | None:
    for variant in product.variants:
        if variant_id is not None and variant.variant_id == variant_id:
            return variant
        if variant_id is None and size and (variant.size or "").lower() == size.strip().lower():
            return variant
    return None


def back_in_stock(request: BackInStockRequested) -> Result:
    kind, pid = "back in stock request", request.product_id
    email = addresses.normalize(request.email)
    if email is None:
        return _outcome(kind, pid, False, NOT_AN_ADDRESS)
    product = Catalog(get_settings().need("catalog_table")).get(pid)
    variant = _variant(product, request.variant_id, request.size) if product else None
    variant_id, size = request.variant_id, request.size
    if product is not None and variant is None:
        return _outcome(kind, pid, False, "no such variant or size in the catalog: not stored")
    if variant is not None:
        variant_id, size = variant.variant_id, variant.size or size
    if variant_id is None:
        return _outcome(kind, pid, False, "product not in the catalog yet and no variant named")
    _consent_to(consent.BACK_IN_STOCK, email, request.locale)
    subscription = store.Subscription(
        email=email,
        product_id=pid,
        variant_id=variant_id,
        since=store.stamp(request.requested_at),
        size=size,
    )
    added = _interests().subscribe(subscription, request.customer_id)
    reason = "waiting for a restock" if added else "already waiting: duplicate request ignored"
    if added and product is None:
        reason += " (product not in the catalog yet)"
    return _outcome(kind, pid, added, reason)


def sale_alert(request: SaleAlertRequested) -> Result:
    kind, pid = "sale alert request", request.product_id
    email = addresses.normalize(request.email)
    if email is None:
        return _outcome(kind, pid, False, NOT_AN_ADDRESS)
    _consent_to(consent.PRICE_DROPS, email, request.locale)
    interest = store.Interest(store.WATCH, email, pid, request.variant_id)
    _interests().keep(interest, request.requested_at)
    return _outcome(kind, pid, True, "watching the price")


def wish_added(event: WishlistItemAdded) -> Result:
    kind, pid = "wish list add", event.product_id
    email = addresses.normalize(event.email)
    if email is None:
        return _outcome(kind, pid, False, NOT_AN_ADDRESS)
    _interests().keep(store.Interest(store.WISH, email, pid, event.variant_id), event.added_at)
    return _outcome(kind, pid, True, "on the wish list")


def wish_removed(event: WishlistItemRemoved) -> Result:
    kind, pid = "wish list removal", event.product_id
    email = addresses.normalize(event.email)
    if email is None:
        return _outcome(kind, pid, False, NOT_AN_ADDRESS)
    removed = _interests().forget(store.WISH, email, pid, event.removed_at)
    reason = "removed" if removed else "not on the wish list (or added again later): unchanged"
    return _outcome(kind, pid, removed, reason)


def searched(event: ProductSearched) -> Result:
    kind = "search"
    email = addresses.normalize(event.email)
    searched_words = words.words(event.query)
    if email is None or not searched_words:
        logger.info("search: nothing to remember", extra={"words": len(searched_words)})
        return {"kind": kind, "stored": False, "reason": "no address or no meaningful words"}
    days = get_alert_settings().search_days
    expires = event.searched_at + timedelta(days=days)
    interests = _interests()
    interests.keep_search(email, event.query, searched_words, event.searched_at, expires)
    shown = list(dict.fromkeys(event.product_ids))[:PRODUCTS_SHOWN_KEPT]
    for pid in shown:
        interest = store.Interest(store.SEARCH, email, pid, query=event.query)
        interests.keep(interest, event.searched_at, expires=expires)
    logger.info("search: remembered", extra={"words": len(searched_words), "shown": len(shown)})
    return {"kind": kind, "stored": True, "words": len(searched_words), "products": len(shown)}


def _interests() -> store.Interests:
    return store.Interests(get_alert_settings().need("interests_table"))


RECORDERS: dict[str, tuple[type[Model], Callable[[Any], Result]]] = {
    BackInStockRequested.detail_type: (BackInStockRequested, back_in_stock),
    SaleAlertRequested.detail_type: (SaleAlertRequested, sale_alert),
    WishlistItemAdded.detail_type: (WishlistItemAdded, wish_added),
    WishlistItemRemoved.detail_type: (WishlistItemRemoved, wish_removed),
    ProductSearched.detail_type: (ProductSearched, searched),
}
