"""One record per email: a function whose only effect that must not repeat is its email keeps
just its send record, claimed by one conditional put that hands back what it found, so a
duplicate event gets the first attempt's outcome and nothing is sent twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tailor import aws
from tailor.idempotency import EmailFateUnknown, EmailInFlight, Sends, email_once
from tailor_local.invoke import environment

from tests.helpers.events import load_event
from tests.helpers.mail import Outbox
from tests.helpers.orders import stock_the_shop

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
OUTCOME = {"status": "sent", "email_type": "review_request", "ses_message_id": "0100-first"}


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAILOR_NOW", NOW.isoformat())


def records(cloud: Any) -> list[dict[str, Any]]:
    return list(aws.table(cloud.physical_name("IdempotencyTable")).scan()["Items"])


def test_an_order_confirmation_stores_one_record_and_a_duplicate_gets_its_outcome(
    run: Any, outbox: Outbox, cloud: Any, pinned: None
) -> None:
    stock_the_shop(run)
    before = {item["id"] for item in records(cloud)}
    event = load_event("shopify/orders-create.json")

    first = run("OrderConfirmationFunction", event)
    again = run("OrderConfirmationFunction", event)

    assert first["status"] == "sent" and again == first
    assert len(outbox.messages) == 1
    stored = [item for item in records(cloud) if item["id"] not in before]
    assert [(str(item["id"]).split("#")[:2], item["status"]) for item in stored] == [
        (["send", "order_confirmation"], "sent")
    ]


@pytest.fixture
def in_function(cloud: Any) -> Iterator[None]:
    """The review request function's environment, as when it sends."""
    with environment(cloud.function("ReviewRequestFunction")):
        yield


def sends(cloud: Any, at_most_once: bool) -> Sends:
    table = cloud.physical_name("IdempotencyTable")
    return Sends(table, "review_request", 'tailor.emails.review#["1001"]', at_most_once)


def test_a_claim_that_finds_the_email_sent_returns_its_outcome(
    cloud: Any, in_function: None
) -> None:
    """The first read is eventually consistent and may miss the record: the claim cannot."""
    first = sends(cloud, at_most_once=True)
    assert first.claim(NOW) is None
    first.sent(OUTCOME)

    assert sends(cloud, at_most_once=True).claim(NOW + timedelta(minutes=1)) == OUTCOME


def test_a_claim_held_by_a_running_attempt_waits_and_an_ended_one_decides_by_stream(
    cloud: Any, in_function: None
) -> None:
    assert sends(cloud, at_most_once=True).claim(NOW) is None  # then the attempt ends

    with pytest.raises(EmailInFlight):
        sends(cloud, at_most_once=True).claim(NOW + timedelta(minutes=1))
    after_the_lease = NOW + timedelta(minutes=16)
    with pytest.raises(EmailFateUnknown):
        sends(cloud, at_most_once=True).claim(after_the_lease)  # marketing: never twice
    assert sends(cloud, at_most_once=False).claim(after_the_lease) is None  # receipts: again


def test_an_event_without_its_key_fails_naming_the_key_and_runs_nothing() -> None:
    """All such events would share one send record: the first would silence the rest."""
    ran: list[object] = []

    @email_once(key="[order_id, fulfillment_id]")
    def send(*, event: dict[str, Any]) -> None:
        ran.append(event)

    with pytest.raises(ValueError, match=r"no \[order_id, fulfillment_id\]"):
        send(event={"order_id": None, "fulfillment_id": None})
    assert ran == []
