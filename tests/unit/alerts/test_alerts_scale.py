"""Fan-out that scales: the API calls one email costs, and a crowd of subscribers drained.

Both drive a real restock through the local cloud: the catalog update, its stream record,
the fan-out queue and the delivery queue, with the template's batch sizes. In-process moto
answers an AWS call in about 5 ms and parses every raw email SES accepts, so one email
costs about 35 ms here (three AWS calls, rendering, MIME): the drain test runs 300
subscribers by default; `ALERTS_DRAIN_SUBSCRIBERS=10000` runs the full 10,000, which drained
with exactly one email each in 379 s (26 emails a second) on a 2-core machine.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import botocore.client
import pytest
import tailor_local.invoke
from alerts_shop import MIDDAY, OXFORD, SIZE, Shop, open_shop
from tailor import aws
from tailor.alerts.store import Subscription, stamp, subscription_item
from tailor.profiles import Consent, Profile
from tailor_local.template import Template

# One email costs one SES call, the sending policy's frequency-cap slot (an atomic
# UpdateItem inside `deliver`), and the claim that keeps a subscription from being told
# twice (a conditional UpdateItem); everything else (stream read, fan-out queries and
# SendMessageBatch, the product and 100 profiles per message, closing subscriptions 25 to
# a call, the signing secret) is shared by many emails and must stay under 0.15 a piece.
PER_EMAIL = {"sesv2.SendEmail": 1, "dynamodb.UpdateItem": 2}
SHARED_BUDGET = 0.15
BUDGET_SUBSCRIBERS = 250  # three delivery messages: 100, 100 and 50 recipients
DRAIN_SUBSCRIBERS = int(os.environ.get("ALERTS_DRAIN_SUBSCRIBERS", "300"))
# Emails per second the drain must reach on in-process moto (about 28 measured).
DRAIN_FLOOR_PER_SECOND = 10


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 0})
    return shop


def seed_subscribers(count: int) -> None:
    """`count` size-12 subscribers with profiles and consent, written in bulk."""
    asked = MIDDAY - timedelta(days=1)
    consent = {"newsletter": Consent(state="subscribed", source="test", updated_at=asked)}
    profiles = aws.table("ProfilesTable")
    interests = aws.table("InterestsTable")
    with profiles.batch_writer() as people, interests.batch_writer() as requests:
        for number in range(count):
            email = f"fan{number:05d}@example.com"
            profile = Profile(email=email, sizes={"shoes": "12"}, consent=consent)
            people.put_item(Item=profile.model_dump(mode="json", exclude_none=True))
            since = stamp(asked + timedelta(milliseconds=number))
            subscription = Subscription(email, OXFORD, SIZE["12"], since, "12")
            requests.put_item(Item=subscription_item(subscription))


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
    seed_subscribers(BUDGET_SUBSCRIBERS)

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
    seed_subscribers(count)

    started = time.monotonic()
    report = shop.oxford({"11": 4, "12": count, "13": 0})  # x factor 2: one wave takes all
    elapsed = time.monotonic() - started

    sent = [str(message["To"]) for message in outbox.messages]
    assert report.ok, report.failures
    assert len(sent) == count and len(set(sent)) == count
    assert shop.waiting() == []
    print(f"\n{count} back-in-stock emails drained in {elapsed:.1f} s ({count / elapsed:.0f}/s)")
    assert count / elapsed >= DRAIN_FLOOR_PER_SECOND
