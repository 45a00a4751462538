"""Every link in an email goes through the click redirect: counted, then sent on, with UTM
parameters, to the destination signed into it and nowhere else."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from tests.helpers.events import load_event, url_request
from tests.helpers.mail import Outbox, html_part, links_in, text_part

CLICK = "http://127.0.0.1:3000/ClickRedirectFunction/?t="


def results_items(cloud: Any, prefix: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(cloud.physical_name("ResultsTable"))
    return [i for i in table.scan()["Items"] if str(i["pk"]).startswith(prefix)]


def confirmation(run: Any, outbox: Outbox) -> Any:
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))
    return outbox.only()


def click_links(html: str) -> list[str]:
    return [link for link in links_in(html) if link.startswith(CLICK)]


def follow(run: Any, link: str) -> dict[str, Any]:
    token = parse_qs(urlsplit(link).query)["t"][0]
    response: dict[str, Any] = run("ClickRedirectFunction", url_request(query={"t": token}))
    return response


def test_every_shop_link_in_both_parts_goes_through_the_click_redirect(
    run: Any, outbox: Outbox
) -> None:
    message = confirmation(run, outbox)
    html, text = html_part(message), text_part(message)

    anchors = [link for link in links_in(html) if "shop.example.com" in link]
    assert anchors == [], f"shop links sent untracked: {anchors}"
    assert click_links(html)
    assert "https://shop.example.com" not in text
    assert CLICK in text
    # The token signs a message id and a link index only: the same short length for every
    # link, whatever its destination (measured: 78 characters with the legacy key).
    tokens = {parse_qs(urlsplit(link).query)["t"][0] for link in click_links(html)}
    assert max(len(token) for token in tokens) <= 90


def test_a_click_is_counted_and_redirects_with_utm_parameters(
    run: Any, outbox: Outbox, cloud: Any
) -> None:
    html = html_part(confirmation(run, outbox))
    home = click_links(html)[0]  # the shop's name in the header links to its home page

    response = follow(run, home)

    assert response["statusCode"] == 302
    location = urlsplit(response["headers"]["Location"])
    query = parse_qs(location.query)
    assert location.hostname == "shop.example.com"
    assert query["utm_source"] == ["tailor"]
    assert query["utm_medium"] == ["email"]
    assert query["utm_campaign"] == ["order_confirmation"]
    clicks = results_items(cloud, "cust#")
    assert len(clicks) == 1
    assert {c["email_type"] for c in clicks} == {"order_confirmation"}
    assert all("alex" not in str(c) for c in clicks)  # customers are hashed, not stored


def test_links_off_the_shop_go_to_their_signed_https_destination_without_utm(
    run: Any, outbox: Outbox
) -> None:
    html = html_part(confirmation(run, outbox))
    status = next(link for link in click_links(html) if link != click_links(html)[0])

    location = follow(run, status)["headers"]["Location"]

    assert location.startswith("https://tailor-demo.myshopify.com/")
    assert "utm_" not in location


def test_existing_query_parameters_are_kept(run: Any, outbox: Outbox) -> None:
    from tailor.attribution.clicks import with_utm

    url = with_utm("https://shop.example.com/p?variant=7&utm_source=x", "price_drop", "tok")

    query = parse_qs(urlsplit(url).query)
    assert query["variant"] == ["7"]
    assert query["utm_source"] == ["tailor"]
    assert query["utm_campaign"] == ["price_drop"]
    assert query["utm_content"] == ["tok"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the MAC
        lambda t: re.sub(r"^[^.]+", "eyJpIjowLCJtIjoiQUFBQUFBQUFBQUFBIn0", t),  # the claims
        lambda t: "",
        lambda t: t.split(".")[0],
    ],
)
def test_a_forged_or_tampered_click_token_gets_the_error_page_and_records_nothing(
    run: Any, outbox: Outbox, cloud: Any, tamper: Any
) -> None:
    html = html_part(confirmation(run, outbox))
    token = parse_qs(urlsplit(click_links(html)[0]).query)["t"][0]

    response = run("ClickRedirectFunction", url_request(query={"t": tamper(token)}))

    assert response["statusCode"] == 400
    assert "This link is not valid" in response["body"]
    assert results_items(cloud, "cust#") == []
    assert all("clicked" not in item for item in results_items(cloud, "count#"))


def test_a_signed_token_for_another_link_index_goes_nowhere(run: Any, cloud: Any) -> None:
    from tailor.links import CLICK_PURPOSE, signer_from_secret

    boto3.resource("dynamodb").Table(cloud.physical_name("ResultsTable")).put_item(
        Item={
            "pk": "msg#m1",
            "sk": "msg",
            "email_type": "order_confirmation",
            "links": ["https://shop.example.com/a"],
        }
    )
    signer = signer_from_secret(cloud.physical_name("LinkSigningSecret"))
    beyond = signer.sign(CLICK_PURPOSE, {"m": "m1", "i": 1})
    other_purpose = signer.sign("offer", {"m": "m1", "i": 0})

    assert run("ClickRedirectFunction", url_request(query={"t": beyond}))["statusCode"] == 400
    assert (
        run("ClickRedirectFunction", url_request(query={"t": other_purpose}))["statusCode"] == 400
    )
    good = signer.sign(CLICK_PURPOSE, {"m": "m1", "i": 0})
    # Whatever else the request carries, the redirect goes to the stored destination.
    request = url_request(query={"t": good, "u": "https://evil.example/"})
    location = run("ClickRedirectFunction", request)["headers"]["Location"]
    assert location.startswith("https://shop.example.com/a?utm_source=tailor")


def test_a_genuine_link_whose_message_was_never_stored_goes_to_the_shops_home(
    run: Any, cloud: Any
) -> None:
    from tailor.links import CLICK_PURPOSE, signer_from_secret

    signer = signer_from_secret(cloud.physical_name("LinkSigningSecret"))
    token = signer.sign(CLICK_PURPOSE, {"m": "never-stored", "i": 0})

    response = run("ClickRedirectFunction", url_request(query={"t": token}))

    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == "https://shop.example.com"
    assert results_items(cloud, "cust#") == []
