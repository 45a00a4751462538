"""The add-to-your-order link: valid, expired, tampered, sold out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import html_part, load_event
from tailor import clock


def url_event(query: dict[str, str], method: str = "GET") -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": "/",
        "rawQueryString": "&".join(f"{k}={v}" for k, v in query.items()),
        "queryStringParameters": query,
        "requestContext": {"http": {"method": method, "path": "/"}},
        "headers": {},
        "isBase64Encoded": False,
    }


@pytest.fixture
def offer_token(run: Any, outbox: Any) -> str:
    """The token from a real confirmation for an order placed just now."""
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("CatalogSyncFunction", load_event("shopify/products-update.json"))
    order = load_event("shopify/orders-create.json")
    payload = order["detail"]["payload"]
    payload["line_items"] = payload["line_items"][:1]
    payload["created_at"] = payload["processed_at"] = clock.now().isoformat()
    run("OrderConfirmationFunction", order)
    html = html_part(outbox.only())
    start = html.index('href="http://127.0.0.1:3000/OfferRedirectFunction/?t=') + len('href="')
    link = html[start : html.index('"', start)].replace("&amp;", "&")
    return parse_qs(urlparse(link).query)["t"][0]


def test_valid_offer_redirects_to_the_cart_with_the_item(run: Any, offer_token: str) -> None:
    response = run("OfferRedirectFunction", url_event({"t": offer_token}))

    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == "https://shop.example.com/cart/44112233449999:1"


def test_expired_offer_shows_a_friendly_page(
    run: Any, offer_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = clock.now() + timedelta(minutes=16)
    monkeypatch.setenv("TAILOR_NOW", later.isoformat())

    response = run("OfferRedirectFunction", url_event({"t": offer_token}))

    assert response["statusCode"] == 410
    assert "This offer has ended" in response["body"]
    assert offer_token not in response["body"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: t[: len(t) // 2],  # truncated
        lambda t: "eyJ2IjoiOTk5In0." + t.split(".")[1],  # payload swapped
        lambda t: "",
        lambda t: "%%%not-base64%%%.x",
        lambda t: "A" * 10_000,
    ],
)
def test_tampered_offer_is_refused_plainly(run: Any, offer_token: str, tamper: Any) -> None:
    response = run("OfferRedirectFunction", url_event({"t": tamper(offer_token)}))

    assert response["statusCode"] == 400
    assert "This link is not valid" in response["body"]
    assert "Location" not in response["headers"]


def test_offer_for_an_item_that_sold_out_meanwhile(run: Any, offer_token: str) -> None:
    socks = load_event("shopify/products-update.json")
    socks["detail"]["payload"]["variants"][0]["inventory_quantity"] = 0
    socks["detail"]["payload"]["updated_at"] = "2027-01-01T00:00:00Z"
    run("CatalogSyncFunction", socks)

    response = run("OfferRedirectFunction", url_event({"t": offer_token}))

    assert response["statusCode"] == 410
    assert "Sold out" in response["body"]


def test_offer_link_only_answers_get(run: Any, offer_token: str) -> None:
    response = run("OfferRedirectFunction", url_event({"t": offer_token}, method="POST"))

    assert response["statusCode"] == 405
