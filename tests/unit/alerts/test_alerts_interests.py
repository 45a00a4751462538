"""Interest events: stored once, per product and per customer, with consent where asked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tailor import aws
from tailor.alerts.store import Interests
from tailor_local.template import Template

from tests.helpers.alerts_shop import MIDDAY, OXFORD, SIZE, SOCKS, Shop, open_shop


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 0, "12": 0, "13": 2})
    return shop


def results(report: Any) -> list[dict[str, Any]]:
    return [
        i.outcome.result for i in report.invocations if i.function_id == "AlertsInterestsFunction"
    ]


def test_a_guest_request_records_consent_for_back_in_stock_only(shop: Shop) -> None:
    shop.back_in_stock("Guest12@Example.net", "12")

    profile = aws.table("ProfilesTable").get_item(Key={"email": "guest12@example.net"})["Item"]
    assert profile["consent"]["back_in_stock"]["state"] == "subscribed"
    assert profile["consent"]["back_in_stock"]["source"] == "request"
    assert set(profile["consent"]) == {"back_in_stock"}
    ledger = aws.table("ConsentLedgerTable").query(
        KeyConditionExpression="email = :e", ExpressionAttributeValues={":e": "guest12@example.net"}
    )["Items"]
    assert [(e["topic"], e["source"]) for e in ledger] == [("back_in_stock", "request")]
    assert shop.waiting() == [f"guest12@example.net#{SIZE['12']}"]


def test_a_size_is_resolved_to_its_variant_and_unknown_ones_are_refused(shop: Shop) -> None:
    unknown_size = shop.back_in_stock("alex@example.com", "14")
    unknown_variant = shop.deliver(
        "BackInStockRequested",
        email="alex@example.com",
        product_id=OXFORD,
        variant_id="999",
        requested_at=MIDDAY.isoformat(),
    )
    not_yet_synced = shop.deliver(
        "BackInStockRequested",
        email="alex@example.com",
        product_id="777",
        variant_id="7771",
        requested_at=MIDDAY.isoformat(),
    )
    invalid = shop.back_in_stock("not an address", "12")

    assert results(unknown_size)[0]["stored"] is False
    assert "no such variant or size" in results(unknown_size)[0]["reason"]
    assert results(unknown_variant)[0]["stored"] is False
    assert results(not_yet_synced)[0]["reason"].endswith("(product not in the catalog yet)")
    assert "not a valid email address" in results(invalid)[0]["reason"]
    assert shop.waiting() == ["alex@example.com#7771"]


def test_wish_list_adds_are_idempotent_and_removal_deletes(shop: Shop) -> None:
    shop.wish("susie@example.com")
    shop.wish("susie@example.com", variant_id=SIZE["13"])  # replayed, now with her size
    shop.wish("susie@example.com", SOCKS)

    wishes = [i for i in shop.interests() if i.get("kind") == "wish"]
    assert len(wishes) == 2
    oxford = next(i for i in wishes if i["product_id"] == OXFORD)
    assert oxford["variant_id"] == SIZE["13"]

    late = shop.deliver(  # a removal that happened before the add arrives late: kept
        "WishlistItemRemoved",
        email="susie@example.com",
        product_id=OXFORD,
        removed_at=(MIDDAY - timedelta(days=3)).isoformat(),
    )
    assert results(late)[0]["stored"] is False
    shop.deliver(
        "WishlistItemRemoved",
        email="susie@example.com",
        product_id=OXFORD,
        removed_at=MIDDAY.isoformat(),
    )
    assert [i["product_id"] for i in shop.interests() if i.get("kind") == "wish"] == [SOCKS]


def test_one_customers_interests_read_in_one_query(shop: Shop) -> None:
    shop.wish("susie@example.com", SOCKS)
    shop.back_in_stock("susie@example.com", "12")
    shop.search("susie@example.com", "the brown shoes", OXFORD)

    kinds = sorted(
        str(i["sk"]).split("#")[0]
        for i in Interests("InterestsTable").of_customer("susie@example.com")
    )
    assert kinds == ["bis", "search", "wish"]
    words = sorted(str(i["pk"]) for i in shop.interests() if str(i["pk"]).startswith("term#"))
    assert words == ["term#brown", "term#shoe"]


def test_a_search_without_meaningful_words_is_not_stored(shop: Shop) -> None:
    report = shop.search("susie@example.com", "the new", OXFORD)

    assert results(report)[0]["stored"] is False
    assert shop.interests() == []


def test_a_malformed_interest_event_fails_naming_the_field(shop: Shop, run: Any) -> None:
    event = {
        "version": "0",
        "id": "x",
        "detail-type": "BackInStockRequested",
        "source": "com.example.shop",
        "detail": {"email": "alex@example.com", "product_id": OXFORD, "requested_at": "now"},
    }

    with pytest.raises(ValueError, match="requested_at"):
        run("AlertsInterestsFunction", event)
