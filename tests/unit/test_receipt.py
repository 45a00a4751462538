"""The receipt in the order confirmation adds up like Shopify's: each discount shown once.

Orders are built the way Shopify's orders/create webhook shapes them: a discount is a
`discount_applications` entry, and what it takes off each line or shipping line is a
`discount_allocations` entry there; order-level discounts are spread over all lines.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from tailor.emails.order_confirmation import receipt
from tailor.events.shopify import order_placed

from tests.helpers.events import load_event
from tests.helpers.mail import html_part, links_in, text_part
from tests.helpers.orders import stock_the_shop

SHOP_CURRENCY = "USD"
# What one unit of the buyer's currency is worth in the shop's (for the shop-money fields).
RATES = {"USD": Decimal(1), "EUR": Decimal("1.08"), "JPY": Decimal("0.0067")}

LINE_SALE = {
    "target_type": "line_item",
    "type": "automatic",
    "title": "Sock bundle",
    "value": "2.0",
    "value_type": "fixed_amount",
    "allocation_method": "each",
    "target_selection": "entitled",
}
ORDER_CODE = {
    "target_type": "line_item",
    "type": "discount_code",
    "code": "WELCOME10",
    "value": "10.0",
    "value_type": "percentage",
    "allocation_method": "across",
    "target_selection": "all",
}
SHIPPING_CODE = {
    "target_type": "shipping_line",
    "type": "discount_code",
    "code": "SHIPHALF",
    "value": "50.0",
    "value_type": "percentage",
    "allocation_method": "each",
    "target_selection": "all",
}


@dataclass
class Case:
    currency: str
    # (title, unit price, quantity, own discount or None)
    lines: list[tuple[str, str, int, str | None]]
    order_discount: str | None
    shipping: str
    shipping_discount: str | None
    tax: str
    taxes_included: bool
    exponent: Decimal = field(default=Decimal("0.01"))


CASES = {
    "usd-tax-added": Case(
        "USD",
        [("Classic Oxford", "199.00", 1, None), ("Merino Dress Sock", "18.00", 2, "4.00")],
        order_discount="23.10",
        shipping="8.00",
        shipping_discount="4.00",
        tax="18.66",
        taxes_included=False,
    ),
    "eur-tax-included": Case(
        "EUR",
        [("Classic Oxford", "205.44", 1, None), ("Merino Dress Sock", "16.95", 3, "3.00")],
        order_discount="25.04",
        shipping="14.95",
        shipping_discount=None,
        tax="39.73",
        taxes_included=True,
    ),
    "jpy-tax-added": Case(
        "JPY",
        [("Merino Dress Sock", "1700", 2, "300"), ("Cedar Shoe Trees", "2100", 1, None)],
        order_discount="490",
        shipping="800",
        shipping_discount="400",
        tax="530",
        taxes_included=False,
        exponent=Decimal(1),
    ),
}


def money_set(amount: Decimal, currency: str) -> dict[str, Any]:
    shop = (amount * RATES[currency]).quantize(Decimal("0.01"))
    return {
        "shop_money": {"amount": str(shop), "currency_code": SHOP_CURRENCY},
        "presentment_money": {"amount": str(amount), "currency_code": currency},
    }


def shopify_money(name: str, amount: Decimal, currency: str) -> dict[str, Any]:
    """`<name>` in the shop's money and `<name>_set` in both, as Shopify sends amounts."""
    both = money_set(amount, currency)
    return {name: both["shop_money"]["amount"], f"{name}_set": both}


def allocation(amount: Decimal, index: int, currency: str) -> dict[str, Any]:
    return {
        **shopify_money("amount", amount, currency),
        "discount_application_index": index,
    }


def shopify_order(case: Case) -> dict[str, Any]:
    """The orders/create payload of `case`, its totals computed the way Shopify does."""
    cur = case.currency
    applications: list[dict[str, Any]] = []
    line_items: list[dict[str, Any]] = []
    gross = [Decimal(price) * quantity for _, price, quantity, _ in case.lines]
    if any(own for *_, own in case.lines):
        applications.append(LINE_SALE)
    for number, (title, price, quantity, own) in enumerate(case.lines):
        allocations = [allocation(Decimal(own), 0, cur)] if own else []
        line_items.append(
            {
                "id": 9000 + number,
                "product_id": None,
                "variant_id": None,
                "title": title,
                "quantity": quantity,
                **shopify_money("price", Decimal(price), cur),
                **shopify_money("total_discount", Decimal(0), cur),
                "discount_allocations": allocations,
            }
        )
    if case.order_discount:
        # Spread across the lines in proportion to what is left of them; the last takes the
        # rounding remainder, so the shares add up to the discount exactly.
        applications.append(ORDER_CODE)
        index = len(applications) - 1
        left = [g - Decimal(own or 0) for g, (*_, own) in zip(gross, case.lines, strict=True)]
        total, spread = Decimal(case.order_discount), Decimal(0)
        for number, item in enumerate(line_items):
            last = number == len(line_items) - 1
            share = total - spread if last else (total * left[number] / sum(left))
            share = share.quantize(case.exponent)
            spread += share
            item["discount_allocations"].append(allocation(share, index, cur))
    shipping_allocations = []
    if case.shipping_discount:
        applications.append(SHIPPING_CODE)
        shipping_allocations.append(
            allocation(Decimal(case.shipping_discount), len(applications) - 1, cur)
        )
    line_discounts = sum(
        (
            Decimal(a["amount_set"]["presentment_money"]["amount"])
            for item in line_items
            for a in item["discount_allocations"]
        ),
        Decimal(0),
    )
    shipping = Decimal(case.shipping)
    shipping_off = Decimal(case.shipping_discount or 0)
    subtotal = sum(gross, Decimal(0)) - line_discounts
    tax = Decimal(case.tax)
    total = subtotal + shipping - shipping_off + (Decimal(0) if case.taxes_included else tax)
    payload = load_event("shopify/orders-create.json")["detail"]["payload"]
    payload.update(
        {
            "currency": SHOP_CURRENCY,
            "presentment_currency": cur,
            "taxes_included": case.taxes_included,
            "discount_applications": applications,
            "discount_codes": [
                {"code": a["code"], "amount": "0.00", "type": a["value_type"]}
                for a in applications
                if a.get("code")
            ],
            "line_items": line_items,
            "shipping_lines": [
                {
                    "id": 7001,
                    "title": "Standard",
                    "code": "Standard",
                    **shopify_money("price", shipping, cur),
                    "discount_allocations": shipping_allocations,
                }
            ],
            "payment_gateway_names": ["shopify_payments"],
            **shopify_money("total_line_items_price", sum(gross, Decimal(0)), cur),
            **shopify_money("total_discounts", line_discounts + shipping_off, cur),
            **shopify_money("subtotal_price", subtotal, cur),
            **shopify_money("total_shipping_price", shipping, cur),
            **shopify_money("total_tax", tax, cur),
            **shopify_money("total_price", total, cur),
        }
    )
    return payload


def order_event(payload: dict[str, Any]) -> dict[str, Any]:
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"] = copy.deepcopy(payload)
    return event


@pytest.mark.parametrize("name", CASES)
def test_receipt_rows_add_up_to_what_shopify_charged(name: str) -> None:
    case = CASES[name]
    payload = shopify_order(case)

    shown = receipt(order_placed(payload, SHOP_CURRENCY), {})

    lines = shown["lines"]
    # Each line: its price times quantity, less only its own discount.
    for line, (_, price, quantity, own) in zip(lines, case.lines, strict=True):
        assert line["before_discount"].amount == Decimal(price) * quantity
        assert (line["discount"].amount if line["discount"] else 0) == Decimal(own or 0)
    assert shown["subtotal"].amount == sum(line["total"].amount for line in lines)
    # The order-level code is shown once, at its full amount; likewise the shipping one.
    assert [(d.code, d.amount.amount) for d in shown["discounts"]] == (
        [("WELCOME10", Decimal(case.order_discount))] if case.order_discount else []
    )
    assert [(d.code, d.amount.amount) for d in shown["shipping_discounts"]] == (
        [("SHIPHALF", Decimal(case.shipping_discount))] if case.shipping_discount else []
    )
    added_tax = Decimal(0) if case.taxes_included else shown["tax"].amount
    rows = (
        shown["subtotal"].amount
        - sum(d.amount.amount for d in shown["discounts"])
        + shown["shipping"].amount
        - sum(d.amount.amount for d in shown["shipping_discounts"])
        + added_tax
    )
    charged = Decimal(payload["total_price_set"]["presentment_money"]["amount"])
    assert rows == shown["total"].amount == charged
    assert {m.currency for m in (shown["subtotal"], shown["shipping"], shown["total"])} == {
        case.currency
    }


@pytest.fixture
def shop(run: Any) -> Any:
    stock_the_shop(run)
    return run


def test_the_email_shows_each_discount_once(shop: Any, outbox: Any) -> None:
    shop("OrderConfirmationFunction", order_event(shopify_order(CASES["usd-tax-added"])))

    text = text_part(outbox.only())
    assert text.count("WELCOME10") == 1
    assert text.count("SHIPHALF") == 1
    minus = "\N{MINUS SIGN}"
    assert f"{minus}$23.10" in text and f"{minus}$4.00" in text
    # The lines show their prices, not their share of the order's code...
    assert "$199.00" in text and f"2 \N{MULTIPLICATION SIGN} $18.00 · discount {minus}$4.00" in text
    assert "$179.10" not in text
    # ...and the rows above the total add up to it: 231.00 - 23.10 + 8.00 - 4.00 + 18.66.
    assert "$231.00" in text and "$230.56" in text


def test_the_email_shows_where_and_how_the_order_ships_and_is_paid(shop: Any, outbox: Any) -> None:
    payload = load_event("shopify/orders-create.json")["detail"]["payload"]
    payload["payment_terms"] = {"payment_terms_name": "Net 30", "payment_terms_type": "net"}
    # Older payloads carried card details; they never reach the email.
    payload["payment_details"] = {"credit_card_number": "•••• •••• •••• 4242"}
    shop("OrderConfirmationFunction", order_event(payload))

    html, text = html_part(outbox.only()), text_part(outbox.only())
    street = ("Alex Rivera", "118 W 27th St", "Apt 4R")
    for shown in (*street, "New York, New York 10001", "United States"):
        assert shown in text
    assert "Standard" in text
    assert "Shopify Payments" in text and "Net 30" in text
    assert "4242" not in html and "4242" not in text


def test_a_german_address_puts_the_postcode_before_the_city(shop: Any, outbox: Any) -> None:
    shop("OrderConfirmationFunction", load_event("shopify/orders-create-guest.json"))

    text = text_part(outbox.only())
    # The order is in German (customer_locale de-DE): the country too, not Shopify's English.
    for shown in ("Jürgen Müller", "Lindenstraße 12", "3. OG links", "10969 Berlin", "Deutschland"):
        assert shown in text
    assert "Germany" not in text
    assert "DHL Paket International" in text and "PayPal" in text


def test_lines_show_the_product_picture_with_its_alt_text_and_size(shop: Any, outbox: Any) -> None:
    shop("OrderConfirmationFunction", load_event("shopify/orders-create.json"))

    html = html_part(outbox.only())
    image = "https://cdn.shopify.com/s/files/1/0684/7265/9981/files/classic-oxford-brown-side.jpg"
    assert any(link.startswith(image) for link in links_in(html))
    tag = html[html.rindex("<img", 0, html.index(image)) :]
    tag = tag[: tag.index(">")]
    assert 'alt="Classic Oxford in brown calf, side view"' in tag  # the shop's own alt text
    assert 'width="64"' in tag and 'height="64"' in tag


def test_the_confirmation_button_opens_the_order_not_a_parcel(shop: Any, outbox: Any) -> None:
    shop("OrderConfirmationFunction", load_event("shopify/orders-create.json"))

    html = html_part(outbox.only())
    assert "View your order" in html
    assert "Track" not in html
