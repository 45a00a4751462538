"""Price drops and sales: wish-list holders, watchers and searchers, in their size, once."""

from __future__ import annotations

from typing import Any

import pytest
from tailor.consent import BACK_IN_STOCK
from tailor_local.template import Template

from tests.helpers.alerts_shop import MIDDAY, OXFORD, SIZE, SOCKS, Shop, open_shop, recipients
from tests.helpers.mail import html_part, text_part


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 0, "12": 4, "13": 2})
    shop.socks()
    return shop


def test_a_price_drop_reaches_the_holder_whose_size_is_in_stock_only(
    shop: Shop, outbox: Any
) -> None:
    shop.customer("susie@example.com", shoes="13", first_name="Susie")
    shop.customer("mina@example.com", shoes="11", first_name="Mina")  # size 11 is gone
    shop.wish("susie@example.com")
    shop.wish("mina@example.com")

    shop.oxford({"11": 0, "12": 4, "13": 2}, price="159.00")  # -20 %

    message = outbox.only()
    assert message["To"] == "Susie <susie@example.com>"
    assert message["Subject"] == "Price drop: Classic Oxford in your size, now $159.00"
    html, text = html_part(message), text_part(message)
    assert "Susie, Classic Oxford just got cheaper" in html
    assert "on your wish list" in text and "down from $199.00: 20% off" in text
    assert "in stock in your size, 13" in text
    assert f"/cart/{SIZE['13']}:1" in html


def test_a_sale_start_is_told_once_per_sale(shop: Shop, outbox: Any) -> None:
    shop.customer("susie@example.com", shoes="13")
    shop.wish("susie@example.com")

    shop.oxford({"11": 0, "12": 4, "13": 2}, price="149.00", compare_at="199.00")
    shop.oxford({"11": 0, "12": 4, "13": 1}, price="149.00", compare_at="199.00")  # sold one
    shop.oxford({"11": 0, "12": 4, "13": 1}, price="119.00", compare_at="199.00")  # deeper

    message = outbox.only()
    assert message["Subject"] == "On sale now: Classic Oxford in your size, now $149.00"
    assert "Classic Oxford is on sale" in html_part(message)


def test_a_small_change_or_a_rise_tells_no_one(shop: Shop, outbox: Any) -> None:
    shop.customer("susie@example.com", shoes="13")
    shop.wish("susie@example.com")

    shop.oxford({"11": 0, "12": 4, "13": 2}, price="189.00")  # -5 %: under the threshold
    shop.oxford({"11": 0, "12": 4, "13": 2}, price="219.00")

    assert outbox.messages == []


def test_a_drop_only_in_another_size_is_not_news(shop: Shop, outbox: Any) -> None:
    shop.customer("susie@example.com", shoes="13")
    shop.wish("susie@example.com")

    shop.oxford({"11": 0, "12": 4, "13": 2}, prices={"12": "99.00"})

    assert outbox.messages == []


def test_searchers_hear_when_all_their_words_describe_the_product(shop: Shop, outbox: Any) -> None:
    for email in ("sam@example.com", "alex@example.com", "kim@example.com"):
        shop.customer(email)
    shop.search("sam@example.com", "Wool socks")
    shop.search("alex@example.com", "something warm", SOCKS)  # shown the socks first
    shop.search("kim@example.com", "silk socks", OXFORD)

    shop.socks(price="9.00", compare_at="18.00")

    assert recipients(outbox) == ["alex@example.com", "sam@example.com"]
    sam = next(m for m in outbox.messages if "sam@" in str(m["To"]))
    assert "You searched for “Wool socks”" in text_part(sam)
    assert "$9.00" in text_part(sam) and ": 50% off." in text_part(sam)


def test_a_watcher_who_asked_hears_and_consent_is_recorded(shop: Shop, outbox: Any) -> None:
    shop.deliver(
        "SaleAlertRequested",
        email="Guest.Shopper@example.net",
        product_id=SOCKS,
        requested_at=MIDDAY.isoformat(),
    )

    shop.socks(price="12.00")

    message = outbox.only()
    assert "You asked us to tell you" in text_part(message)


def test_no_consent_no_email_and_a_wish_list_gives_none(shop: Shop, outbox: Any) -> None:
    shop.customer("susie@example.com", shoes="13", topics=(BACK_IN_STOCK,))
    shop.wish("susie@example.com")

    shop.oxford({"11": 0, "12": 4, "13": 2}, price="159.00")

    assert outbox.messages == []


def test_a_customer_on_the_list_and_searching_gets_one_email(shop: Shop, outbox: Any) -> None:
    shop.customer("susie@example.com", shoes="13")
    shop.wish("susie@example.com")
    shop.search("susie@example.com", "oxford", OXFORD)

    shop.oxford({"11": 0, "12": 4, "13": 2}, price="159.00")

    assert recipients(outbox) == ["susie@example.com"]
    assert "on your wish list" in text_part(outbox.only())
