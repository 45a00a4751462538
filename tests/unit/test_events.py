"""Both dialects parse into canonical models; bad events fail naming the field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EVENTS, load_event
from tailor.events import schemas
from tailor.events.canonical import CustomerUpdated, OrderPlaced, ProductUpdated
from tailor.events.inbound import InvalidEvent, parse
from tailor.settings import Settings

SETTINGS = Settings(
    shop_name="Oklahoma Outfitters",
    shop_base_url="https://shop.example.com",
    sender_address="orders@shop.example.com",
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
