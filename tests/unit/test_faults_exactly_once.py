"""Exactly once under faults: each email goes out once, or its event fails where we see it.

SES throttles and DynamoDB fails at seeded rates (per HTTP attempt, which botocore retries,
and per call, as when its retries run out), then every single call of a function fails in
turn; each event is retried as Lambda retries an asynchronous invocation. For the main
transactional and marketing emails: no customer gets an email twice, and none goes without
it unless its event failed (and so landed on the function's on-failure destination).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from tailor import consent
from tailor.profiles import Profiles

from tests.helpers.aws_faults import Faults, retried
from tests.helpers.events import load_event

SEED = 20261128
START = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # afternoon in the shop's zone
RANDOM_EVENTS = 6  # per email type
PER_ATTEMPT = {"ses": 0.30, "dynamodb": 0.20}
PER_CALL = {"ses": 0.10, "dynamodb": 0.05}


def customer(kind: str, n: int) -> str:
    return f"{kind}-{n}@example.com"


def order_id(n: int) -> int:
    return 7_000_000_000_000 + n


def order(kind: str, n: int) -> dict[str, Any]:
    """Shopify orders/create for customer `n` of `kind`."""
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    email = customer(kind, n)
    payload.update(
        id=order_id(n), email=email, contact_email=email, order_number=5000 + n, name=f"#{5000 + n}"
    )
    payload["customer"] = {**payload["customer"], "email": email}
    event["detail"]["metadata"]["X-Shopify-Order-Id"] = str(order_id(n))
    return event


def shipment(kind: str, n: int) -> dict[str, Any]:
    event = load_event("shopify/fulfillments-create.json")
    event["detail"]["payload"].update(
        id=5_500_000_000_000 + n, order_id=order_id(n), email=customer(kind, n)
    )
    return event


def delivered(kind: str, n: int) -> dict[str, Any]:
    event = load_event("shopify/fulfillment-events-create-delivered.json")
    event["detail"]["payload"].update(
        id=4_400_000_000_000 + n, fulfillment_id=5_500_000_000_000 + n, order_id=order_id(n)
    )
    return event


def refund(kind: str, n: int) -> dict[str, Any]:
    event = load_event("shopify/refunds-create.json")
    event["detail"]["payload"].update(id=910_000_000_000 + n, order_id=order_id(n))
    return event


def review_due(kind: str, n: int) -> dict[str, Any]:
    event = load_event("canonical/review-due.json")
    event["detail"].update(
        order_id=str(order_id(n)), order_number=f"#{5000 + n}", email=customer(kind, n)
    )
    return event


def nothing(run: Any, kind: str, n: int) -> None:
    pass


def order_remembered(run: Any, kind: str, n: int) -> None:
    """The order as the shop's rules deliver it, before the email's own event."""
    run("AftercareRecorderFunction", order(kind, n))


def order_remembered_and_subscribed(run: Any, kind: str, n: int) -> None:
    run("PurchaseHistoryFunction", order(kind, n))
    order_remembered(run, kind, n)
    Profiles("ProfilesTable").update(
        customer(kind, n),
        lambda p: consent.change(p, [consent.NEWSLETTER], "subscribed", "signup"),
    )


@dataclass(frozen=True)
class EmailType:
    kind: str
    function: str
    event: Callable[[str, int], dict[str, Any]]
    before: Callable[[Any, str, int], None] = nothing


EMAIL_TYPES = [
    EmailType("confirmation", "OrderConfirmationFunction", order),
    EmailType("shipping", "ShippingConfirmationFunction", shipment),
    EmailType("delivery", "DeliveryUpdateFunction", delivered, order_remembered),
    EmailType("refund", "RefundIssuedFunction", refund, order_remembered),
    EmailType("review", "ReviewRequestFunction", review_due, order_remembered_and_subscribed),
]


@dataclass
class Tally:
    """The customers expected to get one email each, and whose events failed."""

    expected: list[str]
    reported: set[str]

    def check(self, outbox: Any) -> None:
        got = Counter(m["To"].addresses[0].addr_spec for m in outbox.messages)
        doubled = sorted(email for email, count in got.items() if count > 1)
        lost = [e for e in self.expected if got[e] == 0 and e not in self.reported]
        assert doubled == [], f"sent twice: {doubled}"
        assert lost == [], f"lost without a failure reported: {lost}"


def deferred_emails_fired(
    run: Any, function: str, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> set[str]:
    """What EventBridge Scheduler does as deferred emails fall due (moto stores schedules,
    never fires them): invoke the function with the schedule's input, retried likewise,
    until no schedule is left (a deferred email may be deferred again). Returns the
    customers whose deferred email failed every retry."""
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    fired: set[str] = set()
    failed: set[str] = set()
    while True:
        due = sorted(
            (_due_at(schedule), name, json.loads(schedule["Target"]["Input"]))
            for name, schedule in _schedules(scheduler, function)
            if name not in fired
        )
        if not due:
            return failed
        at, name, event = due[0]
        fired.add(name)
        faults.on, faults.calls = True, 0
        try:
            if not retried(functools.partial(run, function, event), monkeypatch, at):
                failed.add(event["detail"]["email"])
        finally:
            faults.on = False


def _schedules(scheduler: Any, function: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for group in scheduler.list_schedule_groups()["ScheduleGroups"]:
        for listed in scheduler.list_schedules(GroupName=group["Name"])["Schedules"]:
            schedule = scheduler.get_schedule(Name=listed["Name"], GroupName=group["Name"])
            if schedule["Target"]["Arn"].endswith(f":function:{function}"):
                found.append((f"{group['Name']}/{listed['Name']}", schedule))
    return found


def _due_at(schedule: dict[str, Any]) -> datetime:
    expression = schedule["ScheduleExpression"]  # at(2026-11-21T06:00:00), in UTC
    return datetime.fromisoformat(expression[3:-1] + "+00:00")


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    faults = Faults(SEED, PER_ATTEMPT, PER_CALL)
    faults.install(monkeypatch)
    return faults


def one_event(
    email_type: EmailType, n: int, run: Any, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> bool:
    """Prepare customer `n` without faults, then send their email with them; False when the
    event failed every retry."""
    monkeypatch.setenv("TAILOR_NOW", START.isoformat())
    faults.on = False
    email_type.before(run, email_type.kind, n)
    event = email_type.event(email_type.kind, n)
    faults.on, faults.calls = True, 0
    try:
        return retried(lambda: run(email_type.function, event), monkeypatch, START)
    finally:
        faults.on = False


def test_seeded_throttling_and_failures_double_and_lose_nothing(
    run: Any, outbox: Any, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    tally = Tally([], set())
    for number, email_type in enumerate(EMAIL_TYPES):
        for n in range(100 * number, 100 * number + RANDOM_EVENTS):  # orders of its own
            tally.expected.append(customer(email_type.kind, n))
            if not one_event(email_type, n, run, faults, monkeypatch):
                tally.reported.add(customer(email_type.kind, n))
        tally.reported |= deferred_emails_fired(run, email_type.function, faults, monkeypatch)

    assert faults.injected > len(tally.expected)  # the faults did happen
    assert len(outbox.messages) > len(tally.reported)  # and most emails still went out
    tally.check(outbox)


@pytest.mark.parametrize("email_type", EMAIL_TYPES, ids=lambda t: t.kind)
def test_every_single_call_failing_in_turn_doubles_and_loses_nothing(
    email_type: EmailType, run: Any, outbox: Any, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults.per_attempt.clear()
    faults.per_call.clear()
    assert one_event(email_type, 0, run, faults, monkeypatch)
    calls = faults.calls  # the SES and DynamoDB calls of one clean run
    tally = Tally([customer(email_type.kind, 0)], set())
    for n in range(1, calls + 1):
        faults.fail_call = n  # the nth call of the run fails, once
        tally.expected.append(customer(email_type.kind, n))
        if not one_event(email_type, n, run, faults, monkeypatch):
            tally.reported.add(customer(email_type.kind, n))
    faults.fail_call = None
    tally.reported |= deferred_emails_fired(run, email_type.function, faults, monkeypatch)

    assert calls > 5 and faults.injected == calls
    tally.check(outbox)


def test_a_review_request_ses_took_without_answering_is_not_sent_again_and_its_event_fails(
    run: Any, outbox: Any, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Marketing is at most once: when the attempt that sent it cannot know, neither can
    its retries, so they report the event failed rather than risk a second email."""
    review = next(t for t in EMAIL_TYPES if t.kind == "review")
    faults.per_attempt.clear()
    faults.per_call.clear()
    faults.answer_lost = "SendEmail"

    assert not one_event(review, 0, run, faults, monkeypatch)  # on-failure destination

    assert [m["To"].addresses[0].addr_spec for m in outbox.messages] == [customer("review", 0)]


def test_a_send_claim_whose_answer_was_lost_is_still_this_attempts_own(
    run: Any, outbox: Any, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB took the claim but its answer never came; botocore's retry finds the claim
    there. It is this attempt's own (its token), so the email goes out, once, at once: not
    a marketing email failed as of unknown fate when SES was never asked."""
    review = next(t for t in EMAIL_TYPES if t.kind == "review")
    faults.per_attempt.clear()
    faults.per_call.clear()
    monkeypatch.setenv("TAILOR_NOW", START.isoformat())
    review.before(run, review.kind, 0)
    faults.on, faults.answer_lost = True, "PutItem"

    result = run(review.function, review.event(review.kind, 0))

    faults.on = False
    assert result["status"] == "sent" and faults.injected == 1
    assert [m["To"].addresses[0].addr_spec for m in outbox.messages] == [customer("review", 0)]
