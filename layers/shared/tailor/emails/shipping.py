"""Shipping confirmation and delivery updates: transactional, one per shipment and status.

"Ship confirmation e-mails. Provide links to track packages, merchandise your free or
discounted shipping offer, reinforce your total satisfaction guarantee, and give them an
incentive to come back and order again." Each shipment of an order gets its own email
(once per shipment and tracking number); a shipment that gains a tracking number later gets
one more; an update that adds nothing new sends nothing. Out for delivery and delivered get
a short note, and delivery schedules the review request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from tailor import addresses, discounts, i18n, zones
from tailor.aftercare import context as base_context
from tailor.aftercare import coupons, reviews, tracking
from tailor.aftercare.config import AftercareSettings, get_aftercare_settings
from tailor.aftercare.store import NO_TRACKING, AftercareStore, OrderHistory
from tailor.attribution import register_code
from tailor.catalog import Catalog
from tailor.delivery import skipped
from tailor.events.canonical import Product
from tailor.events.fulfillment import OrderDelivered, OrderShipped
from tailor.idempotency import email_once
from tailor.links import signer_from_secret
from tailor.observability import logger
from tailor.profiles import Profile, Profiles
from tailor.referrals.tokens import share_url
from tailor.scheduling import Schedules

SHIPPING = "shipping_confirmation"
DELIVERY = "delivery_update"
MAILED_STATUSES = ("out_for_delivery", "delivered")


# The status is part of the key: a pending fulfillment skipped here is announced when an
# update moves it to success, even with the tracking number it already had.
@email_once(key="[fulfillment_id, tracking[0].number, status]")
def send_shipping_confirmation(*, event: OrderShipped) -> dict[str, Any]:
    settings = get_aftercare_settings()
    if not event.shipped:
        return skipped(SHIPPING, f"shipment {event.status}, not shipped")
    store = AftercareStore(settings.need("aftercare_table"))
    before = store.history(event.order_id)
    recipient = addresses.normalize(event.email) or addresses.normalize(before.email)
    store.save_shipment(event, recipient)  # later carrier events are joined on it
    if recipient is None:
        return skipped(SHIPPING, "no valid email address for this shipment")
    if before.voided_test:
        return skipped(SHIPPING, "voided or cancelled test order")
    reason = _nothing_new(event, before)
    if reason:
        return skipped(SHIPPING, reason)
    profile = Profiles(settings.need("profiles_table")).get_or_new(recipient)
    history = store.history(event.order_id)
    products = _products(settings, [*event.lines, *_still_to_come(event, history)])
    context = shipping_context(event, history, profile, settings, products)
    result = base_context.send(SHIPPING, context, profile, test_order=before.test)
    store.mark_announced(event.order_id, event.fulfillment_id, [t.number for t in event.tracking])
    return result


def _nothing_new(event: OrderShipped, history: OrderHistory) -> str | None:
    shipment = history.shipments.get(event.fulfillment_id)
    if shipment is not None and shipment.delivered_at is not None:
        return "shipment already delivered"
    announced = set(shipment.announced) if shipment else set()
    numbers = {t.number for t in event.tracking}
    if event.is_update and announced and not numbers - announced:
        return "shipment update without a new tracking number"
    if (numbers or {NO_TRACKING}) <= announced:
        return "shipment already announced"
    return None


def shipping_context(
    event: OrderShipped,
    history: OrderHistory,
    profile: Profile,
    settings: AftercareSettings,
    products: Mapping[str, Product] | None = None,
) -> dict[str, Any]:
    order = history.order
    context = base_context.for_order(settings, order, profile, event)
    zone = zones.customer_zone(profile, settings)
    parcel = tracking.links(event.carrier, event.tracking)
    if event.carrier and not parcel.known_carrier and parcel.carrier:
        logger.info(
            "carrier without a tracking pattern: number shown as is",
            extra={"carrier": event.carrier},
        )
    number = event.order_number or history.order_number or event.shipment_name or ""
    return {
        **context,
        "order": {
            "number": number,
            "status_url": event.status_url or (order.status_url if order else None),
            "lines": base_context.lines(event.lines, products),
            "hidden_lines": max(0, len(event.lines) - base_context.MAX_LINES),
        },
        # An update whose shipment was announced before: only the tracking is news.
        "tracking_added": event.is_update and _announced(event, history),
        "carrier": parcel.carrier,
        "tracking": [{"number": link.number, "url": link.url} for link in parcel.links],
        "estimated_delivery": i18n.day(event.estimated_delivery_at, zone, context["locale"])
        if event.estimated_delivery_at
        else None,
        "still_to_come": base_context.lines(_still_to_come(event, history), products),
        "destination": _destination(event, context["locale"]),
        "returns": {"days": settings.return_days, "url": settings.returns_url or None},
        "coupon": _coupon(event, history, settings, context["locale"]),
        "referral_url": _referral_url(profile, event, settings),
    }


def _destination(event: OrderShipped, locale: str) -> dict[str, str | None] | None:
    """Who and where the parcel goes, the country named in the email's language."""
    address = event.destination
    if address is None or not (address.city or address.name):
        return None
    country = base_context.country_name(address, locale)
    return {"name": address.name, "city": address.city, "country": country}


def _referral_url(profile: Profile, event: OrderShipped, settings: AftercareSettings) -> str | None:
    """The customer's own "tell a friend" link: they have ordered, so they may refer."""
    if not settings.referral_page_url:
        return None
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    return share_url(settings.referral_page_url, signer, profile.email, event.customer.customer_id)


def _announced(event: OrderShipped, history: OrderHistory) -> bool:
    shipment = history.shipments.get(event.fulfillment_id)
    return shipment is not None and bool(shipment.announced)


def _still_to_come(event: OrderShipped, history: OrderHistory) -> Sequence[base_context.Line]:
    """From our record of the order when we have one, else from what the event says."""
    if history.order is not None:
        return history.still_to_come()
    if event.still_to_come:
        return event.still_to_come
    return [
        line.model_copy(update={"quantity": line.remaining})
        for line in event.lines
        if line.remaining
    ]


def _coupon(
    event: OrderShipped,
    history: OrderHistory,
    settings: AftercareSettings,
    locale: str,
) -> dict[str, Any] | None:
    offer = discounts.wording(
        settings.come_back_offer, "next_order", settings.shop_currency, locale
    )
    if offer is None:
        return None
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    # The offer's days run from the shipment: an order that waited weeks to ship keeps them.
    coupon = coupons.issue(event.order_id, event.shipped_at, settings.come_back_days, signer)
    register_code(coupon.code, issuer="come_back", email_type=SHIPPING, lang=i18n.language(locale))
    return {
        "code": coupon.code,
        "offer": offer,
        "expires_on": i18n.day(coupon.expires_at, settings.shop_zone(), locale),
    }


@email_once(key="[order_id, fulfillment_id, status]")
def send_delivery_update(*, event: OrderDelivered) -> dict[str, Any]:
    if event.status not in MAILED_STATUSES:
        return skipped(DELIVERY, f"carrier status {event.status} is not mailed")
    settings = get_aftercare_settings()
    store = AftercareStore(settings.need("aftercare_table"))
    history = store.history(event.order_id)
    shipment = history.shipments.get(event.fulfillment_id or "")
    if shipment is not None and shipment.delivered_at is not None:
        return skipped(DELIVERY, f"{event.status} after the shipment was delivered")
    if history.voided_test:
        return skipped(DELIVERY, "voided or cancelled test order")
    recipient = addresses.normalize(event.email) or addresses.normalize(history.email)
    if recipient is None:
        logger.info(
            "carrier event for an order we never saw",
            extra={"order_id": event.order_id, "fulfillment_id": event.fulfillment_id},
        )
        _mark_carrier_status(store, event)
        return skipped(DELIVERY, "no address known for this order")
    profile = Profiles(settings.need("profiles_table")).get_or_new(recipient)
    zone = zones.customer_zone(profile, settings)
    if event.status == "delivered":
        schedules = Schedules(
            settings.need("aftercare_schedule_group"), settings.need("scheduler_role_arn")
        )
        reviews.schedule_request(event, history, recipient, zone, settings, schedules)
    shipment = history.shipments.get(event.fulfillment_id or "")
    products = _products(settings, shipment.lines if shipment else [])
    context = delivery_context(event, history, profile, settings, zone, products)
    result = base_context.send(DELIVERY, context, profile, test_order=history.test)
    # Only once the email is out: a retry after a failed send must not find the shipment
    # delivered already and skip the note it never got.
    _mark_carrier_status(store, event)
    return result


def _products(
    settings: AftercareSettings, lines: Sequence[base_context.Line]
) -> dict[str, Product]:
    """The catalog's products of these lines: it knows which variant titles are sizes."""
    ids = [line.product_id for line in lines if line.product_id]
    return Catalog(settings.need("catalog_table")).get_many(ids) if ids else {}


def _mark_carrier_status(store: AftercareStore, event: OrderDelivered) -> None:
    if event.fulfillment_id:
        store.mark_carrier_status(
            event.order_id, event.fulfillment_id, event.status, event.happened_at
        )


def delivery_context(
    event: OrderDelivered,
    history: OrderHistory,
    profile: Profile,
    settings: AftercareSettings,
    zone: ZoneInfo,
    products: Mapping[str, Product] | None = None,
) -> dict[str, Any]:
    order = history.order
    context = base_context.for_order(settings, order, profile, event)
    locale = context["locale"]
    shipment = history.shipments.get(event.fulfillment_id or "")
    estimated = event.estimated_delivery_at
    return {
        **context,
        "status": event.status,
        "order": {
            "number": event.order_number or history.order_number or "",
            "status_url": order.status_url if order else None,
        },
        "lines": base_context.lines(shipment.lines if shipment else [], products),
        "message": event.message,
        "happened": {
            "day": i18n.day(event.happened_at, zone, locale),
            "time": i18n.time_of_day(event.happened_at, zone, locale),
        },
        "estimated": {
            "day": i18n.day(estimated, zone, locale),
            "time": i18n.time_of_day(estimated, zone, locale),
        }
        if estimated
        else None,
        "returns": {"days": settings.return_days, "url": settings.returns_url or None},
    }
