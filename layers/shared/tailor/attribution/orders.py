"""Attributing orders: which email, if any, earned each order, and the evidence.

Deterministic first, in this order: a discount code Tailor issued (the add-to-your-order
offer's code, come-back codes, private-sale codes, and whatever `register_code` recorded,
such as referral codes), the offer checkout's cart attribute (`note_attributes`), a landing
site Tailor's click redirect sent the customer to (`utm_source=tailor`, its signed click
token in `utm_content`). Otherwise the customer's last click within the click window
(AttributionWindowDays, default 5) before the order; opens never count. Nothing else: an
order with no evidence is recorded as unattributed.

Each order is attributed once: the attribution is written with its counters in one
transaction, on condition that the order has none, so a duplicate orders/create event
changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tailor import clock
from tailor.attribution.config import AttributionSettings, get_attribution_settings
from tailor.attribution.holdout import order_counts
from tailor.attribution.store import Results, customer_key, expiry
from tailor.email_types import EMAIL_TYPES
from tailor.events.canonical import OrderPlaced
from tailor.events.inbound import Envelope, InvalidEvent
from tailor.links import CLICK_PURPOSE, InvalidToken, signer_from_secret
from tailor.observability import logger

OFFER_EMAIL_TYPE = "order_confirmation"
# The cart attribute the offer's checkout carries (Shopify cart permalinks'
# `attributes[...]`); it comes back in the order's note_attributes.
OFFER_ATTRIBUTE = "tailor_offer"
CODE_DAYS = 400


@dataclass(frozen=True)
class IssuedCode:
    code: str
    issuer: str  # "come_back", "private_sale", "referral", ...
    email_type: str
    lang: str


def _normal_code(code: str) -> str:
    return re.sub(r"\s+", "", code).upper()  # Shopify codes are case-insensitive


def register_code(
    code: str, *, issuer: str, email_type: str, lang: str = "en", now: datetime | None = None
) -> None:
    """Record that Tailor issued `code` in an email of `email_type`, so an order using it is
    attributed to that email. Issuers call this when they put a code in an email."""
    settings = get_attribution_settings()
    if not settings.results_table:
        return
    moment = now or clock.now()
    Results(settings.results_table).table.put_item(
        Item={
            "pk": f"code#{_normal_code(code)}",
            "sk": "code",
            "issuer": issuer,
            "email_type": email_type,
            "lang": lang,
            "issued_at": moment.isoformat(),
            "expiration": expiry(moment, CODE_DAYS),
        }
    )


def issued_code(code: str) -> IssuedCode | None:
    """The record of a code Tailor issued, or None when it did not issue it."""
    settings = get_attribution_settings()
    normal = _normal_code(code)
    if settings.offer_discount_code and normal == _normal_code(settings.offer_discount_code):
        return IssuedCode(normal, "offer", OFFER_EMAIL_TYPE, "")
    if not settings.results_table or not normal:
        return None
    item = (
        Results(settings.results_table)
        .table.get_item(Key={"pk": f"code#{normal}", "sk": "code"})
        .get("Item")
    )
    if item is None:
        return None
    return IssuedCode(normal, str(item["issuer"]), str(item["email_type"]), str(item["lang"]))


@dataclass(frozen=True)
class Order:
    """What attribution reads of an order (Shopify orders/create or canonical OrderPlaced)."""

    order_id: str
    placed_at: datetime
    customer: str | None
    codes: tuple[str, ...]
    landing_site: str
    note_attributes: Mapping[str, str]
    revenue: Decimal
    currency: str


def order_from(env: Envelope, order: OrderPlaced) -> Order:
    """The canonical order, plus what only Shopify's payload carries (landing site, note
    attributes, discount codes, the total in the shop's currency)."""
    codes = [discount.code for discount in order.discounts]
    landing, notes = "", {}
    revenue, currency = order.total.amount, order.total.currency
    if env.topic is not None:
        payload = env.payload
        codes = [str(d.get("code")) for d in payload.get("discount_codes") or [] if d.get("code")]
        landing = str(payload.get("landing_site") or "")
        notes = {
            str(n.get("name")): str(n.get("value"))
            for n in payload.get("note_attributes") or []
            if isinstance(n, Mapping) and n.get("name")
        }
        try:
            revenue = Decimal(str(payload.get("total_price", revenue)))
        except InvalidOperation:
            raise InvalidEvent(f"order {order.order_id}: total_price is not a number") from None
        currency = str(payload.get("currency") or currency)
    customer = customer_key(order.email)
    return Order(
        order.order_id,
        order.placed_at,
        customer,
        tuple(codes),
        landing,
        notes,
        revenue,
        currency,
    )


def attribute(order: Order) -> dict[str, Any]:
    """Find the order's email and store it with the evidence, once per order."""
    settings = get_attribution_settings()
    results = Results(settings.need("results_table"))
    found = _deterministic(order, settings, results) or _last_click(order, settings, results)
    item: dict[str, Any] = {
        "pk": f"order#{order.order_id}",
        "sk": "attribution",
        "placed_at": order.placed_at.isoformat(),
        "revenue": order.revenue,
        "currency": order.currency,
        "expiration": expiry(order.placed_at),
    }
    counts: list[dict[str, Any]] = []
    if found is None:
        item["email_type"] = ""
        item["evidence"] = {"kind": "none"}
    else:
        email_type, lang, evidence = found
        item.update(email_type=email_type, lang=lang, evidence=evidence)
        amounts: dict[str, int | Decimal] = {"orders": 1, "revenue": order.revenue}
        if evidence.get("issuer") == "offer" or evidence["kind"] == "offer_checkout":
            amounts["offers_taken"] = 1
        counts.append(results.count_update(email_type, lang, order.placed_at, amounts))
    counts.extend(order_counts(results, order.customer, order.revenue, settings))
    if not results.put_once_counting(item, counts):
        logger.info("order already attributed", extra={"order_id": order.order_id})
        return {"order_id": order.order_id, "attributed": "already"}
    logger.info(
        "order attributed",
        extra={"order_id": order.order_id, "evidence": item["evidence"]["kind"]},
    )
    return {
        "order_id": order.order_id,
        "email_type": item["email_type"] or None,
        "evidence": item["evidence"],
    }


Found = tuple[str, str, dict[str, Any]]


def _deterministic(order: Order, settings: AttributionSettings, results: Results) -> Found | None:
    for code in order.codes:
        issued = issued_code(code)
        if issued is not None:
            evidence = {"kind": "code", "code": issued.code, "issuer": issued.issuer}
            return issued.email_type, issued.lang or "und", evidence
    if order.note_attributes.get(OFFER_ATTRIBUTE):
        return OFFER_EMAIL_TYPE, "und", {"kind": "offer_checkout"}
    return _landing(order, settings, results)


def _landing(order: Order, settings: AttributionSettings, results: Results) -> Found | None:
    """A landing site the click redirect sent the customer to."""
    query = parse_qs(urlsplit(order.landing_site).query)
    if query.get("utm_source") != ["tailor"]:
        return None
    token = (query.get("utm_content") or [""])[0]
    try:
        claims = signer_from_secret(settings.need("link_signing_secret_arn")).verify(
            CLICK_PURPOSE, token, order.placed_at
        )
        message = results.message(str(claims.get("m")))
    except InvalidToken:
        message = None
    if message is not None:
        evidence = {"kind": "landing_site", "message": str(claims.get("m"))}
        return str(message["email_type"]), str(message.get("lang") or "und"), evidence
    campaign = (query.get("utm_campaign") or [""])[0]
    if campaign not in EMAIL_TYPES:
        return None
    # Tailor's UTM without a token of ours: the email type, but no message to name.
    return campaign, "und", {"kind": "landing_site", "campaign": campaign}


def _last_click(order: Order, settings: AttributionSettings, results: Results) -> Found | None:
    if order.customer is None:
        return None
    placed = order.placed_at.astimezone(UTC)
    since = placed - timedelta(days=settings.attribution_window_days)
    page = results.table.query(
        KeyConditionExpression="pk = :pk AND sk BETWEEN :since AND :until",
        ExpressionAttributeValues={
            ":pk": f"cust#{order.customer}",
            ":since": f"click#{since.isoformat()}",
            ":until": f"click#{placed.isoformat()}#~",
        },
        ScanIndexForward=False,
        Limit=1,
    )
    items = page.get("Items") or []
    if not items:
        return None
    click = items[0]
    evidence = {
        "kind": "last_click",
        "message": str(click["message"]),
        "clicked_at": str(click["clicked_at"]),
    }
    return str(click["email_type"]), str(click["lang"]), evidence
