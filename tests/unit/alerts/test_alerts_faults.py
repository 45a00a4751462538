"""Bad input and faults: each gets a clear log line, no one gets an email twice, nothing is lost."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tailor import aws, transactions
from tailor.alerts.store import Claim, Interests, Subscription
from tailor.alerts.work import Delivery, Recipient, sqs_event
from tailor.mail import Mailer
from tailor.profiles import Profiles
from tailor_local.template import Template

from tests.helpers.alerts_shop import (
    MIDDAY,
    OXFORD,
    SIZE,
    Shop,
    catalog_item,
    money,
    open_shop,
    recipients,
    stream_record,
)
from tests.helpers.aws_faults import Faults

BELT = "8123456789042"


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 0})
    shop.socks()
    return shop


def size_12_delivery(
    shop: Shop, only: list[str] | None = None, message_id: str = "message-1"
) -> dict[str, Any]:
    """The sender's SQS event for everyone waiting for size 12 (or `only` these of them),
    as the fan-out writes it."""
    waiting = sorted(
        (
            i
            for i in shop.interests()
            if i.get("kind") == "bis" and (only is None or i["email"] in only)
        ),
        key=lambda i: str(i["since"]),
    )
    delivery = Delivery(
        email_type="back_in_stock",
        change_id="restock:test",
        product_id=OXFORD,
        recipients=[
            Recipient(email=i["email"], key=i["sk"], variant_id=i["variant_id"], since=i["since"])
            for i in waiting
        ],
    )
    return sqs_event(delivery, message_id)


def test_a_poisoned_stream_record_fails_alone_and_its_retry_repeats_no_email(
    shop: Shop, outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sold_out = catalog_item()
    shop.oxford({"11": 4, "12": 3, "13": 0})  # no one waits yet: nothing happens
    restocked = catalog_item()
    shop.product(  # a belt, new in the catalog at $40 (it used to be $59)
        product_id=BELT,
        handle="bridle-leather-belt",
        title="Bridle Leather Belt",
        variants=[{"variant_id": "4411", "price": money("40.00"), "inventory": 25}],
    )
    cheaper = catalog_item(BELT)
    dearer = {**cheaper, "variants": [{**cheaper["variants"][0], "price": money("59.00")}]}
    shop.back_in_stock("alex@example.com", "12")
    shop.customer("sam@example.com")
    shop.wish("sam@example.com", BELT)
    incomplete = {k: v for k, v in restocked.items() if k != "variants"}
    batch = [
        stream_record(1, restocked, sold_out),
        stream_record(2, {"product_id": {"not": "a DynamoDB type"}}),
        stream_record(3, cheaper, dearer),
        stream_record(4, None, restocked, name="REMOVE"),
        stream_record(5, incomplete, restocked),
    ]
    batch[1]["dynamodb"]["NewImage"] = {"product_id": {"Q": "poison"}}
    stream = shop.template.function("AlertsCatalogStreamFunction")

    first = shop.runner.invoke_once(stream, {"Records": batch}, drain=True)

    assert first.invocations[0].outcome.result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert recipients(outbox) == ["alex@example.com", "sam@example.com"]
    assert "product removed from the catalog: nothing to tell" in caplog.text
    assert "new image is not a complete product: skipped" in caplog.text

    # Lambda retries from the failed record on: the records after it come again.
    shop.runner.invoke_once(stream, {"Records": batch[1:]}, drain=True)
    assert recipients(outbox) == ["alex@example.com", "sam@example.com"]


def test_a_redelivered_message_sends_no_email_twice(shop: Shop, outbox: Any, run: Any) -> None:
    for number in range(3):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)
    aws.table("CatalogTable").put_item(
        Item={
            **catalog_item(),
            "variants": [{**v, "inventory": 5} for v in catalog_item()["variants"]],
        }
    )
    event = size_12_delivery(shop)

    run("AlertsSenderFunction", event)
    run("AlertsSenderFunction", event)

    assert recipients(outbox) == [f"fan{n}@example.com" for n in range(3)]
    assert shop.waiting() == []


def test_a_failed_send_is_retried_alone(
    shop: Shop, outbox: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(3):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)
    aws.table("CatalogTable").put_item(
        Item={
            **catalog_item(),
            "variants": [{**v, "inventory": 5} for v in catalog_item()["variants"]],
        }
    )
    real_send = Mailer.send
    failures = {"fan1@example.com"}

    def flaky(self: Mailer, outgoing: Any) -> Any:
        if outgoing.to in failures:
            failures.discard(outgoing.to)
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail"
            )
        return real_send(self, outgoing)

    monkeypatch.setattr(Mailer, "send", flaky)
    event = size_12_delivery(shop)

    with pytest.raises(Exception, match="All records failed"):
        run("AlertsSenderFunction", event)
    assert recipients(outbox) == ["fan0@example.com"]
    assert shop.waiting() == [f"fan1@example.com#{SIZE['12']}", f"fan2@example.com#{SIZE['12']}"]

    run("AlertsSenderFunction", event)  # SQS delivers the message again
    # The failed attempt gave back fan1's frequency-cap slot, so the retry goes out at once.
    assert sorted(recipients(outbox)) == [f"fan{n}@example.com" for n in range(3)]


def test_quiet_hours_defer_the_email_to_the_morning(
    shop: Shop, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    night = MIDDAY + timedelta(hours=10, minutes=30)  # 22:30 in the shop's zone
    shop.at(night, monkeypatch)
    shop.back_in_stock("alex@example.com", "12")

    shop.oxford({"11": 4, "12": 3, "13": 0})
    assert outbox.messages == []

    morning = MIDDAY + timedelta(hours=20, minutes=5)
    shop.at(morning, monkeypatch)
    shop.fire_schedules(morning)
    shop.fire_schedules(morning)  # a schedule fires once

    assert recipients(outbox) == ["alex@example.com"]
    assert shop.waiting() == []


def test_a_product_deleted_mid_wave_ends_the_waves(
    shop: Shop, outbox: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(3):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)
    shop.oxford({"11": 4, "12": 1, "13": 0})  # a wave of 2
    aws.table("CatalogTable").delete_item(Key={"product_id": OXFORD})

    later = MIDDAY + timedelta(minutes=31)
    shop.at(later, monkeypatch)
    reports = shop.fire_schedules(later)

    assert len(outbox.messages) == 2 and all(r.ok for r in reports)
    assert "product deleted from the catalog mid-wave; waves end" in caplog.text
    assert shop.waiting() == [f"fan2@example.com#{SIZE['12']}"]


def test_a_variant_removed_mid_wave_ends_the_waves(
    shop: Shop, outbox: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(3):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)
    shop.oxford({"11": 4, "12": 1, "13": 0})
    shop.oxford({"11": 4, "13": 0})  # the shop dropped size 12

    later = MIDDAY + timedelta(minutes=31)
    shop.at(later, monkeypatch)
    shop.fire_schedules(later)

    assert len(outbox.messages) == 2
    assert "variant no longer exists; waves end" in caplog.text


def test_a_suppressed_address_gets_nothing_and_its_subscription_closes(
    shop: Shop, outbox: Any
) -> None:
    shop.back_in_stock("bounced@example.com", "12")
    shop.customer("bounced@example.com", topics=("back_in_stock",), suppressed="hard bounce")

    shop.oxford({"11": 4, "12": 3, "13": 0})

    assert outbox.messages == []
    assert shop.waiting() == []


# ---------------------------------------------------------------------- claimed together
# The sender claims the recipients the policy lets through, and their frequency-cap slots,
# in one transaction per 50; these are the ways a recipient drops out of it.


def restocked_with_fans(shop: Shop, count: int) -> dict[str, Any]:
    for number in range(count):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)
    aws.table("CatalogTable").put_item(
        Item={
            **catalog_item(),
            "variants": [{**v, "inventory": 5} for v in catalog_item()["variants"]],
        }
    )
    return size_12_delivery(shop)


def test_a_customer_suppressed_after_the_profiles_were_read_gets_nothing(
    shop: Shop, outbox: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = restocked_with_fans(shop, 3)
    real_read = Profiles.get_many
    complaints = ["fan1@example.com"]

    def complaint_meanwhile(self: Profiles, emails: Any) -> Any:
        read = real_read(self, emails)
        for email in complaints:
            self.update(email, lambda p: p.model_copy(update={"suppressed": "complaint"}))
        complaints.clear()
        return read

    monkeypatch.setattr(Profiles, "get_many", complaint_meanwhile)

    run("AlertsSenderFunction", event)

    assert recipients(outbox) == ["fan0@example.com", "fan2@example.com"]
    assert shop.waiting() == []  # a suppressed address's subscription closes


def test_a_recipient_another_sender_holds_is_left_to_it(shop: Shop, outbox: Any, run: Any) -> None:
    event = restocked_with_fans(shop, 3)
    interests = Interests(shop.template.physical_name("InterestsTable"))
    held = f"bis#{SIZE['12']}#fan1@example.com"
    fan1 = Subscription("fan1@example.com", OXFORD, SIZE["12"], since="")
    assert interests.take(Claim("restock:earlier", held, fan1), MIDDAY, keep_days=1)

    run("AlertsSenderFunction", event)

    assert recipients(outbox) == ["fan0@example.com", "fan2@example.com"]
    claimed = [i for i in shop.interests() if i["sk"] == held]
    assert [i["status"] for i in claimed] == ["claimed"]  # still the other sender's
    assert shop.waiting() == [f"fan1@example.com#{SIZE['12']}"]


def test_a_recipient_an_unfinished_attempt_holds_fails_the_message_until_it_is_done(
    shop: Shop, outbox: Any, run: Any
) -> None:
    """The attempt that claimed fan1 for this restock may have sent the email: fan1 is not
    sent to again, and the message is not done (never "already told") until it is."""
    event = restocked_with_fans(shop, 3)
    interests = Interests(shop.template.physical_name("InterestsTable"))
    held = f"bis#{SIZE['12']}#fan1@example.com"
    fan1 = Claim("restock:test", held, Subscription("fan1@example.com", OXFORD, SIZE["12"], ""))
    assert interests.take(fan1, MIDDAY, keep_days=1)

    with pytest.raises(Exception, match="All records failed"):
        run("AlertsSenderFunction", event)
    assert recipients(outbox) == ["fan0@example.com", "fan2@example.com"]

    interests.finish([fan1.key], [], MIDDAY, keep_days=1)  # that attempt told fan1 after all
    run("AlertsSenderFunction", event)  # SQS delivers the message again
    assert recipients(outbox) == ["fan0@example.com", "fan2@example.com"]
    assert shop.waiting() == []


def test_two_sizes_for_one_customer_send_one_email_and_defer_the_other(
    shop: Shop, outbox: Any
) -> None:
    shop.customer("both@example.com", shoes="12", topics=("back_in_stock",))
    shop.back_in_stock("both@example.com", "12")
    shop.back_in_stock("both@example.com", "13", minutes=1)

    shop.oxford({"11": 4, "12": 3, "13": 3})

    assert recipients(outbox) == ["both@example.com"]
    assert "in size 12" in str(outbox.only()["Subject"])  # the size asked for first
    deferred = [i for i in shop.interests() if i.get("status") == "deferred"]
    assert [i["variant_id"] for i in deferred] == [SIZE["13"]]


def test_claims_that_conflict_with_another_writer_are_tried_again(
    shop: Shop, outbox: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = restocked_with_fans(shop, 3)
    real_write = transactions.write_together
    conflicts = [1]

    def busy_once(writes: Any) -> Any:
        if conflicts:
            conflicts.pop()
            return ["None", transactions.CONFLICT] + ["None"] * (len(writes) - 2)
        return real_write(writes)

    monkeypatch.setattr(transactions, "write_together", busy_once)

    run("AlertsSenderFunction", event)

    assert recipients(outbox) == [f"fan{n}@example.com" for n in range(3)]
    assert shop.waiting() == []


# ---------------------------------------------------------------------- seeded faults
# SES throttling and DynamoDB failures at seeded rates while SQS delivers the sender's
# messages, each failed one again after its visibility timeout, five times at most.

SEED = 20261128
RECEIVES = 5  # the delivery queue's maxReceiveCount: then the dead-letter queue


def test_seeded_faults_send_each_alert_once_or_dead_letter_its_message(
    shop: Shop, outbox: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fans = 24
    for number in range(fans):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)
    aws.table("CatalogTable").put_item(
        Item={
            **catalog_item(),
            "variants": [{**v, "inventory": 100} for v in catalog_item()["variants"]],
        }
    )
    whole = Delivery.model_validate_json(size_12_delivery(shop)["Records"][0]["body"])
    messages = {
        f"message-{start}": whole.model_copy(
            update={"recipients": whole.recipients[start : start + 4]}
        )
        for start in range(0, fans, 4)
    }
    faults = Faults(SEED, {"ses": 0.30, "dynamodb": 0.20}, {"ses": 0.10, "dynamodb": 0.05})
    faults.install(monkeypatch)

    pending = list(messages)
    for receive in range(RECEIVES):
        shop.at(MIDDAY + timedelta(minutes=31 * receive), monkeypatch)
        failed: list[str] = []
        for start in range(0, len(pending), 2):  # the event source's BatchSize
            batch = pending[start : start + 2]
            records = [sqs_event(messages[m], m)["Records"][0] for m in batch]
            faults.on = True
            try:
                result = run("AlertsSenderFunction", {"Records": records})
                failed += [f["itemIdentifier"] for f in result["batchItemFailures"]]
            except Exception:  # every record failed: all come again
                failed += batch
            finally:
                faults.on = False
        pending = failed

    later = MIDDAY + timedelta(days=3)  # emails the frequency cap deferred go out
    shop.at(later, monkeypatch)
    shop.fire_schedules(later)

    assert faults.injected > fans
    dead_lettered = {r.email for m in pending for r in messages[m].recipients}
    sent = Counter(recipients(outbox))
    assert [email for email, count in sent.items() if count > 1] == []
    lost = [f"fan{n}@example.com" for n in range(fans)]
    assert [e for e in lost if sent[e] == 0 and e not in dead_lettered] == []
    assert len(sent) > len(dead_lettered)


def test_every_single_call_of_the_sender_failing_in_turn_doubles_and_loses_nothing(
    shop: Shop, outbox: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = Faults(SEED)
    faults.install(monkeypatch)

    def stocked(inventory: int) -> None:
        """The catalog as the restock left it (the sender reads it; no stream fires)."""
        item = catalog_item()
        item["variants"] = [{**v, "inventory": inventory} for v in item["variants"]]
        aws.table("CatalogTable").put_item(Item=item)

    def waiting_fans(tag: str) -> tuple[list[str], dict[str, Any]]:
        """Three customers waiting for size 12, and the message telling them."""
        fans = [f"{tag}-{number}@example.com" for number in range(3)]
        stocked(0)
        for number, email in enumerate(fans):
            shop.back_in_stock(email, "12", minutes=number)
        stocked(100)
        return fans, size_12_delivery(shop, only=fans, message_id=tag)

    def received_until_done(event: dict[str, Any]) -> bool:
        """SQS delivers the message until it succeeds; False: it went to the dead letters."""
        for receive in range(RECEIVES):
            shop.at(MIDDAY + timedelta(minutes=31 * receive), monkeypatch)
            faults.on = True
            try:
                if not run("AlertsSenderFunction", event)["batchItemFailures"]:
                    return True
            except Exception:  # noqa: S112 (the message comes again)
                continue
            finally:
                faults.on = False
        return False

    fans, event = waiting_fans("clean")
    assert received_until_done(event)
    calls, faults.calls = faults.calls, 0  # the SES and DynamoDB calls of one clean message
    expected, dead_lettered = list(fans), set()
    for number in range(1, calls + 1):
        shop.at(MIDDAY, monkeypatch)
        fans, event = waiting_fans(f"call{number}")
        faults.fail_call, faults.calls = number, 0  # the nth call fails, once
        expected += fans
        if not received_until_done(event):
            dead_lettered |= set(fans)

    later = MIDDAY + timedelta(days=3)  # emails the frequency cap deferred go out
    shop.at(later, monkeypatch)
    shop.fire_schedules(later)

    sent = Counter(recipients(outbox))
    assert calls > 5 and faults.injected == calls
    assert [email for email, count in sent.items() if count > 1] == []
    assert [e for e in expected if sent[e] == 0 and e not in dead_lettered] == []
