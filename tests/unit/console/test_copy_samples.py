"""The Copy section previews an email on its sample context (`templates/<type>/sample.json`):
what the tests' sample event gives the type's template. Each sample keeps the shape of the
context its sender builds today; TAILOR_WRITE_SAMPLES=1 writes it again from the sender."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from tailor import consent, copy, delivery, samples
from tailor.email_types import EMAIL_TYPES
from tailor.profiles import Profiles
from tailor.render import renderer, templates_root
from tailor_local.invoke import invoke

from tests.helpers.aftercare import ALEX, at, fire, load_catalog, only_schedule, subscribe
from tests.helpers.alerts_shop import MIDDAY, OXFORD, SOCKS, Shop, open_shop
from tests.helpers.events import load_event
from tests.helpers.orders import stock_the_shop
from tests.helpers.support_desk import MONDAY, deliver_mail, eml


def capture(monkeypatch: pytest.MonkeyPatch, *only: str) -> list[dict[str, Any]]:
    """The contexts the senders hand to the renderer (of the types `only` names, if any)."""
    seen: list[dict[str, Any]] = []
    original: Callable[..., Any] = delivery._render_fitting

    def recording(email_type: str, context: Any, *rest: Any) -> Any:
        if not only or email_type in only:
            seen.append(dict(context))
        return original(email_type, context, *rest)

    monkeypatch.setattr(delivery, "_render_fitting", recording)
    return seen


def shape(value: Any) -> Any:
    """The keys and kinds of a context, without its values."""
    if isinstance(value, dict):
        tags = [k for k in value if k.startswith("$")]
        return tags[0] if tags else {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def unsigned(written: str) -> str:
    """A sample without the recipient's signed links and tokens (a packaged file names no
    one): each stands as `sample`."""
    written = re.sub(r"([?&]t=)[\w.-]+", r"\1sample", written)
    return re.sub(r'("unsubscribe_token": )"[^"]*"', r'\1"sample"', written)


def matches_the_sample(email_type: str, context: dict[str, Any]) -> None:
    path = templates_root() / email_type / "sample.json"
    if os.environ.get("TAILOR_WRITE_SAMPLES") == "1":
        path.write_text(unsigned(samples.dumps(context)), encoding="utf-8")
    assert shape(json.loads(path.read_text(encoding="utf-8"))) == shape(samples.encode(context))


def test_the_order_confirmation_sample_is_the_sample_orders_context(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    contexts = capture(monkeypatch)
    stock_the_shop(run)
    run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))

    matches_the_sample("order_confirmation", contexts[-1])


def test_the_back_in_stock_sample_is_the_restocked_oxfords_context(
    cloud: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop: Shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 0})
    shop.customer("alex@example.com", shoes="12", first_name="Alex", locale="en")
    shop.back_in_stock("alex@example.com", "12")
    contexts = capture(monkeypatch)
    shop.oxford({"11": 4, "12": 3, "13": 0}, price="159.00", compare_at="199.00")

    matches_the_sample("back_in_stock", contexts[-1])


# Transactional email that follows from one of the shop's events on the stocked shop.
ON_THEIR_EVENT = {
    "order_cancelled": ("OrderCancelledFunction", "shopify/orders-cancelled.json"),
    "newsletter_confirmation": (
        "NewsletterSignupFunction",
        "canonical/newsletter-signup-requested.json",
    ),
    "referral_invitation": (
        "ReferralInvitationFunction",
        "canonical/referral-invitation-requested.json",
    ),
}


@pytest.mark.parametrize("email_type", sorted(ON_THEIR_EVENT))
def test_a_transactional_sample_is_its_sample_events_context(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, email_type: str
) -> None:
    monkeypatch.setenv("TAILOR_NOW", "2026-11-20T16:00:00+00:00")
    stock_the_shop(run)
    run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))
    contexts = capture(monkeypatch)
    function, sample_event = ON_THEIR_EVENT[email_type]
    run(function, load_event(sample_event))

    matches_the_sample(email_type, contexts[-1])


def test_the_aftercare_samples_are_alexs_order_shipped_delivered_reviewed_and_refunded(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at("2026-11-23T19:00:00+00:00", monkeypatch)
    load_catalog(run)
    order = load_event("shopify/orders-create.json")
    run("PurchaseHistoryFunction", order)
    run("AftercareRecorderFunction", order)
    subscribe(ALEX)
    contexts = capture(monkeypatch)

    run("ShippingConfirmationFunction", load_event("shopify/fulfillments-create.json"))
    run("DeliveryUpdateFunction", load_event("shopify/fulfillment-events-create-delivered.json"))
    fire(run, only_schedule(kind="review-"), monkeypatch)
    run("RefundIssuedFunction", load_event("shopify/refunds-create.json"))

    shipped, delivered, review, refund = contexts
    matches_the_sample("shipping_confirmation", shipped)
    matches_the_sample("delivery_update", delivered)
    matches_the_sample("review_request", review)
    matches_the_sample("refund_issued", refund)


def test_the_support_samples_are_susies_ticket_acknowledged_overdue_and_answered(
    run: Any, cloud: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAILOR_NOW", MONDAY)
    order = load_event("canonical/order-placed.json")
    run("PurchaseHistoryFunction", order)
    run("SupportOrderIndexFunction", order)
    contexts = capture(monkeypatch)

    deliver_mail(run, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:15:00+00:00")  # four hours unanswered
    scheduled = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler"}
    invoke(cloud.function("SupportWatchdogFunction"), scheduled)
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:20:00+00:00")
    run("SupportReplyFunction", load_event("support/ticket-reply-requested.json"))

    acknowledged, digest, answered = contexts
    matches_the_sample("support_acknowledgement", acknowledged)
    matches_the_sample("support_reply", answered)
    matches_the_sample("support_sla_digest", digest)


def test_the_newsletter_welcome_sample_is_the_confirmed_signups_context(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAILOR_NOW", "2026-11-20T16:00:00+00:00")
    run("NewsletterSignupFunction", load_event("canonical/newsletter-signup-requested.json"))
    subscribe("susie@example.com")
    contexts = capture(monkeypatch)
    run("NewsletterWelcomeFunction", load_event("canonical/newsletter-subscribed.json"))

    matches_the_sample("newsletter_welcome", contexts[-1])


def test_the_replenishment_sample_is_the_socks_reminders_context(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("CatalogSyncFunction", load_event("canonical/product-updated.json"))
    run("PurchaseHistoryFunction", load_event("canonical/order-placed.json"))
    subscribe("susie@example.com", consent.REPLENISHMENT)
    Profiles("ProfilesTable").update(
        "susie@example.com", lambda p: p.model_copy(update={"locale": "en"})
    )
    at("2027-08-17T15:00:00+00:00", monkeypatch)
    contexts = capture(monkeypatch)
    run("ReplenishmentReminderFunction", load_event("canonical/replenishment-due.json"))

    matches_the_sample("replenishment_reminder", contexts[-1])


@pytest.fixture
def wishing(cloud: Any, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """Susie wishes for the Oxfords and the socks."""
    shop: Shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 0, "12": 4, "13": 2})
    shop.socks()
    shop.customer("susie@example.com", shoes="13", first_name="Susie", locale="en")
    shop.wish("susie@example.com", OXFORD)
    shop.wish("susie@example.com", SOCKS)
    return shop


def test_the_price_drop_sample_is_the_cheaper_oxfords_context(
    wishing: Shop, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    contexts = capture(monkeypatch)
    wishing.oxford({"11": 0, "12": 4, "13": 2}, price="159.00")

    matches_the_sample("price_drop", contexts[-1])


def test_the_private_sale_sample_is_the_winter_sales_context(
    wishing: Shop, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    contexts = capture(monkeypatch)
    wishing.deliver(
        "PrivateSaleStarted",
        sale_id="wishlist-winter-2026",
        title="Winter wish list",
        product_ids=[OXFORD, SOCKS],
        discount_percent="15",
        discount_code="WISHLIST",
        starts_at=MIDDAY.isoformat(),
        ends_at="2026-11-24T03:00:00+00:00",
    )

    matches_the_sample("private_sale", contexts[-1])


AFTERCARE = ["shipping_confirmation", "delivery_update", "review_request", "refund_issued"]
SUPPORT = ["support_acknowledgement", "support_reply", "support_sla_digest"]
SAMPLED = ["order_confirmation", "back_in_stock", "newsletter_welcome", "replenishment_reminder"]
SAMPLED += ["price_drop", "private_sale", *ON_THEIR_EVENT, *AFTERCARE, *SUPPORT]


@pytest.mark.parametrize("email_type", SAMPLED)
@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_each_sample_renders_in_every_language(email_type: str, lang: str) -> None:
    context = samples.sample(email_type)
    assert context is not None

    email = renderer().render(email_type, {**context, "lang": lang, "locale": lang})

    assert email.subject and f'lang="{lang}"' in email.html


def test_every_email_type_has_a_sample_to_preview_its_words_on() -> None:
    assert [t for t in EMAIL_TYPES if samples.sample(t) is None] == []
