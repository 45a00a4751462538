"""Orders attributed on Shopify's orders/create: an issued code, the offer checkout, a Tailor
landing site, else the last click in the window; once per order, with the evidence."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from tests.helpers.events import load_event, url_request
from tests.helpers.mail import Outbox, html_part, links_in, text_part

SENT = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # the pinned clock: emails go out then
CODE = re.compile(r"THANKS-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")


def table(cloud: Any) -> Any:
    return boto3.resource("dynamodb").Table(cloud.physical_name("ResultsTable"))


def attribution(cloud: Any, order_id: int) -> dict[str, Any]:
    item = table(cloud).get_item(Key={"pk": f"order#{order_id}", "sk": "attribution"})
    return dict(item["Item"])


def counters(cloud: Any, email_type: str) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for item in table(cloud).scan()["Items"]:
        if item["pk"] == f"count#{email_type}":
            for name, value in item.items():
                if isinstance(value, Decimal):
                    total[name] = total.get(name, Decimal(0)) + value
    return total


def new_order(
    order_id: int,
    placed_at: datetime,
    *,
    codes: tuple[str, ...] = (),
    landing_site: str = "/",
    note_attributes: tuple[tuple[str, str], ...] = (),
    total: str = "120.00",
) -> dict[str, Any]:
    """Alex's next order, as Shopify's orders/create webhook carries it."""
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    payload.update(
        id=order_id,
        name=f"#{order_id}",
        order_number=order_id,
        created_at=placed_at.isoformat(),
        processed_at=placed_at.isoformat(),
        discount_codes=[{"code": c, "amount": "10.00", "type": "fixed_amount"} for c in codes],
        landing_site=landing_site,
        referring_site="https://mail.google.com/",
        note_attributes=[{"name": n, "value": v} for n, v in note_attributes],
        total_price=total,
    )
    return event


def clicked(run: Any, outbox: Outbox, at: datetime, monkeypatch: pytest.MonkeyPatch) -> str:
    """Alex opens the order confirmation's first link at `at`; the token clicked."""
    run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))
    link = next(
        link for link in links_in(html_part(outbox.messages[-1])) if "ClickRedirect" in link
    )
    token = parse_qs(urlsplit(link).query)["t"][0]
    monkeypatch.setenv("TAILOR_NOW", at.isoformat())
    assert run("ClickRedirectFunction", url_request(query={"t": token}))["statusCode"] == 302
    return token


def test_a_come_back_code_from_the_shipping_confirmation_attributes_the_order(
    run: Any, outbox: Outbox, cloud: Any
) -> None:
    run("PurchaseHistoryFunction", load_event("shopify/orders-create.json"))
    run("AftercareRecorderFunction", load_event("shopify/orders-create.json"))
    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    found = CODE.search(text_part(outbox.only()))
    assert found is not None
    typed = found.group(0).lower()  # Shopify codes are case-insensitive

    result = run("OrderAttributionFunction", new_order(2001, SENT, codes=(typed,)))

    assert result["email_type"] == "shipping_confirmation"
    stored = attribution(cloud, 2001)
    assert stored["evidence"] == {
        "kind": "code",
        "code": found.group(0),
        "issuer": "come_back",
    }
    assert stored["revenue"] == Decimal("120.00") and stored["currency"] == "USD"
    assert counters(cloud, "shipping_confirmation")["orders"] == 1


def test_a_code_tailor_did_not_issue_attributes_nothing(run: Any, cloud: Any) -> None:
    result = run("OrderAttributionFunction", new_order(2002, SENT, codes=("WELCOME10",)))

    assert result["email_type"] is None
    assert attribution(cloud, 2002)["evidence"] == {"kind": "none"}


def test_the_offer_code_and_its_checkout_count_as_the_offer_taken(run: Any, cloud: Any) -> None:
    by_code = run("OrderAttributionFunction", new_order(2003, SENT, codes=("socks15",)))
    by_checkout = run(
        "OrderAttributionFunction",
        new_order(2004, SENT, note_attributes=(("tailor_offer", "yes"),)),
    )

    assert by_code["evidence"]["issuer"] == "offer"
    assert by_checkout["evidence"] == {"kind": "offer_checkout"}
    counts = counters(cloud, "order_confirmation")
    assert counts["offers_taken"] == 2 and counts["orders"] == 2
    assert counts["revenue"] == Decimal("240.00")


def test_a_landing_site_from_the_click_redirect_names_the_message(
    run: Any, outbox: Outbox, cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = clicked(run, outbox, SENT, monkeypatch)
    landing = (
        f"/?utm_source=tailor&utm_medium=email&utm_campaign=order_confirmation&utm_content={token}"
    )
    # Bought a month later, long after the click window: the landing site still says so.
    later = SENT + timedelta(days=30)

    result = run("OrderAttributionFunction", new_order(2005, later, landing_site=landing))

    assert result["email_type"] == "order_confirmation"
    assert result["evidence"]["kind"] == "landing_site"
    assert "message" in result["evidence"]


def test_a_forged_utm_content_token_is_no_evidence(run: Any, cloud: Any) -> None:
    landing = "/?utm_source=tailor&utm_campaign=nonsense&utm_content=eyJpIjowfQ.forged"

    result = run("OrderAttributionFunction", new_order(2006, SENT, landing_site=landing))

    assert result["email_type"] is None


@pytest.mark.parametrize(
    ("ordered_after_click", "attributed"),
    [
        (timedelta(days=5) - timedelta(seconds=1), True),
        (timedelta(days=5), True),  # the window's last moment
        (timedelta(days=5, seconds=1), False),
        (-timedelta(seconds=1), False),  # a click after the order earned nothing
    ],
)
def test_without_evidence_the_last_click_in_the_window_wins(
    run: Any,
    outbox: Outbox,
    cloud: Any,
    monkeypatch: pytest.MonkeyPatch,
    ordered_after_click: timedelta,
    attributed: bool,
) -> None:
    clicked_at = SENT + timedelta(hours=1)
    clicked(run, outbox, clicked_at, monkeypatch)

    result = run("OrderAttributionFunction", new_order(2007, clicked_at + ordered_after_click))

    if attributed:
        assert result["email_type"] == "order_confirmation"
        assert result["evidence"]["kind"] == "last_click"
        assert result["evidence"]["clicked_at"] == clicked_at.isoformat()
    else:
        assert result["email_type"] is None


def test_a_duplicate_order_event_attributes_once(
    run: Any, outbox: Outbox, cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clicked(run, outbox, SENT, monkeypatch)
    order = new_order(2008, SENT + timedelta(days=1))

    first = run("OrderAttributionFunction", order)
    again = run("OrderAttributionFunction", order)

    assert first["email_type"] == "order_confirmation"
    assert again == {"order_id": "2008", "attributed": "already"}
    counts = counters(cloud, "order_confirmation")
    assert counts["orders"] == 1 and counts["revenue"] == Decimal("120.00")


def test_opens_never_count(run: Any, outbox: Outbox, cloud: Any) -> None:
    run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))  # sent, not clicked

    result = run("OrderAttributionFunction", new_order(2009, SENT + timedelta(hours=2)))

    assert result["email_type"] is None
