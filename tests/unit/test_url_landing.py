"""URLs from events where they land in the order confirmation: only absolute http(s) URLs
reach an `href` or `src`; protocol-relative ones become https; anything else leaves the link
out, and the rest of the email is sent as usual."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.helpers.events import load_event
from tests.helpers.mail import html_part, links_in

PLACED = "2026-11-20T15:00:00+00:00"

# What a hostile or broken system could put in a URL field of an event.
HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "java\u200bscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    'https://shop.example.com/orders/1" onmouseover="alert(1)',
    "https://shop.example.com/orders/<script>alert(1)</script>",
    "https://shop.example.com\\@evil.example/",
    "https://shop.example.com@evil.example/",
    "/orders/1001",
    "https:///evil.example",
]


def assert_only_web_links(html: str) -> None:
    for link in links_in(html):
        parts = urlsplit(link)
        assert parts.scheme in ("http", "https") and parts.hostname, link
        assert not any(char in link for char in "\"'<>\\ \t\r\n@"), link


@pytest.fixture
def shop(run: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TAILOR_NOW", PLACED)
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    return run


def sock_with_image(run: Any, src: str) -> None:
    socks = load_event("shopify/products-update.json")
    payload = socks["detail"]["payload"]
    payload["image"]["src"] = src
    payload["images"] = [payload["image"]]
    run("CatalogSyncFunction", socks)


def shoes_ordered(**changes: Any) -> dict[str, Any]:
    order = load_event("shopify/orders-create.json")
    payload = order["detail"]["payload"]
    payload["line_items"] = payload["line_items"][:1]
    payload.update({"created_at": PLACED, "processed_at": PLACED, **changes})
    return order


@pytest.mark.parametrize("status_url", HOSTILE_URLS)
def test_a_hostile_order_status_url_leaves_the_status_link_out(
    shop: Any, outbox: Any, status_url: str
) -> None:
    sock_with_image(shop, "https://cdn.shopify.com/s/files/1/sock.jpg")

    result = shop("OrderConfirmationFunction", shoes_ordered(order_status_url=status_url))

    assert result["status"] == "sent"
    html = html_part(outbox.only())
    assert "View your order" not in html
    assert "Merino Dress Sock" in html  # the rest of the email is there
    assert_only_web_links(html)


@pytest.mark.parametrize("src", HOSTILE_URLS)
def test_a_hostile_image_url_leaves_the_image_out(shop: Any, outbox: Any, src: str) -> None:
    sock_with_image(shop, src)

    shop("OrderConfirmationFunction", shoes_ordered())

    html = html_part(outbox.only())
    assert html.count("<img") == 1  # the shoes' picture on the receipt; none for the sock
    assert 'alt="Merino Dress Sock"' not in html
    assert "Merino Dress Sock" in html
    assert_only_web_links(html)


def test_a_protocol_relative_image_url_is_loaded_over_https(shop: Any, outbox: Any) -> None:
    sock_with_image(shop, "//cdn.shopify.com/s/files/1/0684/sock.jpg?v=1")

    shop("OrderConfirmationFunction", shoes_ordered())

    html = html_part(outbox.only())
    assert "https://cdn.shopify.com/s/files/1/0684/sock.jpg?v=1" in links_in(html)
    assert_only_web_links(html)


def test_a_product_link_built_from_a_hostile_handle_stays_on_the_shops_page(
    shop: Any, outbox: Any
) -> None:
    socks = load_event("shopify/products-update.json")
    socks["detail"]["payload"]["handle"] = 'merino"><script>alert(1)</script>'
    shop("CatalogSyncFunction", socks)
    an_hour_ago = "2026-11-20T14:00:00+00:00"  # past the offer's window: a plain product link

    shop(
        "OrderConfirmationFunction",
        shoes_ordered(created_at=an_hour_ago, processed_at=an_hour_ago),
    )

    html = html_part(outbox.only())
    assert "Have a look" in html
    assert (
        "https://shop.example.com/products/merino%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
        in links_in(html)
    )
    assert_only_web_links(html)
