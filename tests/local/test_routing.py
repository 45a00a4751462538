"""Every sample event reaches exactly the functions whose rules in template.yaml match it.

The runner routes with the template's own rules and the EventBridge matcher; this test
states independently, per Shopify topic and canonical detail-type, which of today's
functions handle what, and checks the samples against it (new functions may join in).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tailor_local.cloud import open_cloud
from tailor_local.events import load
from tailor_local.runner import Runner
from tailor_local.template import REPO_ROOT, Template

EVENTS = REPO_ROOT / "events"
ORDERS = {"OrderConfirmationFunction", "PurchaseHistoryFunction"}
CATALOG = {"CatalogSyncFunction"}
PROFILES = {"ProfileSyncFunction"}
HANDLED_BY = {
    "orders/create": ORDERS,
    "OrderPlaced": ORDERS,
    "products/create": CATALOG,
    "products/update": CATALOG,
    "ProductUpdated": CATALOG,
    "customers/create": PROFILES,
    "customers/update": PROFILES,
    "customers_email_marketing_consent/update": PROFILES,
    "CustomerUpdated": PROFILES,
}
KNOWN = set().union(*HANDLED_BY.values())
SAMPLES = sorted(
    path.relative_to(EVENTS)
    for folder in ("shopify", "canonical")
    for path in (EVENTS / folder).glob("*.json")
)


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    template = Template()
    with open_cloud(template, ephemeral=True) as cloud:
        yield Runner(template, cloud)


@pytest.mark.parametrize("sample", SAMPLES, ids=str)
def test_each_sample_reaches_the_functions_whose_rules_match(runner: Runner, sample: Path) -> None:
    (item,) = load(EVENTS / sample)
    detail = item.event["detail"]
    key = detail.get("metadata", {}).get("X-Shopify-Topic") or item.event["detail-type"]

    report = runner.deliver(item.event, item.bus)

    reached = {invocation.function_id for invocation in report.invocations}
    assert reached & KNOWN == HANDLED_BY.get(key, set())
    if not reached:
        assert report.unmatched == [f"{report.label} on bus {runner.template.bus_name}"]


def test_an_unknown_topic_is_reported_as_matching_no_rule(runner: Runner) -> None:
    (item,) = load(EVENTS / "shopify/orders-create.json")
    event = copy.deepcopy(item.event)
    event["detail"]["metadata"]["X-Shopify-Topic"] = "app/uninstalled"

    report = runner.deliver(event)

    assert report.invocations == []
    assert report.unmatched == [f"shopifyWebhook app/uninstalled on bus {runner.template.bus_name}"]


def test_the_same_topic_on_another_bus_matches_nothing(runner: Runner) -> None:
    (item,) = load(EVENTS / "shopify/products-create.json")

    report = runner.deliver(item.event, bus="default")

    assert report.invocations == []
    assert report.unmatched == ["shopifyWebhook products/create on bus default"]


def test_a_put_events_entry_without_a_bus_goes_to_the_template_bus(
    runner: Runner, tmp_path: Path
) -> None:
    (item,) = load(EVENTS / "canonical/product-updated.json")
    entry = tmp_path / "entry.json"
    entry.write_text(
        json.dumps(
            {
                "Source": "com.example.shop",
                "DetailType": "ProductUpdated",
                "Detail": json.dumps(item.event["detail"]),
            }
        )
    )
    (loaded,) = load(entry)

    report = runner.deliver(loaded.event, loaded.bus)

    assert loaded.bus is None
    assert "CatalogSyncFunction" in {i.function_id for i in report.invocations}
