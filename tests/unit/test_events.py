"""Both dialects parse into canonical models; bad events fail naming the field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from tailor.events import schemas
from tailor.events.canonical import CustomerUpdated, OrderPlaced, ProductUpdated
from tailor.events.fulfillment import OrderShipped, RefundIssued
from tailor.events.inbound import InvalidEvent, parse
from tailor.settings import Settings

from tests.helpers.events import EVENTS, load_event

SETTINGS = Settings(
    shop_name="Oklahoma Outfitters",
    shop_base_url="https://shop.example.com",
    sender_address="orders@shop.example.com",
    shop_timezone="America/Chicago",
)


def test_shopify_order_uses_presentment_money_and_order_locale() -> None:
    _, order = parse(load_event("shopify/orders-create-guest.json"), OrderPlaced, SETTINGS)

    assert order.customer.customer_id is None  # a guest
    assert order.email == "j.mueller@example.net"
    assert order.locale == "de-DE"
    assert order.total.currency == "EUR" and order.total.amount == Decimal("228.90")
    assert order.lines[0].unit_price.amount == Decimal("189.00")
    assert order.taxes_included is True
    assert order.placed_at.tzinfo is not None


def test_shopify_order_from_a_registered_customer() -> None:
    env, order = parse(load_event("shopify/orders-create.json"), OrderPlaced, SETTINGS)

    assert env.topic == "orders/create"
    assert order.order_number == "#1001"
    assert order.customer.first_name and order.customer.customer_id
    assert order.lines[0].variant_title == "13"
    assert order.discounts and order.discounts[0].code
    assert order.status_url and order.status_url.startswith("https://")


def test_shopify_order_without_deprecated_fields() -> None:
    _, order = parse(load_event("shopify/orders-create-jpy.json"), OrderPlaced, SETTINGS)

    assert order.total.currency == "JPY" and order.total.amount == Decimal("6600")


def test_receipt_totals_are_the_order_as_placed_not_as_edited_since() -> None:
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    placed = payload["total_price_set"]["presentment_money"]["amount"]
    # A confirmation delivered after an edit or a refund: the current_* fields moved on.
    for field in ("current_total_price", "current_subtotal_price", "current_total_tax"):
        payload[f"{field}_set"]["presentment_money"]["amount"] = "1.00"
        payload[field] = "1.00"

    _, order = parse(event, OrderPlaced, SETTINGS)

    assert order.total.amount == Decimal(placed)
    assert order.subtotal.amount == Decimal(payload["subtotal_price"])
    assert order.tax is not None and order.tax.amount == Decimal(payload["total_tax"])


def test_yen_order_takes_every_amount_in_yen_or_leaves_it_out() -> None:
    event = load_event("shopify/orders-create-jpy.json")
    payload = event["detail"]["payload"]
    # An amount known only in the shop's dollars is not a yen amount.
    del payload["total_tax_set"], payload["line_items"][0]["total_discount_set"]
    payload["line_items"][0]["total_discount"] = "1.25"

    _, order = parse(event, OrderPlaced, SETTINGS)

    assert {line.unit_price.currency for line in order.lines} == {"JPY"}
    assert order.lines[0].unit_price.amount == Decimal("1800")
    assert order.lines[0].discount is None
    assert order.tax is None
    assert order.shipping is not None and order.shipping.amount == Decimal("800")
    assert order.confirmation_number == "H2PW6YDQB"


def test_yen_line_without_presentment_price_fails_naming_it() -> None:
    event = load_event("shopify/orders-create-jpy.json")
    del event["detail"]["payload"]["line_items"][1]["price_set"]

    with pytest.raises(InvalidEvent, match=r"line_items\.1\.price_set\.presentment_money"):
        parse(event, OrderPlaced, SETTINGS)


def test_test_order_and_its_financial_status_are_kept() -> None:
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"].update(test=True, financial_status="voided")

    _, order = parse(event, OrderPlaced, SETTINGS)

    assert order.test and order.voided_test


@pytest.mark.parametrize(
    ("status", "listed", "purchasable"),
    [
        ("active", True, True),
        ("unlisted", False, True),  # API 2025-10: hidden from listings, sold by link
        ("draft", False, False),
        ("ARCHIVED", False, False),
        ("some_status_from_2027", False, False),
    ],
)
def test_product_statuses_shopify_adds_later_are_accepted(
    status: str, listed: bool, purchasable: bool
) -> None:
    event = load_event("shopify/products-create.json")
    event["detail"]["payload"]["status"] = status

    _, product = parse(event, ProductUpdated, SETTINGS)

    assert (product.listed, product.purchasable) == (listed, purchasable)


@pytest.mark.parametrize(
    ("status", "shipped"),
    [("pending", False), ("open", False), ("success", True), ("cancelled", False)],
)
def test_only_a_successful_fulfillment_has_shipped(status: str, shipped: bool) -> None:
    event = load_event("shopify/fulfillments-create.json")
    event["detail"]["payload"]["status"] = status

    _, shipment = parse(event, OrderShipped, SETTINGS)

    assert shipment.shipped is shipped


def test_refund_in_yen_with_shipping_refunded_as_an_order_adjustment() -> None:
    _, refund = parse(load_event("shopify/refunds-create-jpy.json"), RefundIssued, SETTINGS)

    assert refund.amount is not None
    assert (refund.amount.amount, refund.amount.currency) == (Decimal("3000"), "JPY")
    assert refund.lines[0].amount is not None
    assert (refund.lines[0].amount.amount, refund.lines[0].amount.currency) == (
        Decimal("2200"),
        "JPY",
    )
    assert refund.shipping is not None
    assert (refund.shipping.amount, refund.shipping.currency) == (Decimal("800"), "JPY")


@pytest.mark.parametrize("name", ["shopify/products-create.json", "shopify/products-update.json"])
def test_shopify_products_become_catalog_products_with_sizes(name: str) -> None:
    _, product = parse(load_event(name), ProductUpdated, SETTINGS)

    assert product.url == f"https://shop.example.com/products/{product.handle}"
    assert all(v.price.currency == "USD" for v in product.variants)


def test_shoe_sizes_come_from_the_size_option() -> None:
    _, shoes = parse(load_event("shopify/products-create.json"), ProductUpdated, SETTINGS)
    _, socks = parse(load_event("shopify/products-update.json"), ProductUpdated, SETTINGS)

    assert [v.size for v in shoes.variants] == ["11", "12", "13"]
    assert [v.size for v in socks.variants] == [None]
    assert socks.variants[0].on_sale
    assert "pairs-with:classic-oxford" in socks.tags


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("shopify/customers-create.json", "subscribed"),
        ("shopify/customers-update.json", "unsubscribed"),
        ("shopify/customers-email-marketing-consent-update.json", "unsubscribed"),
    ],
)
def test_shopify_customer_topics_carry_marketing_consent(name: str, state: str) -> None:
    _, customer = parse(load_event(name), CustomerUpdated, SETTINGS)

    assert customer.email and customer.customer_id
    assert customer.marketing_consent is not None
    assert customer.marketing_consent.state == state


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("canonical/order-placed.json", OrderPlaced),
        ("canonical/product-updated.json", ProductUpdated),
        ("canonical/customer-updated.json", CustomerUpdated),
    ],
)
def test_canonical_samples_parse(name: str, model: type) -> None:
    _, parsed = parse(load_event(name), model, SETTINGS)

    assert isinstance(parsed, model)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(total={"amount": "1", "currency": "XYZ"}), r"total\.currency"),
        (lambda d: d.update(placed_at="2026-11-20T15:04:00"), r"placed_at"),
        (lambda d: d.update(lines=[]), r"lines"),
        (lambda d: d["subtotal"].update(amount="NaN"), r"subtotal\.amount"),
        (lambda d: d.pop("order_id"), r"order_id"),
    ],
)
def test_invalid_canonical_order_names_the_field(change: object, message: str) -> None:
    event = load_event("canonical/order-placed.json")
    change(event["detail"])  # type: ignore[operator]

    with pytest.raises(InvalidEvent, match=message):
        parse(event, OrderPlaced, SETTINGS)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("not an event", "expected an EventBridge event object"),
        ({"detail": {}}, "no detail-type"),
        ({"detail-type": "OrderPlaced", "detail": "x"}, "detail must be an object"),
        ({"detail-type": "shopifyWebhook", "detail": {"payload": {}}}, "X-Shopify-Topic"),
        ({"detail-type": "ProductUpdated", "detail": {}}, "expected detail-type OrderPlaced"),
    ],
)
def test_events_that_are_not_orders_are_refused(event: object, message: str) -> None:
    with pytest.raises(InvalidEvent, match=message):
        parse(event, OrderPlaced, SETTINGS)


def test_shopify_topic_for_another_model_is_refused() -> None:
    with pytest.raises(InvalidEvent, match=r"products/create.*not a OrderPlaced"):
        parse(load_event("shopify/products-create.json"), OrderPlaced, SETTINGS)


def test_json_schemas_in_events_are_current() -> None:
    directory = EVENTS / "schemas"
    for name, schema in schemas.schemas().items():
        on_disk = (directory / name).read_text() if (directory / name).exists() else ""
        assert on_disk == schemas.render(schema), f"run `make schemas`: {name} is out of date"
    assert sorted(p.name for p in Path(directory).glob("*.json")) == sorted(schemas.schemas())


def test_json_schema_describes_money_as_a_decimal_with_currency() -> None:
    schema = json.loads((EVENTS / "schemas" / "OrderPlaced.json").read_text())

    money = schema["$defs"]["Money"]
    assert set(money["required"]) == {"amount", "currency"}


def test_replenishment_and_pairing_metafields_become_tags() -> None:
    event = load_event("shopify/products-create.json")
    event["detail"]["payload"]["metafields"] = [
        {"namespace": "tailor", "key": "replenish", "value": "270", "type": "number_integer"},
        {"namespace": "tailor", "key": "pairs_with", "value": "rag-wool-socks"},
        {"namespace": "custom", "key": "replenish", "value": "1d"},
    ]

    _, product = parse(event, ProductUpdated, SETTINGS)

    assert "replenish:270d" in product.tags
    assert "pairs-with:rag-wool-socks" in product.tags
    assert "replenish:1d" not in product.tags
