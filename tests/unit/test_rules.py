"""Every EventBridge rule in template.yaml matches its samples and nothing else."""

from __future__ import annotations

import pytest
from tailor.email_types import EMAIL_TYPES
from tailor_local.patterns import matches
from tailor_local.template import Template

from tests.helpers.events import EVENTS, load_event

# An order reaches its confirmation (declared in tailor.email_types), the profile, the
# emails after it and the support desk.
ORDER_RECORDERS = {
    "PurchaseHistoryFunction",
    "AftercareRecorderFunction",
    "SupportOrderIndexFunction",
    "OrderAttributionFunction",
}
ORDER = ORDER_RECORDERS | {"OrderConfirmationFunction"}

# The functions that send no email, and the samples each must reach. Senders are not listed
# here: each email type's declaration names its samples and senders.
NOT_SENDING: dict[str, set[str]] = {
    "canonical/order-placed.json": ORDER_RECORDERS,
    "canonical/product-updated.json": {"CatalogSyncFunction"},
    "canonical/customer-updated.json": {"ProfileSyncFunction"},
    "shopify/orders-create.json": ORDER_RECORDERS,
    "shopify/orders-create-guest.json": ORDER_RECORDERS,
    "shopify/orders-create-jpy.json": ORDER_RECORDERS,
    "shopify/products-create.json": {"CatalogSyncFunction"},
    "shopify/products-update.json": {"CatalogSyncFunction"},
    "shopify/customers-create.json": {"ProfileSyncFunction"},
    "shopify/customers-update.json": {"ProfileSyncFunction"},
    "shopify/customers-email-marketing-consent-update.json": {"ProfileSyncFunction"},
    "ses/bounce-permanent.json": {"SesFeedbackFunction"},
    "ses/bounce-transient.json": {"SesFeedbackFunction"},
    "ses/complaint.json": {"SesFeedbackFunction"},
    "ses/delivery.json": {"SesFeedbackFunction"},
    "canonical/review-submitted.json": {"ReviewRecorderFunction", "ReviewModerationFunction"},
    # catalog alerts: interests recorded here are mailed from the catalog's stream
    "canonical/back-in-stock-requested.json": {"AlertsInterestsFunction"},
    "canonical/sale-alert-requested.json": {"AlertsInterestsFunction"},
    "canonical/wishlist-item-added.json": {"AlertsInterestsFunction"},
    "canonical/wishlist-item-removed.json": {"AlertsInterestsFunction"},
    "canonical/product-searched.json": {"AlertsInterestsFunction"},
    "canonical/private-sale-started.json": {"PrivateSaleInvitesFunction"},
    "support/review-submitted.json": {"ReviewModerationFunction", "ReviewRecorderFunction"},
}


def expected_routes() -> dict[str, set[str]]:
    """What each sample event must reach: exactly these functions."""
    routes = {name: set(functions) for name, functions in NOT_SENDING.items()}
    for kind in EMAIL_TYPES.values():
        for name in kind.samples:
            routes.setdefault(name, set()).update(kind.senders)
    return routes


EXPECTED = expected_routes()


def reached(template: Template, event: dict[str, object]) -> set[str]:
    return {rule.function_id for rule in template.rules() if matches(rule.pattern, event)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_reaches_exactly_its_functions(template: Template, name: str) -> None:
    assert reached(template, load_event(name)) == EXPECTED[name]


def test_every_sample_file_is_accounted_for(template: Template) -> None:
    samples = {
        str(p.relative_to(EVENTS))
        for folder in ("canonical", "shopify", "ses", "support")
        for p in (EVENTS / folder).glob("*.json")
    }
    unrouted = {name for name in samples - set(EXPECTED) if reached(template, load_event(name))}
    assert unrouted == set(), f"samples routed but not listed in EXPECTED: {unrouted}"


def test_every_rule_fires_for_some_sample(template: Template) -> None:
    samples = [load_event(name) for name in EXPECTED]
    idle = [r.name for r in template.rules() if not any(matches(r.pattern, e) for e in samples)]
    assert idle == []


@pytest.mark.parametrize(
    "topic", ["orders/updated", "orders/paid", "Orders/Create", "orders/create "]
)
def test_neighbouring_shopify_topics_do_not_trigger_a_confirmation(
    template: Template, topic: str
) -> None:
    event = load_event("shopify/orders-create.json")
    event["detail"]["metadata"]["X-Shopify-Topic"] = topic

    assert reached(template, event) & ORDER == set()


def test_shop_events_arrive_on_the_shop_bus_and_ses_feedback_on_the_default_bus(
    template: Template,
) -> None:
    buses = {rule.function_id: rule.bus for rule in template.rules()}
    assert buses.pop("SesFeedbackFunction") == "default"  # the only bus SES publishes to
    assert set(buses.values()) == {"tailor-local-shop"}
