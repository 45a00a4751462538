"""Catalog and profiles stay current, idempotently, whatever order deliveries arrive in."""

from __future__ import annotations

import copy
from typing import Any

from conftest import load_event
from tailor import aws
from tailor.catalog import Catalog
from tailor.profiles import Profile


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

    run("OrderRecorderFunction", order)
    run("OrderRecorderFunction", copy.deepcopy(order))

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


def test_customer_without_an_email_is_skipped_with_a_reason(run: Any, cloud: Any) -> None:
    event = load_event("shopify/customers-create.json")
    event["detail"]["payload"]["email"] = None

    result = run("ProfileSyncFunction", event)

    assert result == {
        "customer_id": str(event["detail"]["payload"]["id"]),
        "stored": False,
        "reason": "no valid email",
    }


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
