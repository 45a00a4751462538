"""Every EventBridge rule in template.yaml matches its samples and nothing else."""

from __future__ import annotations

import pytest
from tailor_local.patterns import matches
from tailor_local.template import Template

from tests.helpers.events import EVENTS, load_event

# An order reaches its confirmation, the profile, the emails after it and the support desk.
ORDER = {
    "OrderConfirmationFunction",
    "OrderRecorderFunction",
    "AftercareRecorderFunction",
    "SupportOrderIndexFunction",
}

# What each sample event must reach: exactly these functions.
EXPECTED: dict[str, set[str]] = {
    "canonical/order-placed.json": ORDER,
    "canonical/product-updated.json": {"CatalogSyncFunction"},
    "canonical/customer-updated.json": {"ProfileSyncFunction"},
    "shopify/orders-create.json": ORDER,
    "shopify/orders-create-guest.json": ORDER,
    "shopify/orders-create-jpy.json": ORDER,
    "shopify/products-create.json": {"CatalogSyncFunction"},
    "shopify/products-update.json": {"CatalogSyncFunction"},
    "shopify/customers-create.json": {"ProfileSyncFunction"},
    "shopify/customers-update.json": {"ProfileSyncFunction"},
    "shopify/customers-email-marketing-consent-update.json": {"ProfileSyncFunction"},
    "canonical/newsletter-signup-requested.json": {"NewsletterSignupFunction"},
    "canonical/newsletter-subscribed.json": {"NewsletterWelcomeFunction"},
    "ses/bounce-permanent.json": {"SesFeedbackFunction"},
    "ses/bounce-transient.json": {"SesFeedbackFunction"},
    "ses/complaint.json": {"SesFeedbackFunction"},
    "ses/delivery.json": {"SesFeedbackFunction"},
    # after the order
    "canonical/order-shipped.json": {"ShippingConfirmationFunction"},
    "canonical/order-delivered.json": {"DeliveryUpdateFunction"},
    "canonical/order-cancelled.json": {"OrderCancelledFunction"},
    "canonical/refund-issued.json": {"RefundIssuedFunction"},
    "canonical/review-submitted.json": {"ReviewRecorderFunction", "SupportReviewsFunction"},
    "shopify/fulfillments-create.json": {"ShippingConfirmationFunction"},
    "shopify/fulfillments-update.json": {"ShippingConfirmationFunction"},
    "shopify/fulfillment-events-create.json": {"DeliveryUpdateFunction"},
    "shopify/fulfillment-events-create-delivered.json": {"DeliveryUpdateFunction"},
    "shopify/orders-cancelled.json": {"OrderCancelledFunction"},
    "shopify/refunds-create.json": {"RefundIssuedFunction"},
    "shopify/refunds-create-jpy.json": {"RefundIssuedFunction"},
    # catalog alerts
    "canonical/back-in-stock-requested.json": {"InterestsFunction"},
    "canonical/sale-alert-requested.json": {"InterestsFunction"},
    "canonical/wishlist-item-added.json": {"InterestsFunction"},
    "canonical/wishlist-item-removed.json": {"InterestsFunction"},
    "canonical/product-searched.json": {"InterestsFunction"},
    "canonical/private-sale-started.json": {"PrivateSaleInvitesFunction"},
    # support desk
    "support/ticket-reply-requested.json": {"SupportReplyFunction"},
    "support/review-submitted.json": {"SupportReviewsFunction", "ReviewRecorderFunction"},
}


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
