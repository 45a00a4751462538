"""Holdout: a stable share of customers is never sent a marketing type, recorded as held
out, and the report sets their orders beside the exposed customers'."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tailor.attribution.config import AttributionSettings
from tailor.attribution.holdout import in_holdout
from tailor.attribution.report import report
from tailor.attribution.store import Results, customer_key
from tailor.settings import SettingsError
from tailor_local import calls
from tailor_local.template import Template

from tests.helpers.aftercare import subscribe
from tests.helpers.alerts_shop import MIDDAY, Shop, open_shop
from tests.helpers.cloud import provisioned
from tests.helpers.events import load_event
from tests.helpers.mail import Outbox
from tests.unit.attribution.conftest import TRACKED
from tests.unit.attribution.test_order_attribution import new_order

SHARE = 0.5
WELCOME = "newsletter_welcome"
DROP = "price_drop"


@pytest.fixture(scope="module")
def holdout_template() -> Template:
    return Template(parameters={**TRACKED, "HoldoutShares": f'{{"{WELCOME}": {SHARE}}}'})


@pytest.fixture
def cloud(holdout_template: Template) -> Iterator[Template]:
    with provisioned(holdout_template):
        yield holdout_template


def customers(held_out: bool, count: int = 1, email_type: str = WELCOME) -> list[str]:
    """Addresses the rule puts in (or out of) the type's holdout."""
    found = []
    for n in range(200):
        email = f"customer{n}@example.com"
        key = customer_key(email)
        assert key is not None
        if in_holdout(key, email_type, SHARE) == held_out:
            found.append(email)
    return found[:count]


def welcome(run: Any, email: str) -> Any:
    subscribe(email)
    event = load_event("canonical/newsletter-subscribed.json")
    event["detail"]["email"] = email
    return run("NewsletterWelcomeFunction", event)


def test_the_holdout_is_stable_per_customer_and_type_and_close_to_its_share() -> None:
    keys = [str(customer_key(f"c{n}@example.com")) for n in range(4000)]

    first = [in_holdout(key, WELCOME, 0.2) for key in keys]
    again = [in_holdout(key, WELCOME, 0.2) for key in keys]
    other_type = [in_holdout(key, "review_request", 0.2) for key in keys]

    assert first == again
    assert 0.18 < sum(first) / len(keys) < 0.22
    assert first != other_type  # each type holds out its own customers
    assert not any(in_holdout(key, WELCOME, 0) for key in keys)


def test_a_held_out_customer_is_not_sent_the_type_and_is_recorded(
    run: Any, outbox: Outbox, cloud: Any
) -> None:
    held, exposed = customers(held_out=True)[0], customers(held_out=False)[0]

    assert welcome(run, held)["reason"] == "holdout"
    assert welcome(run, exposed)["status"] == "sent"

    assert [m["To"].addresses[0].addr_spec for m in outbox.messages] == [exposed]
    results = Results(cloud.physical_name("ResultsTable"))
    groups = {g["sk"]: int(g["customers"]) for g in results.groups(WELCOME)}
    assert groups == {"holdout": 1, "exposed": 1}


def test_the_report_shows_orders_per_customer_of_both_groups(
    run: Any, outbox: Outbox, cloud: Any
) -> None:
    held, exposed = customers(held_out=True, count=2), customers(held_out=False)[0]
    for email in [*held, exposed]:
        welcome(run, email)
    placed = datetime(2026, 11, 26, tzinfo=UTC)
    for order_id, email in enumerate([held[0], exposed, exposed], start=3001):
        order = new_order(order_id, placed + timedelta(minutes=order_id), total="50.00")
        order["detail"]["payload"]["email"] = email
        order["detail"]["payload"]["customer"]["email"] = email
        run("OrderAttributionFunction", order)

    lift = report(Results(cloud.physical_name("ResultsTable")), "USD")[WELCOME]["holdout"]

    assert lift["holdout"]["customers"] == 2 and lift["holdout"]["orders"] == 1
    assert lift["exposed"]["customers"] == 1 and lift["exposed"]["orders"] == 2
    assert lift["exposed"]["revenue_per_customer"] == 100.0
    assert lift["holdout"]["revenue_per_customer"] == 25.0
    assert lift["revenue_lift"] == 3.0
    assert report(Results(cloud.physical_name("ResultsTable")), "USD")[WELCOME]["held_out"] == 2


@pytest.mark.parametrize(
    ("shares", "problem"),
    [
        ('{"order_confirmation": 0.1}', "order_confirmation is not a marketing email type"),
        ('{"review_request": 1.5}', "review_request must be a share from 0 to below 1"),
        ("{review_request: 0.1}", "HOLDOUT_SHARES is not JSON"),
    ],
)
def test_a_bad_holdout_share_names_the_problem(shares: str, problem: str) -> None:
    environment = {
        "SHOP_NAME": "Oklahoma Outfitters",
        "SHOP_BASE_URL": "https://shop.example.com",
        "SENDER_ADDRESS": "orders@shop.example.com",
        "SHOP_TIMEZONE": "America/Chicago",
        "HOLDOUT_SHARES": shares,
    }

    with pytest.raises(SettingsError, match=problem):
        AttributionSettings.from_env(environment)


@pytest.fixture
def drops(monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """A shop whose price drop alerts hold out half the customers."""
    shares = f'{{"{DROP}": {SHARE}}}'
    with provisioned(Template(parameters={**TRACKED, "HoldoutShares": shares})) as template:
        shop = open_shop(template, monkeypatch)
        shop.oxford({"11": 4, "12": 3, "13": 2})
        yield shop


def test_a_member_sent_the_type_again_is_counted_once_and_costs_no_write(
    drops: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The membership is recorded by a transaction (four write units, even when its
    condition fails): a customer who is a member already is found by a read instead."""
    exposed = customers(held_out=False, email_type=DROP)[0]
    drops.customer(exposed, shoes="12", first_name="Alex")
    drops.wish(exposed)
    with calls.observed() as seen:
        first = drops.oxford({"11": 4, "12": 3, "13": 2}, price="159.00")
        drops.at(MIDDAY + timedelta(days=3), monkeypatch)  # past the frequency cap
        again = drops.oxford({"11": 4, "12": 3, "13": 2}, price="119.00")

    assert [len(report.sends) for report in (first, again)] == [1, 1]
    results = Results(drops.template.physical_name("ResultsTable"))
    assert {g["sk"]: int(g["customers"]) for g in results.groups(DROP)} == {"exposed": 1}
    assert report(results, "USD")[DROP]["holdout"]["exposed"]["customers"] == 1
    assert report(results, "USD")[DROP]["sent"] == 2
    # The sender's own transactions aside, joining made one, finding the member none.
    joined, found = [
        i.counted()["dynamodb.TransactWriteItems"]
        for i in seen
        if i.function_id == "AlertsSenderFunction"
    ]
    assert joined - found == 1
