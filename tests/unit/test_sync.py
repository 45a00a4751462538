"""Catalog and profiles stay current, idempotently, whatever order deliveries arrive in."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tailor import aws
from tailor.catalog import Catalog
from tailor.profiles import Profile

from tests.helpers.events import load_event, order_with_consent


def profile(cloud: Any, email: str) -> Profile:
    item = aws.table("ProfilesTable").get_item(Key={"email": email}).get("Item")
    assert item is not None, "no profile stored"
    return Profile.model_validate(item)


def stored_product(product_id: str) -> dict[str, Any]:
    item = aws.table("CatalogTable").get_item(Key={"product_id": product_id}).get("Item")
    assert item is not None
    return item


def test_older_product_update_never_overwrites_a_newer_one(run: Any, cloud: Any) -> None:
    newer = load_event("shopify/products-create.json")
    older = copy.deepcopy(newer)
    newer["detail"]["payload"]["title"] = "Classic Oxford II"
    newer["detail"]["payload"]["updated_at"] = "2026-11-21T00:00:00Z"
    older["detail"]["payload"]["updated_at"] = "2026-11-01T00:00:00Z"

    run("CatalogSyncFunction", newer)
    result = run("CatalogSyncFunction", older)

    assert result["stored"] is False
    assert stored_product(str(newer["detail"]["payload"]["id"]))["title"] == "Classic Oxford II"


def test_sale_items_are_listed_as_promoted(run: Any, cloud: Any) -> None:
    run("CatalogSyncFunction", load_event("shopify/products-update.json"))
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))

    promoted = aws.table("CatalogTable").query(
        IndexName="promoted",
        KeyConditionExpression="promoted = :one",
        ExpressionAttributeValues={":one": "1"},
    )["Items"]
    assert [i["product_id"] for i in promoted] == ["8123456789555"]


def test_order_is_recorded_once_with_sizes_and_co_purchases(run: Any, cloud: Any) -> None:
    run("CatalogSyncFunction", load_event("shopify/products-create.json"))
    run("CatalogSyncFunction", load_event("shopify/products-update.json"))
    order = load_event("shopify/orders-create.json")

    run("PurchaseHistoryFunction", order)
    run("PurchaseHistoryFunction", copy.deepcopy(order))

    susie = profile(cloud, "alex.rivera@example.com")
    assert susie.order_ids == [str(order["detail"]["payload"]["id"])]
    assert susie.sizes == {"shoes": "13"}
    assert set(susie.purchases) == {"8123456789012", "8123456789555"}
    pair = aws.table("CoPurchaseTable").get_item(
        Key={"product_id": "8123456789012", "paired_id": "8123456789555"}
    )["Item"]
    assert pair["bought_together"] == 1


def test_customer_consent_from_shopify_lands_on_the_newsletter_topic(run: Any, cloud: Any) -> None:
    run("ProfileSyncFunction", load_event("shopify/customers-create.json"))

    email = load_event("shopify/customers-create.json")["detail"]["payload"]["email"].lower()
    consent = profile(cloud, email).consent["newsletter"]
    assert (consent.state, consent.source, consent.opt_in_level) == (
        "subscribed",
        "shopify",
        "single_opt_in",
    )


def test_shopify_never_silently_resubscribes_someone_who_unsubscribed_here(
    run: Any, cloud: Any
) -> None:
    from tailor.profiles import Consent, Profiles

    event = load_event("shopify/customers-create.json")
    payload = event["detail"]["payload"]
    email = payload["email"].lower()
    Profiles("ProfilesTable").update(
        email,
        lambda p: p.model_copy(
            update={
                "consent": {
                    "newsletter": Consent(
                        state="unsubscribed",
                        source="unsubscribe_header",
                        updated_at="2030-01-01T00:00:00Z",  # type: ignore[arg-type]
                    )
                }
            }
        ),
    )

    run("ProfileSyncFunction", event)

    assert profile(cloud, email).consent["newsletter"].state == "unsubscribed"


def ledger(email: str) -> list[tuple[str, str, str]]:
    items = aws.table("ConsentLedgerTable").query(
        KeyConditionExpression="email = :e", ExpressionAttributeValues={":e": email}
    )["Items"]
    return [(i["topic"], i["state"], i["source"]) for i in items]


def test_customer_without_an_email_or_a_known_id_is_skipped_with_a_reason(
    run: Any, cloud: Any, caplog: pytest.LogCaptureFixture
) -> None:
    event = load_event("shopify/customers-create.json")
    event["detail"]["payload"]["email"] = None

    result = run("ProfileSyncFunction", event)

    reason = "no valid email and no profile with this customer id"
    assert result == {
        "customer_id": str(event["detail"]["payload"]["id"]),
        "stored": False,
        "reason": reason,
    }
    (logged,) = [r for r in caplog.records if reason in r.getMessage()]
    assert logged.customer_id == result["customer_id"]  # type: ignore[attr-defined]
    assert "@" not in str(logged.__dict__)  # ids, never addresses
    assert aws.table("ProfilesTable").scan()["Items"] == []


@pytest.mark.parametrize(
    ("known_from", "update", "address_field"),
    [
        (
            "shopify/orders-create.json",
            "shopify/customers-email-marketing-consent-update.json",
            "email_address",
        ),
        ("shopify/customers-create.json", "shopify/customers-update.json", "email"),
    ],
)
def test_a_consent_update_without_an_address_finds_the_profile_by_customer_id(
    run: Any, cloud: Any, known_from: str, update: str, address_field: str
) -> None:
    seed = load_event(known_from)
    run("PurchaseHistoryFunction" if "orders" in known_from else "ProfileSyncFunction", seed)
    event = load_event(update)
    email = str(event["detail"]["payload"][address_field]).lower()
    event["detail"]["payload"][address_field] = None

    result = run("ProfileSyncFunction", event)

    assert result["stored"] is True and result["matched_by"] == "customer_id"
    assert profile(cloud, email).consent["newsletter"].state == "unsubscribed"
    assert ("newsletter", "unsubscribed", "shopify") in ledger(email)


def test_consent_given_at_checkout_counts_but_never_resubscribes_after_an_unsubscribe(
    run: Any, cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tailor import consent
    from tailor.profiles import Profiles

    alex = "alex.rivera@example.com"
    monkeypatch.setenv("TAILOR_NOW", "2026-11-20T12:00:00+00:00")
    run("PurchaseHistoryFunction", order_with_consent("subscribed", "2026-11-20T10:12:00Z", "1001"))
    assert profile(cloud, alex).consent["newsletter"].state == "subscribed"
    assert ledger(alex) == [("newsletter", "subscribed", "shopify")]

    # Alex unsubscribes here; Shopify, not told, still reports the checkout opt-in.
    monkeypatch.setenv("TAILOR_NOW", "2026-11-22T09:00:00+00:00")
    Profiles("ProfilesTable").update(
        alex, lambda p: consent.change(p, consent.TOPICS, "unsubscribed", "preference_page")
    )
    run("PurchaseHistoryFunction", order_with_consent("subscribed", "2026-11-20T10:12:00Z", "1002"))
    run("PurchaseHistoryFunction", order_with_consent("subscribed", None, "1003"))

    stored = profile(cloud, alex)
    assert stored.order_ids == ["1001", "1002", "1003"]
    assert stored.consent["newsletter"].state == "unsubscribed"
    assert ledger(alex) == [("newsletter", "subscribed", "shopify")]

    # A new opt-in at a later checkout is a new, explicit choice.
    run("PurchaseHistoryFunction", order_with_consent("subscribed", "2026-11-25T10:00:00Z", "1004"))
    assert profile(cloud, alex).consent["newsletter"].state == "subscribed"


def test_unlisted_product_is_kept_sold_by_link_but_never_promoted(run: Any, cloud: Any) -> None:
    # Shopify API 2025-10 added `unlisted`: hidden from the storefront, bought by direct link.
    socks = load_event("shopify/products-update.json")
    socks["detail"]["payload"]["status"] = "unlisted"
    product_id = str(socks["detail"]["payload"]["id"])
    variant_id = str(socks["detail"]["payload"]["variants"][0]["id"])

    result = run("CatalogSyncFunction", socks)

    assert result["stored"] is True
    assert stored_product(product_id)["status"] == "unlisted"
    assert "promoted" not in stored_product(product_id)  # on sale, yet not advertised
    assert Catalog("CatalogTable").buyable(product_id, variant_id) is not None
