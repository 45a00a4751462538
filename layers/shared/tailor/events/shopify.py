"""Shopify webhooks (delivered to EventBridge) translated into canonical events.

Shopify's REST resources arrive in `detail.payload`; the topic and delivery ids in
`detail.metadata`. Money is a string, ids are integers, and many fields are optional or
deprecated, so every read here tolerates absence. The customer sees presentment money
(the currency they paid in), which may differ from the shop's currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tailor import clock
from tailor.events.canonical import (
    Address,
    Customer,
    CustomerUpdated,
    Discount,
    MarketingConsent,
    Model,
    Money,
    OrderLine,
    OrderPlaced,
    ProductUpdated,
    Variant,
)

if TYPE_CHECKING:
    from tailor.settings import Settings

SIZE_OPTION_NAMES = frozenset({"size", "shoe size", "größe", "grösse", "taille", "talla", "taglia"})

Payload = Mapping[str, Any]

# payload, settings -> the canonical model
Translator = Callable[[Payload, "Settings"], Model]


def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def paid(payload: Payload, field: str, currency: str, shop_currency: str) -> Money | None:
    """An amount as the buyer paid it, in the order's presentment `currency`.

    `<field>_set.presentment_money` says it. The plain `<field>` is in the shop's currency,
    so it stands in only when the buyer paid in that currency too: a dollar figure is never
    shown on a yen order. An amount known only in another currency is absent.
    """
    money_set = payload.get(f"{field}_set")
    presentment = money_set.get("presentment_money") if isinstance(money_set, Mapping) else None
    if isinstance(presentment, Mapping) and presentment.get("amount") is not None:
        # Amounts are strings, but JSON numbers in refund line items.
        code = presentment.get("currency_code") or presentment.get("currency") or currency
        return Money(amount=Decimal(str(presentment["amount"])), currency=code)
    if payload.get(field) is None or currency != shop_currency:
        return None
    return Money(amount=Decimal(str(payload[field])), currency=shop_currency)


def _paid_required(
    payload: Payload, field: str, currency: str, shop_currency: str, *, where: str = ""
) -> Money:
    money = paid(payload, field, currency, shop_currency)
    if money is None:
        # Names the field that would have said it (parse() turns this into InvalidEvent).
        raise KeyError(f"{where}{field}_set.presentment_money")
    return money


def _name(first: Any, last: Any) -> tuple[str | None, str | None]:
    return (first or None), (last or None)


def order_placed(payload: Payload, shop_currency: str) -> OrderPlaced:
    """orders/create: the receipt of the order as placed.

    The `total_*` and `subtotal_price` fields keep what the buyer paid at checkout; the
    `current_*` ones follow later edits, refunds and cancellations, so a confirmation that
    arrives late would show a total the buyer never paid.
    """
    currency = payload.get("presentment_currency") or payload.get("currency") or shop_currency
    shop_currency = payload.get("currency") or shop_currency
    customer_payload = payload.get("customer") or {}
    address_payload = payload.get("shipping_address") or payload.get("billing_address") or {}
    first, last = _name(
        customer_payload.get("first_name") or address_payload.get("first_name"),
        customer_payload.get("last_name") or address_payload.get("last_name"),
    )
    applications = payload.get("discount_applications") or []
    order_wide = {i for i, a in enumerate(applications) if _order_wide(a)}
    lines = [
        _order_line(item, currency, shop_currency, order_wide, f"line_items.{index}.")
        for index, item in enumerate(payload.get("line_items") or [])
    ]
    shipping_lines = payload.get("shipping_lines") or []

    def as_paid(field: str) -> Money | None:
        return paid(payload, field, currency, shop_currency)

    return OrderPlaced(
        order_id=str(payload["id"]),
        order_number=payload.get("name") or f"#{payload.get('order_number', payload['id'])}",
        confirmation_number=payload.get("confirmation_number") or None,
        test=bool(payload.get("test")),
        financial_status=payload.get("financial_status") or None,
        placed_at=payload.get("processed_at") or payload.get("created_at"),
        email=payload.get("email") or payload.get("contact_email") or customer_payload.get("email"),
        locale=payload.get("customer_locale") or customer_payload.get("locale"),
        customer=Customer(
            customer_id=_id(customer_payload.get("id")),
            first_name=first,
            last_name=last,
            marketing_consent=_consent(customer_payload.get("email_marketing_consent")),
        ),
        lines=lines,
        discounts=_discounts(payload, applications, order_wide, currency, shop_currency),
        subtotal=as_paid("subtotal_price") or Money.zero(currency),
        shipping=as_paid("total_shipping_price"),
        shipping_method=" + ".join(s["title"] for s in shipping_lines if s.get("title")) or None,
        payment_methods=[_gateway(name) for name in payload.get("payment_gateway_names") or []],
        payment_terms=(payload.get("payment_terms") or {}).get("payment_terms_name") or None,
        tax=as_paid("total_tax"),
        taxes_included=bool(payload.get("taxes_included")),
        total=_paid_required(payload, "total_price", currency, shop_currency),
        shipping_address=_address(payload.get("shipping_address")),
        status_url=payload.get("order_status_url"),
        accepts_marketing=payload.get("buyer_accepts_marketing"),
    )


def _order_wide(application: Payload) -> bool:
    """An order-level discount: spread across all items, shown once under the items."""
    return application.get("target_type") == "line_item" and (
        application.get("target_selection") == "all"
    )


def _allocated(
    allocations: Any, currency: str, shop_currency: str, *, where: str
) -> dict[int, Decimal]:
    """Amounts by discount application index, in presentment money."""
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    for number, allocation in enumerate(allocations or []):
        money = _paid_required(
            allocation, "amount", currency, shop_currency, where=f"{where}{number}."
        )
        amounts[int(allocation.get("discount_application_index") or 0)] += money.amount
    return amounts


def _order_line(
    item: Payload, currency: str, shop_currency: str, order_wide: set[int], where: str
) -> OrderLine:
    unit = _paid_required(item, "price", currency, shop_currency, where=where)
    allocations = item.get("discount_allocations")
    own = sum(
        (
            amount
            for index, amount in _allocated(
                allocations, currency, shop_currency, where=f"{where}discount_allocations."
            ).items()
            if index not in order_wide
        ),
        Decimal(0),
    )
    discount = (
        Money(amount=own, currency=unit.currency)
        if allocations
        else paid(item, "total_discount", currency, shop_currency)
    )
    return OrderLine(
        line_id=str(item["id"]),
        product_id=_id(item.get("product_id")),
        variant_id=_id(item.get("variant_id")),
        sku=item.get("sku") or None,
        title=item.get("title") or item.get("name") or "Item",
        variant_title=item.get("variant_title") or None,
        quantity=item.get("quantity") or 1,
        unit_price=unit,
        discount=discount if discount and discount.amount > 0 else None,
        image_url=_image_src(item.get("image")),
    )


def _image_src(image: Any) -> str | None:
    """The line's image when the payload carries one (as `image.src` or a plain URL)."""
    src = image.get("src") if isinstance(image, Mapping) else image
    return src if isinstance(src, str) and src else None


def _discounts(
    payload: Payload,
    applications: list[Payload],
    order_wide: set[int],
    currency: str,
    shop_currency: str,
) -> list[Discount]:
    """Each order-level and shipping discount once, at what it took off in total.

    Shopify spreads an order-level discount over the lines (`discount_allocations`); adding
    those shares back up gives its exact amount in the buyer's currency.
    """
    totals: dict[tuple[int, bool], Decimal] = defaultdict(Decimal)
    for number, item in enumerate(payload.get("line_items") or []):
        where = f"line_items.{number}.discount_allocations."
        for index, amount in _allocated(
            item.get("discount_allocations"), currency, shop_currency, where=where
        ).items():
            if index in order_wide:
                totals[index, False] += amount
    for number, line in enumerate(payload.get("shipping_lines") or []):
        where = f"shipping_lines.{number}.discount_allocations."
        for index, amount in _allocated(
            line.get("discount_allocations"), currency, shop_currency, where=where
        ).items():
            totals[index, True] += amount
    return [
        Discount(
            code=_discount_name(applications[index] if index < len(applications) else {}),
            amount=Money(amount=amount, currency=currency),
            on_shipping=on_shipping,
        )
        for (index, on_shipping), amount in sorted(totals.items())
        if amount
    ]


def _discount_name(application: Payload) -> str:
    return str(
        application.get("code")
        or application.get("title")
        or application.get("description")
        or "Discount"
    )


# Gateway names Shopify sends, as buyers know them; others are shown tidied up.
_GATEWAYS = {
    "shopify_payments": "Shopify Payments",
    "paypal": "PayPal",
    "manual": "Manual payment",
    "gift_card": "Gift card",
    "shop_pay_installments": "Shop Pay Installments",
    "bogus": "Test payment",
}


def _gateway(name: str) -> str:
    key = str(name).strip()
    return _GATEWAYS.get(key.lower()) or key.replace("_", " ").strip().capitalize()


def _address(payload: Payload | None) -> Address | None:
    if not payload:
        return None
    name = payload.get("name") or " ".join(
        p for p in (payload.get("first_name"), payload.get("last_name")) if p
    )
    return Address(
        name=name or None,
        first_name=payload.get("first_name") or None,
        last_name=payload.get("last_name") or None,
        address1=payload.get("address1"),
        address2=payload.get("address2"),
        city=payload.get("city"),
        province=payload.get("province"),
        province_code=payload.get("province_code"),
        zip=payload.get("zip"),
        country=payload.get("country"),
        country_code=payload.get("country_code"),
    )


def product_updated(payload: Payload, shop_currency: str, shop_base_url: str) -> ProductUpdated:
    options = sorted(payload.get("options") or [], key=lambda o: o.get("position") or 0)
    size_position = next(
        (
            index + 1
            for index, option in enumerate(options)
            if str(option.get("name", "")).strip().lower() in SIZE_OPTION_NAMES
        ),
        None,
    )
    image = payload.get("image") or next(iter(payload.get("images") or []), None) or {}
    handle = payload.get("handle") or str(payload["id"])
    return ProductUpdated(
        product_id=str(payload["id"]),
        handle=handle,
        title=payload.get("title") or handle,
        product_type=payload.get("product_type") or "",
        vendor=payload.get("vendor") or "",
        tags=_tags(payload.get("tags")) + _metafield_tags(payload.get("metafields")),
        status=payload.get("status") or "active",
        url=f"{shop_base_url}/products/{handle}",
        image_url=image.get("src"),
        image_alt=image.get("alt") or None,
        variants=[_variant(v, size_position, shop_currency) for v in payload.get("variants") or []],
        updated_at=payload.get("updated_at") or clock.now(),
    )


# Metafields that become tags, so the catalog reads one place (e.g. `replenish:270d`).
TAG_METAFIELDS = {("tailor", "replenish"): "replenish", ("tailor", "pairs_with"): "pairs-with"}


def _metafield_tags(raw: Any) -> list[str]:
    """Tailor's metafields, when a webhook includes them (`metafields` is optional)."""
    if not isinstance(raw, list):
        return []
    found = []
    for field in raw:
        if not isinstance(field, Mapping):
            continue
        name = TAG_METAFIELDS.get((str(field.get("namespace")), str(field.get("key"))))
        value = str(field.get("value") or "").strip()
        if name and value:
            # A bare number of days is what a number metafield holds.
            found.append(
                f"{name}:{value}d" if name == "replenish" and value.isdigit() else f"{name}:{value}"
            )
    return found


def _tags(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(t).strip() for t in raw if str(t).strip()]
    return [t.strip() for t in str(raw or "").split(",") if t.strip()]


def _variant(payload: Payload, size_position: int | None, shop_currency: str) -> Variant:
    compare_at = payload.get("compare_at_price")
    tracked = payload.get("inventory_management") not in (None, "") or (
        "inventory_management" not in payload and payload.get("inventory_quantity") is not None
    )
    title = payload.get("title") or ""
    return Variant(
        variant_id=str(payload["id"]),
        title="" if title == "Default Title" else title,
        sku=payload.get("sku") or None,
        size=payload.get(f"option{size_position}") if size_position else None,
        price=Money(amount=payload.get("price") or 0, currency=shop_currency),
        compare_at_price=Money(amount=compare_at, currency=shop_currency) if compare_at else None,
        inventory=int(payload.get("inventory_quantity") or 0) if tracked else None,
    )


def customer_updated(payload: Payload) -> CustomerUpdated:
    """customers/create and customers/update (consent is absent from API 2025-01 on)."""
    return CustomerUpdated(
        customer_id=str(payload["id"]),
        email=payload.get("email"),
        first_name=payload.get("first_name"),
        last_name=payload.get("last_name"),
        locale=payload.get("locale"),
        tags=_tags(payload.get("tags")),
        marketing_consent=_consent(payload.get("email_marketing_consent")),
        orders_count=payload.get("orders_count"),
        updated_at=payload.get("updated_at") or payload.get("created_at") or clock.now(),
    )


def consent_updated(payload: Payload) -> CustomerUpdated:
    """customers_email_marketing_consent/update: where consent changes arrive today."""
    consent = payload.get("email_marketing_consent")
    when = consent.get("consent_updated_at") if isinstance(consent, Mapping) else None
    return CustomerUpdated(
        customer_id=str(payload["customer_id"]),
        email=payload.get("email_address"),
        marketing_consent=_consent(consent),
        updated_at=when or clock.now(),
    )


def _consent(consent: Any) -> MarketingConsent | None:
    if not isinstance(consent, Mapping) or not consent.get("state"):
        return None
    return MarketingConsent(
        state=consent["state"],
        opt_in_level=consent.get("opt_in_level"),
        updated_at=consent.get("consent_updated_at"),
    )


# The core topics; fulfillment.py and interests.py declare theirs (registry.py merges them).
SHOPIFY_TOPICS: dict[type[Model], dict[str, Translator]] = {
    OrderPlaced: {"orders/create": lambda p, s: order_placed(p, s.shop_currency)},
    ProductUpdated: {
        topic: lambda p, s: product_updated(p, s.shop_currency, s.shop_base_url)
        for topic in ("products/create", "products/update")
    },
    CustomerUpdated: {
        "customers/create": lambda p, s: customer_updated(p),
        "customers/update": lambda p, s: customer_updated(p),
        "customers_email_marketing_consent/update": lambda p, s: consent_updated(p),
    },
}
