"""Personal touches in the order confirmation that are true: the greeting, the suggestion,
and the after-order offer's link and copy."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tailor_local.invoke import invoke

from tests.helpers.events import load_event, url_request
from tests.helpers.mail import html_part, link_token, text_part
from tests.helpers.orders import shoes_only, stock_the_shop

PLACED = datetime.fromisoformat("2026-11-25T17:58:00+00:00")  # two minutes before the clock


def placed(event: dict[str, Any], at: datetime, order_id: str) -> dict[str, Any]:
    event = copy.deepcopy(event)
    payload = event["detail"]["payload"]
    payload["id"] = int(order_id)
    payload["name"] = f"#{order_id}"
    payload["created_at"] = payload["processed_at"] = at.isoformat()
    return event


def sized_socks() -> dict[str, Any]:
    """The merino sock as a product with a size option (S, M, L), all in stock."""
    event = load_event("shopify/products-update.json")
    payload = event["detail"]["payload"]
    payload["options"] = [{"name": "Size", "position": 1, "values": ["S", "M", "L"]}]
    first = payload["variants"][0]
    payload["variants"] = [
        {**first, "id": 44112233450000 + n, "title": size, "option1": size, "sku": f"MDS-{size}"}
        for n, size in enumerate(["S", "M", "L"])
    ]
    return event


@pytest.fixture
def shop(run: Any) -> Any:
    stock_the_shop(run)
    return run


ORDER = load_event("shopify/orders-create.json")


def confirm(shop: Any, event: dict[str, Any]) -> None:
    """The order as the shop's functions see it: recorded on the profile, and confirmed."""
    shop("PurchaseHistoryFunction", event)
    shop("OrderConfirmationFunction", event)


def test_a_second_order_minutes_after_the_first_is_not_a_welcome_back(
    shop: Any, outbox: Any
) -> None:
    confirm(shop, placed(ORDER, PLACED - timedelta(minutes=1), "1001"))
    confirm(shop, placed(ORDER, PLACED, "1002"))

    second = html_part(outbox.messages[1])
    assert "Welcome back" not in second and "good to see you again" not in second


def test_what_the_customer_bought_last_month_is_not_suggested_again(shop: Any, outbox: Any) -> None:
    confirm(shop, placed(ORDER, PLACED - timedelta(days=30), "1001"))  # shoes and socks
    confirm(shop, shoes_only(placed(ORDER, PLACED, "1002")))

    assert "Merino Dress Sock" not in html_part(outbox.messages[1])


def offer_url(html: str) -> str:
    return "http://127.0.0.1:3000/OfferRedirectFunction/?t=" + link_token(
        html, "OfferRedirectFunction"
    )


def redirect(cloud: Any, url: str, **env: str) -> dict[str, Any]:
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    response: dict[str, Any] = invoke(
        cloud.function("OfferRedirectFunction"), url_request(query=query), extra_env=env
    )
    return response


def test_offer_says_it_opens_a_new_checkout_and_fills_it_in_from_the_signed_link(
    shop: Any, outbox: Any, cloud: Any
) -> None:
    code = {"OFFER_DISCOUNT_CODE": "THANKS 15%"}
    event = shoes_only(placed(ORDER, PLACED, "1001"))
    invoke(cloud.function("OrderConfirmationFunction"), event, extra_env=code)

    message = outbox.only()
    text = " ".join(text_part(message).split())
    assert (
        "Add the Merino Dress Sock for $12.00 within 15 minutes: we'll open a checkout with "
        "your details filled in and the discount applied." in text
    )
    assert "a new order for this item alone; the order you just placed stays as it is" in text
    assert "add it to this order" not in text.lower()
    # Parameters added to the link change nothing: the details come from the signed token.
    url = offer_url(html_part(message)) + "&checkout[email]=thief@example.net&a=x"
    response = redirect(cloud, url, **code)

    assert response["statusCode"] == 302
    location = urlsplit(response["headers"]["Location"])
    assert (location.scheme, location.netloc) == ("https", "shop.example.com")
    assert location.path == "/cart/44112233449999:1"
    assert "[" not in location.query and " " not in location.query  # all of it URL-encoded
    assert parse_qs(location.query) == {
        "checkout[email]": ["alex.rivera@example.com"],
        "checkout[shipping_address][first_name]": ["Alex"],
        "checkout[shipping_address][last_name]": ["Rivera"],
        "checkout[shipping_address][address1]": ["118 W 27th St"],
        "checkout[shipping_address][address2]": ["Apt 4R"],
        "checkout[shipping_address][city]": ["New York"],
        "checkout[shipping_address][province]": ["New York"],
        "checkout[shipping_address][zip]": ["10001"],
        "checkout[shipping_address][country]": ["United States"],
        "discount": ["THANKS 15%"],
        # A cart attribute the order carries back, so it is attributed to this offer.
        "attributes[tailor_offer]": ["yes"],
    }


def test_an_item_in_a_size_we_do_not_know_is_offered_on_its_page(
    shop: Any, outbox: Any, cloud: Any
) -> None:
    shop("CatalogSyncFunction", sized_socks())
    code = {"OFFER_DISCOUNT_CODE": "THANKS15"}
    event = shoes_only(placed(ORDER, PLACED, "1001"))
    invoke(cloud.function("OrderConfirmationFunction"), event, extra_env=code)

    html = html_part(outbox.only())
    text = " ".join(text_part(outbox.only()).split())
    assert "Merino Dress Sock" in html and "Choose your size" in html
    assert "we'll open its page with the discount applied at checkout" in text
    response = redirect(cloud, offer_url(html), **code)

    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == (
        "https://shop.example.com/discount/THANKS15?redirect=%2Fproducts%2Fmerino-dress-sock"
    )
