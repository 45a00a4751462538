"""Wish-list private sales: invitations to wish-list holders only, links that open the sale."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from tailor_local.template import Template

from tests.helpers.alerts_shop import MIDDAY, OXFORD, SIZE, SOCKS, Shop, open_shop, recipients
from tests.helpers.events import url_request
from tests.helpers.mail import html_part, link_token, text_part

SALE = {
    "sale_id": "wishlist-winter-2026",
    "title": "Wish-list private sale",
    "product_ids": [OXFORD, SOCKS],
    "discount_percent": "20",
    "discount_code": "WISHLIST20",
    "starts_at": MIDDAY.isoformat(),
    "ends_at": (MIDDAY + timedelta(days=3)).isoformat(),
}


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 0, "12": 4, "13": 2})
    shop.socks()
    shop.customer("susie@example.com", shoes="13", first_name="Susie")
    shop.customer("mina@example.com", shoes="12")
    shop.customer("nowish@example.com", shoes="13")  # has no wish list
    shop.wish("susie@example.com", OXFORD)
    shop.wish("susie@example.com", SOCKS)
    shop.wish("mina@example.com", SOCKS)
    return shop


def test_a_private_sale_reaches_wish_list_holders_only_with_their_own_items(
    shop: Shop, outbox: Any
) -> None:
    shop.deliver("PrivateSaleStarted", **SALE)

    assert recipients(outbox) == ["mina@example.com", "susie@example.com"]
    susie = next(m for m in outbox.messages if "susie" in str(m["To"]))
    assert susie["Subject"] == "Just for you: 20% off 2 items on your wish list"
    text = text_part(susie)
    assert "Classic Oxford" in text and "Size 13" in text and "$159.20" in text
    assert "Rag Wool Socks" in text and "$14.40" in text
    mina = next(m for m in outbox.messages if "mina" in str(m["To"]))
    assert mina["Subject"] == "Just for you: 20% off Rag Wool Socks"
    assert "Classic Oxford" not in text_part(mina)


def test_the_link_opens_the_cart_with_the_discount_during_the_sale(
    shop: Shop, outbox: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.deliver("PrivateSaleStarted", **SALE)
    susie = next(m for m in outbox.messages if "susie" in str(m["To"]))
    token = link_token(html_part(susie), "PrivateSaleLinkFunction")

    opened = run("PrivateSaleLinkFunction", url_request("/", {"t": token}))
    assert opened["statusCode"] == 302
    location = opened["headers"]["Location"]
    assert location.startswith("https://shop.example.com/cart/")
    # Her own code (the sale's code and an HMAC of the sale and her address), not the sale's.
    assert re.search(r":1\?discount=WISHLIST20-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$", location)
    assert SIZE["13"] in location or "44112233445590" in location

    monkeypatch.setenv("TAILOR_NOW", (MIDDAY + timedelta(days=4)).isoformat())
    ended = run("PrivateSaleLinkFunction", url_request("/", {"t": token}))
    assert ended["statusCode"] == 410 and "This private sale has ended" in ended["body"]


@pytest.mark.parametrize("token", ["", "garbage", "eyJzIjoid2lzaGxpc3QifQ.forged", "x" * 5000])
def test_a_tampered_link_gets_a_friendly_page(shop: Shop, run: Any, token: str) -> None:
    page = run("PrivateSaleLinkFunction", url_request("/", {"t": token}))

    assert page["statusCode"] == 400 and "This link is not valid" in page["body"]


def test_a_sold_out_item_and_an_early_click_get_their_own_pages(
    shop: Shop, outbox: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = {**SALE, "starts_at": (MIDDAY + timedelta(hours=2)).isoformat()}
    shop.deliver("PrivateSaleStarted", **early)
    susie = next(m for m in outbox.messages if "susie" in str(m["To"]))
    token = link_token(html_part(susie), "PrivateSaleLinkFunction")

    too_early = run("PrivateSaleLinkFunction", url_request("/", {"t": token}))
    assert too_early["statusCode"] == 425 and "has not started yet" in too_early["body"]

    monkeypatch.setenv("TAILOR_NOW", (MIDDAY + timedelta(hours=3)).isoformat())
    shop.oxford({"11": 0, "12": 4, "13": 0})  # her size sold out meanwhile
    sold_out = run("PrivateSaleLinkFunction", url_request("/", {"t": token}))
    assert sold_out["statusCode"] == 410 and "Sold out in your size" in sold_out["body"]


def test_a_repeated_sale_event_invites_no_one_twice(shop: Shop, outbox: Any) -> None:
    shop.deliver("PrivateSaleStarted", **SALE)
    shop.deliver("PrivateSaleStarted", **SALE)

    assert len(outbox.messages) == 2


def test_a_sale_that_is_already_over_invites_no_one(shop: Shop, outbox: Any) -> None:
    over = {**SALE, "ends_at": (MIDDAY - timedelta(minutes=1)).isoformat()}
    over["starts_at"] = (MIDDAY - timedelta(days=1)).isoformat()

    shop.deliver("PrivateSaleStarted", **over)

    assert outbox.messages == []
