"""Tracking and order-status URLs from fulfillment webhooks, where they land in the shipping
confirmation: the shop's URL when it is a web address, else the carrier's own pattern."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.aftercare import place_order, shipped
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, links_in

UPS_PATTERN = "https://www.ups.com/track?loc=en_US&tracknum=1Z9R5W900312345678"


@pytest.mark.parametrize(
    "tracking_url",
    [
        'https://www.ups.com/track?n=1"onclick="alert(1)',
        "https://www.ups.com/track?n=<script>alert(1)</script>",
        "https://www.ups.com/track?n=1Z9R5W900312345678\u202egnp.exe",
        "https://evil.example\\@www.ups.com/track",
        "https://www.ups.com/track?n=1Z9R5W900312345678\u0007",
    ],
)
def test_a_hostile_tracking_url_gives_way_to_the_carriers_own(
    run: Any, outbox: Any, tracking_url: str
) -> None:
    place_order(run)

    run(
        "ShippingConfirmationFunction",
        shipped(tracking_url=tracking_url, tracking_urls=[tracking_url]),
    )

    html = html_part(outbox.only())
    tracking = [link for link in links_in(html) if "ups.com" in link]
    assert tracking == [UPS_PATTERN]


def test_a_protocol_relative_tracking_url_is_kept_over_https(run: Any, outbox: Any) -> None:
    place_order(run)
    shops_own = "//www.ups.com/WebTracking?trackNums=1Z9R5W900312345678"

    run("ShippingConfirmationFunction", shipped(tracking_url=shops_own, tracking_urls=[shops_own]))

    html = html_part(outbox.only())
    assert [link for link in links_in(html) if "ups.com" in link] == [f"https:{shops_own}"]


LOCAL_URLS = "http://127.0.0.1:3000/"


@pytest.mark.parametrize(
    "status_url", ["javascript:alert(1)", "java\nscript:alert(1)", 'https://x.example/"><b>hi']
)
def test_a_hostile_order_status_url_leaves_the_status_link_out(
    run: Any, outbox: Any, status_url: str
) -> None:
    order = load_event("shopify/orders-create.json")
    order["detail"]["payload"]["order_status_url"] = status_url
    run("PurchaseHistoryFunction", order)
    run("AftercareRecorderFunction", order)

    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))

    html = html_part(outbox.only())
    assert "See the status of your whole order" not in html
    # The local cloud's function URLs (the "tell a friend" link) are plain http.
    assert all(link.startswith(("https://", LOCAL_URLS)) for link in links_in(html))
