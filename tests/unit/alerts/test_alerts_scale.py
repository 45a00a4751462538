"""Fan-out that scales: the API calls one email costs, and a crowd of subscribers drained.

Both drive a real restock through the local cloud: the catalog update, its stream record,
the fan-out queue and the delivery queue, with the template's batch sizes. The drain test
runs 300 subscribers by default; `ALERTS_DRAIN_SUBSCRIBERS=10000` runs the full 10,000.
How fast it drains is measured by `make bench` (alerts at scale), not asserted here.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import botocore.client
import pytest
import tailor_local.invoke
from tailor_local.bench import seed_subscribers
from tailor_local.template import Template

from tests.helpers.alerts_shop import Shop, open_shop

# One email costs one SES call. Everything else is shared by many emails and must stay
# under 0.15 a piece: the stream read, the fan-out queries and SendMessageBatch, per
# message the product and 100 profiles, the claims and frequency-cap slots of 50
# recipients to a TransactWriteItems call, closing subscriptions 25 to a call, and the
# signing secret.
PER_EMAIL = {"sesv2.SendEmail": 1}
SHARED_BUDGET = 0.15
BUDGET_SUBSCRIBERS = 250  # three delivery messages: 100, 100 and 50 recipients
DRAIN_SUBSCRIBERS = int(os.environ.get("ALERTS_DRAIN_SUBSCRIBERS", "300"))


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 0})
    return shop


@contextmanager
def counting_calls() -> Iterator[Counter[str]]:
    """AWS calls the functions make (not the local cloud's own polling), by operation."""
    calls: Counter[str] = Counter()
    inside = [False]
    real_call = botocore.client.BaseClient._make_api_call
    real_handler = tailor_local.invoke.handler

    def call(self: Any, operation: str, params: Any) -> Any:
        if inside[0]:
            calls[f"{self.meta.service_model.service_name}.{operation}"] += 1
        return real_call(self, operation, params)

    def handler(function: Any) -> Callable[[Any, Any], Any]:
        run = real_handler(function)

        def counted(event: Any, context: Any) -> Any:
            inside[0] = True
            try:
                return run(event, context)
            finally:
                inside[0] = False

        return counted

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", call)
        patch.setattr(tailor_local.invoke, "handler", handler)
        yield calls


def test_one_email_costs_one_ses_call_plus_a_small_shared_share(shop: Shop, outbox: Any) -> None:
    seed_subscribers(shop.template, BUDGET_SUBSCRIBERS)

    with counting_calls() as calls:
        shop.oxford({"11": 4, "12": BUDGET_SUBSCRIBERS, "13": 0})

    emails = len(outbox.messages)
    assert emails == BUDGET_SUBSCRIBERS
    shared = sum(calls.values()) - sum(PER_EMAIL.values()) * emails
    print(f"\n{emails} emails, AWS calls: {dict(calls.most_common())}")
    per_email = {op: calls[op] // emails for op in PER_EMAIL}
    assert per_email == PER_EMAIL, calls
    assert shared / emails <= SHARED_BUDGET, (
        f"{shared / emails:.3f} shared calls per email: {calls}"
    )


def test_a_crowd_of_subscribers_drains_with_one_email_each(shop: Shop, outbox: Any) -> None:
    count = DRAIN_SUBSCRIBERS
    seed_subscribers(shop.template, count)

    report = shop.oxford({"11": 4, "12": count, "13": 0})  # x factor 2: one wave takes all

    sent = [str(message["To"]) for message in outbox.messages]
    assert report.ok, report.failures
    assert len(sent) == count and len(set(sent)) == count
    assert shop.waiting() == []
