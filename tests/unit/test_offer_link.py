"""The add-to-your-order link: valid, expired, tampered, sold out."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from tailor import aws

from tests.helpers.events import load_event
from tests.helpers.mail import html_part


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


PLACED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def offer_link(run: Any, outbox: Any, order_id: int | None = None) -> str:
    """The offer token from a real confirmation for an order placed at PLACED (the clock)."""
    order = load_event("shopify/orders-create.json")
    payload = order["detail"]["payload"]
    payload["line_items"] = payload["line_items"][:1]
    payload["created_at"] = payload["processed_at"] = PLACED.isoformat()
    if order_id is not None:
        payload["id"] = order_id
    run("OrderConfirmationFunction", order)
    html = html_part(outbox.messages[-1])
    start = html.index('href="http://127.0.0.1:3000/OfferRedirectFunction/?t=') + len('href="')
    link = html[start : html.index('"', start)].replace("&amp;", "&")
    return parse_qs(urlparse(link).query)["t"][0]


@pytest.fixture
def offer_token(run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TAILOR_NOW", PLACED.isoformat())
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("CatalogSyncFunction", load_event("shopify/products-update.json"))
    return offer_link(run, outbox)


def test_valid_offer_redirects_to_the_cart_with_the_item(run: Any, offer_token: str) -> None:
    response = run("OfferRedirectFunction", url_event({"t": offer_token}))

    assert response["statusCode"] == 302
    location = response["headers"]["Location"]
    assert location.startswith("https://shop.example.com/cart/44112233449999:1?")
    assert parse_qs(urlparse(location).query)["checkout[email]"] == ["alex.rivera@example.com"]


def test_expired_offer_shows_a_friendly_page(
    run: Any, offer_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = PLACED + timedelta(minutes=16)
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


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: "\u00e9.\u00e9",
        lambda t: t[:-2] + "\u00e9" + t[-1],  # inside the signature
        lambda t: t.replace(".", ".\u0661", 1),  # an Arabic-Indic digit opens the signature
        lambda t: t + "\u2028",
    ],
)
def test_a_token_with_non_ascii_characters_gets_the_invalid_link_page(
    run: Any, offer_token: str, tamper: Any
) -> None:
    response = run("OfferRedirectFunction", url_event({"t": tamper(offer_token)}))

    assert response["statusCode"] == 400
    assert "This link is not valid" in response["body"]


@pytest.fixture
def put_secret(cloud: Any) -> Iterator[Callable[[Callable[[str], str]], None]]:
    """Replace the signing secret with `make(old value)` as an operator would; the functions
    read it at once (the 5-minute cache cleared), and afresh after the test."""
    manager = boto3.client("secretsmanager", region_name="us-east-1")
    secret_id = cloud.physical_name("LinkSigningSecret")

    def put(make: Callable[[str], str]) -> None:
        old = str(manager.get_secret_value(SecretId=secret_id)["SecretString"])
        manager.put_secret_value(SecretId=secret_id, SecretString=make(old))
        aws.secrets.cache_clear()

    yield put
    aws.secrets.cache_clear()


def test_links_already_sent_keep_working_when_the_signing_key_rotates(
    run: Any, outbox: Any, offer_token: str, put_secret: Any
) -> None:
    ring: dict[str, Any] = {"current": "k2", "keys": {"k2": secrets.token_urlsafe(48)}}
    put_secret(lambda legacy: json.dumps({**ring, "keys": {**ring["keys"], "legacy": legacy}}))

    sent_before = run("OfferRedirectFunction", url_event({"t": offer_token}))
    assert sent_before["statusCode"] == 302

    rotated = offer_link(run, outbox, order_id=820982911946154509)
    assert rotated.startswith("k2.")
    sent_after = run("OfferRedirectFunction", url_event({"t": rotated}))
    assert sent_after["headers"]["Location"] == sent_before["headers"]["Location"]

    unknown_key = "k9." + rotated.split(".", 1)[1]
    assert run("OfferRedirectFunction", url_event({"t": unknown_key}))["statusCode"] == 400

    # Retiring the legacy key retires the links signed with it, and only those.
    put_secret(lambda _: json.dumps(ring))
    assert run("OfferRedirectFunction", url_event({"t": offer_token}))["statusCode"] == 400
    assert run("OfferRedirectFunction", url_event({"t": rotated}))["statusCode"] == 302


@pytest.mark.parametrize(
    ("ring", "named"),
    [
        ({"current": "k3", "keys": {"k2": "k" * 48}}, "'k3' is not among the keys"),
        ({"current": "k2", "keys": {"k2": "short"}}, "'k2' must be at least 32 bytes"),
        ({"current": "k2", "keys": {"k 2": "k" * 48}}, "key id 'k 2'"),
        ({"current": "k2"}, '"keys"'),
    ],
)
def test_a_malformed_key_ring_is_an_error_naming_the_problem(
    run: Any, offer_token: str, put_secret: Any, ring: dict[str, Any], named: str
) -> None:
    put_secret(lambda _: json.dumps(ring))

    with pytest.raises(ValueError, match=re.escape(named)):
        run("OfferRedirectFunction", url_event({"t": offer_token}))
