"""The emails after the order in each of the eight languages, sent through their real
handlers: shipping confirmation, delivery update, review request, cancellation and refund.
Every word comes from that language's copy (sizes and countries included), money, dates and
times are written as that language writes them, and the text part is plain text."""

from __future__ import annotations

import html as html_entities
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from tailor import copy, i18n

from tests.helpers.aftercare import (
    ALEX,
    at,
    fire,
    load_catalog,
    only_schedule,
    subscribe,
)
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part

NEW_YORK = ZoneInfo("America/New_York")


def words(email_type: str, lang: str) -> dict[str, str]:
    return {**copy.packaged("common", lang), **copy.packaged(email_type, lang)}


def flat(text: str) -> str:
    """Whitespace as one space: Babel writes no-break and narrow spaces in money and times."""
    return " ".join(text.split())


def read(message: EmailMessage, lang: str) -> tuple[str, str]:
    """The HTML (entities decoded) and the text part, checked to be written as text."""
    page, text = html_entities.unescape(html_part(message)), text_part(message)
    assert f'lang="{lang}"' in html_part(message)
    assert "<" not in text and "**" not in text and "[" not in text and "](" not in text
    for line in text.splitlines():
        if "http" in line:
            assert re.fullmatch(r"https?://\S+", line.strip()), f"URL not on its own line: {line!r}"
    return page, flat(text)


def day(moment: date, lang: str) -> str:
    return flat(format_date(moment, "long", locale=lang))


def usd(amount: str, lang: str) -> str:
    return flat(format_currency(Decimal(amount), "USD", locale=lang))


def order_in(run: Any, lang: str) -> None:
    """Alex's order #1001 placed in `lang`, the catalog knowing the shoe's sizes."""
    load_catalog(run)
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"]["customer_locale"] = lang
    run("PurchaseHistoryFunction", event)
    run("AftercareRecorderFunction", event)


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_shipping_delivery_and_review_request_in_the_customers_language(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    at("2026-11-23T19:00:00+00:00", monkeypatch)
    order_in(run, lang)
    subscribe(ALEX)

    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    run("DeliveryUpdateFunction", load_event("shopify/fulfillment-events-create-delivered.json"))
    fire(run, only_schedule(kind="review-"), monkeypatch)
    shipped, delivered, review = outbox.messages

    expected = words("shipping_confirmation", lang)
    page, text = read(shipped, lang)
    assert shipped["Subject"] == expected["subject_part"].format(number="#1001")
    assert expected["preheader_part"] in page
    assert flat(expected["heading_part_named"].format(first_name="Alex")) in text
    assert f"1 × Classic Oxford ({expected['size'].format(size='13')})" in text
    assert f"{expected['track_button']}:" in text and f"{expected['invite_link']}:" in text
    assert Locale.parse(lang).territories["US"] in text  # the country in the email's language
    come_back = expected["discount_next_order_percent"].format(percent=i18n.percent(10, lang))
    coupon = expected["coupon_offer"].format(offer=come_back, date=day(date(2027, 1, 19), lang))
    assert flat(coupon) in text  # the come-back code's offer and last day

    expected = words("delivery_update", lang)
    page, text = read(delivered, lang)
    assert delivered["Subject"] == expected["subject_delivered"].format(number="#1001")
    assert expected["preheader_delivered"] in page
    assert flat(expected["heading_delivered_named"].format(first_name="Alex")) in text
    at_door = datetime(2026, 11, 23, 18, 47, tzinfo=UTC)
    assert day(date(2026, 11, 23), lang) in text
    assert flat(i18n.time_of_day(at_door, NEW_YORK, lang)) in text
    assert f"({expected['size'].format(size='13')})" in text

    expected = words("review_request", lang)
    page, text = read(review, lang)
    assert review["Subject"] == expected["subject_item"].format(title="Classic Oxford")
    assert expected["preheader"] in page
    assert flat(expected["heading_named"].format(first_name="Alex")) in text
    assert day(date(2026, 11, 23), lang) in text
    assert flat(expected["size"].format(size="13")) in text
    assert f"{expected['review_button']}:" in text


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_cancellation_in_the_customers_language(run: Any, outbox: Any, lang: str) -> None:
    event = load_event("shopify/orders-cancelled.json")  # voided: the hold is released
    event["detail"]["payload"]["customer_locale"] = lang

    run("OrderCancelledFunction", event)

    expected = words("order_cancelled", lang)
    message = outbox.only()
    page, text = read(message, lang)
    assert message["Subject"] == expected["subject"].format(number="#1004")
    assert expected["preheader_released"] in page
    assert flat(expected["heading_named"].format(first_name="Mina", number="#1004")) in text
    assert flat(expected["intro_customer"].format(number="#1004")) in text
    released = expected["money_released_amount"].format(amount=usd("219.60", lang))
    assert flat(released) in text
    assert f"{expected['order_total']} … {usd('219.60', lang)}" in text


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_refund_in_the_customers_language(run: Any, outbox: Any, lang: str) -> None:
    order_in(run, lang)

    run("RefundIssuedFunction", load_event("shopify/refunds-create.json"))

    expected = words("refund_issued", lang)
    message = outbox.only()
    page, text = read(message, lang)
    amount = usd("194.32", lang)
    assert flat(message["Subject"]) == flat(
        expected["subject"].format(amount=amount, number="#1001")
    )
    assert expected["preheader"] in page
    assert flat(expected["heading_named"].format(first_name="Alex")) in text
    intro = expected["intro"].format(
        amount=amount, number="#1001", destination=expected["refund_to_card"]
    )
    assert flat(intro) in text
    assert f"· {expected['returned']} …" in text
    assert f"{expected['refunded']} … {amount}" in text
