"""The private sale's link: it leads only to the shop's own domains, with a discount code of
the invitee's own; the invitation shows only web images."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tailor.emails.private_sale import invitee_code
from tailor.events.interests import PrivateSaleStarted
from tailor.links import signer_from_secret
from tailor_local.template import Template

from tests.helpers.alerts_shop import MIDDAY, OXFORD, SIZE, SOCKS, Shop, money, open_shop
from tests.helpers.events import url_request
from tests.helpers.mail import html_part, link_token, links_in

MYSHOPIFY = "tailor-demo.myshopify.com"
CODE = re.compile(r"WISHLIST20-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")
SALE: dict[str, Any] = {
    "sale_id": "wishlist-spring-2027",
    "title": "Wish-list private sale",
    "product_ids": [OXFORD, SOCKS],
    "discount_percent": "20",
    "starts_at": MIDDAY.isoformat(),
    "ends_at": (MIDDAY + timedelta(days=3)).isoformat(),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(parameters={"ShopDomains": MYSHOPIFY})


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.socks()
    shop.customer("susie@example.com", shoes="13")
    shop.customer("mina@example.com", shoes="13")
    return shop


def oxford(shop: Shop, url: str, image_url: str | None = None) -> None:
    """The Classic Oxford in size 13 as a catalog event describes it, URLs and all."""
    shop.product(
        product_id=OXFORD,
        handle="classic-oxford",
        title="Classic Oxford",
        product_type="Shoes",
        url=url,
        image_url=image_url,
        variants=[
            {"variant_id": SIZE["13"], "title": "13", "size": "13", "price": money("199.00")}
        ],
    )


def invitation(outbox: Any, email: str) -> str:
    return html_part(next(m for m in outbox.messages if email in str(m["To"])))


def opened(run: Any, token: str) -> str:
    response = run("PrivateSaleLinkFunction", url_request("/", {"t": token}))
    assert response["statusCode"] == 302
    return str(response["headers"]["Location"])


@pytest.mark.parametrize(
    "product_url",
    [
        "https://evil.example/products/classic-oxford",
        "https://shop.example.com.evil.example/products/classic-oxford",
        "//evil.example/products/classic-oxford",
        "javascript:alert(document.cookie)",
        "https://shop.example.com/products/classic-oxford\r\nSet-Cookie: a=b",
    ],
)
def test_the_link_leads_only_to_the_shops_own_domains(
    shop: Shop, outbox: Any, run: Any, product_url: str
) -> None:
    oxford(shop, product_url)
    shop.wish("susie@example.com", OXFORD)
    shop.deliver("PrivateSaleStarted", **SALE)
    token = link_token(invitation(outbox, "susie"), "PrivateSaleLinkFunction")

    assert opened(run, token) == "https://shop.example.com/products/classic-oxford"

    # The shop's myshopify.com domain is its own too (ShopDomains).
    oxford(shop, f"https://{MYSHOPIFY}/products/classic-oxford")
    assert opened(run, token) == f"https://{MYSHOPIFY}/products/classic-oxford"


def test_each_invitee_gets_a_discount_code_of_their_own(shop: Shop, outbox: Any, run: Any) -> None:
    oxford(shop, "https://shop.example.com/products/classic-oxford")
    shop.wish("susie@example.com", SOCKS)
    shop.wish("mina@example.com", SOCKS)
    sale = {**SALE, "discount_code": "WISHLIST20"}
    shop.deliver("PrivateSaleStarted", **sale)

    codes = {}
    for email in ("susie@example.com", "mina@example.com"):
        location = opened(run, link_token(invitation(outbox, email), "PrivateSaleLinkFunction"))
        assert location.startswith("https://shop.example.com/cart/")
        codes[email] = parse_qs(urlsplit(location).query)["discount"][0]

    assert all(CODE.fullmatch(code) for code in codes.values()), codes
    assert codes["susie@example.com"] != codes["mina@example.com"]
    # The codes the shop creates for its wish-list holders (README) are the same.
    signer = signer_from_secret("LinkSigningSecret")
    event = PrivateSaleStarted.model_validate(sale)
    assert codes == {email: invitee_code(event, email, signer) for email in codes}


@pytest.mark.parametrize(
    ("image_url", "shown"),
    [
        ("javascript:alert(1)", None),
        ("data:image/svg+xml;base64,PHN2Zy8+", None),
        ('https://cdn.example/a.jpg" onerror="alert(1)', None),
        ("//cdn.shopify.com/s/files/oxford.jpg", "https://cdn.shopify.com/s/files/oxford.jpg"),
    ],
)
def test_the_invitation_shows_only_web_images(
    shop: Shop, outbox: Any, image_url: str, shown: str | None
) -> None:
    oxford(shop, "https://shop.example.com/products/classic-oxford", image_url)
    shop.wish("susie@example.com", OXFORD)
    shop.deliver("PrivateSaleStarted", **SALE)

    html = invitation(outbox, "susie")
    images = re.findall(r"<img [^>]*>", html)
    if shown is None:
        assert images == []
    else:
        assert shown in links_in(html)
    assert all(urlsplit(link).scheme in ("http", "https") for link in links_in(html))
