"""What canned responses and support emails are filled from: ticket, customer, order, shop.

One builder for the acknowledgement, the agent reply and the draft the agent starts from,
so a field means the same everywhere. Order data is included only when the caller says the
sender may see it (the spoofing rule lives in the desk, not here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from tailor import copy, i18n, zones
from tailor.events.canonical import OrderPlaced
from tailor.profiles import Profile
from tailor.settings import Settings
from tailor.support.config import SupportSettings
from tailor.support.models import OrderLineSummary, OrderRecord, Ticket


def order_record(order: OrderPlaced) -> OrderRecord:
    """The support summary of an order, with money formatted for its customer."""
    address = order.shipping_address
    return OrderRecord(
        order_id=order.order_id,
        number=order.order_number,
        email=(order.email or "").strip().lower() or None,
        first_name=order.customer.first_name,
        placed_at=order.placed_at,
        lines=[
            OrderLineSummary(
                title=line.title,
                variant_title=line.variant_title,
                quantity=line.quantity,
                sku=line.sku,
                product_id=line.product_id,
            )
            for line in order.lines[:50]
        ],
        status_url=order.status_url,
        total=i18n.money(order.total.amount, order.total.currency, order.locale),
        locale=order.locale,
        shipping_city=address.city if address else None,
    )


def order_fields(order: OrderRecord, locale: str, zone: ZoneInfo) -> dict[str, Any]:
    shipment = order.shipments[-1] if order.shipments else None
    return {
        "number": order.number,
        "placed_on": i18n.day(order.placed_at, zone, locale),
        "lines": [line.model_dump() for line in order.lines],
        "items": ", ".join(item_name(line) for line in order.lines),
        "total": order.total,
        "status_url": order.status_url,
        "shipping_city": order.shipping_city,
        "shipped": shipment is not None,
        "shipments_count": len(order.shipments),
        "carrier": shipment.carrier if shipment else None,
        "tracking_number": shipment.tracking_numbers[0]
        if shipment and shipment.tracking_numbers
        else None,
        "tracking_url": shipment.tracking_urls[0] if shipment and shipment.tracking_urls else None,
        "shipped_on": i18n.day(shipment.shipped_at, zone, locale)
        if shipment and shipment.shipped_at
        else None,
    }


def item_name(line: OrderLineSummary) -> str:
    name = f"{line.title} - {line.variant_title}" if line.variant_title else line.title
    return f"{line.quantity} \N{MULTIPLICATION SIGN} {name}" if line.quantity > 1 else name


def locale_for(profile: Profile | None, order: OrderRecord | None, settings: Settings) -> str:
    """The locale the desk writes to this customer in: their profile's, else the order's,
    else the shop's default (a ticket carries none of its own: inbound mail does not say
    reliably), narrowed to a language Tailor speaks so words, money and dates agree."""
    tag = (profile.locale if profile else None) or (order.locale if order else None)
    return copy.resolve_locale(tag, settings.default_locale)


def language_for(profile: Profile | None, order: OrderRecord | None, settings: Settings) -> str:
    """The language of `locale_for`: the one canned responses and support emails are in."""
    return copy.resolve_language(locale_for(profile, order, settings))


def canned_context(
    *,
    ticket: Ticket,
    profile: Profile | None,
    order: OrderRecord | None,
    settings: Settings,
    support: SupportSettings,
    agent: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The fields a canned response can use (None values become prompts for the agent)."""
    locale = locale_for(profile, order, settings)
    first_name = (profile.first_name if profile else None) or (order.first_name if order else None)
    context: dict[str, Any] = {
        "ticket": {
            "number": ticket.ticket_id,
            "subject": ticket.subject,
            "intent": ticket.intent,
        },
        "customer": {
            "first_name": first_name,
            "last_name": profile.last_name if profile else None,
            "email": ticket.customer_email,
            "size": _usual_size(profile, order) if order else None,
        },
        "order": order_fields(order, locale, zones.customer_zone(profile, settings))
        if order
        else None,
        "shop": {
            "name": settings.shop_name,
            "url": settings.shop_base_url,
            "return_days": support.return_days,
            "returns_url": support.returns_url or None,
            "support_address": support.support_address or None,
        },
        "agent": {"name": agent} if agent else None,
    }
    for key, value in (fields or {}).items():
        _assign(context, key, value)
    return context


def _usual_size(profile: Profile | None, order: OrderRecord) -> str | None:
    """The size the customer bought the order's first item in, or their usual one."""
    if profile is None:
        return None
    for line in order.lines:
        purchase = profile.purchases.get(line.product_id or "")
        if purchase and purchase.size:
            return purchase.size
    return next(iter(profile.sizes.values()), None)


SECTIONS = ("order", "customer", "product", "ticket", "shop")


def _assign(context: dict[str, Any], name: str, value: str) -> None:
    """An agent-supplied field, named as the template does (`order.tracking_number`), as
    the prompt showed it (`tracking number`, `product title`), or bare (`restock_date`)."""
    words = name.strip().replace(".", " ").split()
    if not words:
        return
    if len(words) > 1 and words[0] in SECTIONS:
        section, key = words[0], "_".join(words[1:])
        target = context.get(section)
        if not isinstance(target, dict):
            target = context[section] = {}
        target[key] = value
        return
    key = "_".join(words)
    context[key] = value
    # A bare name fills the field wherever a template may look for it.
    context["product"] = context.get("product") or {}
    for section in SECTIONS:
        target = context.get(section)
        if isinstance(target, dict) and target.get(key) is None:
            target[key] = value


def given_name(display_name: str) -> str | None:
    """The first word of a display name (`Susie` of `Susie Oklahoma`), if it looks like one."""
    first = (display_name.split() or [""])[0].strip("\"',")
    return first[:50] if first.isalpha() else None
