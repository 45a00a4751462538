"""Delivering events the way AWS would: rules, async retries, published events, streams, queues.

A small fixture template (tests/local/fixtures/) holds one of each thing the runner must
reproduce; the assertions are on what `tailor run` reports and what lands in the queues.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tailor_local.cloud import open_cloud
from tailor_local.runner import Report, Runner
from tailor_local.template import Template

FIXTURE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runner]:
    monkeypatch.setenv("TAILOR_HOME", str(tmp_path / "home"))
    template = Template(FIXTURE)
    with open_cloud(template, ephemeral=True) as cloud:
        yield Runner(template, cloud)


def event(detail_type: str, **detail: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "fixture.test",
        "account": "123456789012",
        "time": "2026-11-20T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def queued(runner: Runner, queue: str) -> list[Any]:
    sqs = runner.cloud.client("sqs")
    url = runner.cloud.queue_url(queue)
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            bodies.append(
                json.loads(message["Body"]) if message["Body"][:1] == "{" else message["Body"]
            )
    return bodies


def calls(report: Report, function_id: str) -> list[Any]:
    return [i for i in report.invocations if i.function_id == function_id]


def test_an_event_a_function_publishes_is_routed_through_the_rules(runner: Runner) -> None:
    report = runner.deliver(event("Publish"))

    assert report.rules == ["PublisherFunctionPublish"]
    assert [(i.function_id, i.trigger) for i in report.invocations] == [
        ("PublisherFunction", "rule PublisherFunctionPublish"),
        ("ListenerFunction", "published Published -> rule ListenerFunctionPublished"),
    ]
    assert calls(report, "ListenerFunction")[0].outcome.result == {"heard": {"count": 0}}
    assert report.ok and not report.unmatched


def test_an_event_on_another_bus_reaches_nothing(runner: Runner) -> None:
    report = runner.deliver(event("Publish"), bus="default")

    assert report.invocations == []
    assert report.unmatched == ["Publish on bus default"]


def test_a_failing_handler_is_retried_then_lands_on_the_failure_queue(runner: Runner) -> None:
    explode = event("Explode")
    report = runner.deliver(explode)

    (invocation,) = report.invocations
    assert invocation.attempts == 2  # the first try and MaximumRetryAttempts: 1
    assert report.failures == [
        "FailingFunction (rule FailingFunctionExplode) failed after 2 attempt(s): "
        "ValueError: boom: cannot handle Explode; sent to FailedEvents"
    ]
    (record,) = queued(runner, "FailedEvents")
    assert record["requestPayload"] == explode
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responsePayload"]["errorMessage"] == "boom: cannot handle Explode"


def test_a_failure_record_too_large_for_sqs_keeps_the_events_identity(runner: Runner) -> None:
    # An event file as large as an SQS message may be: with the error and the invocation's
    # details beside it, the failure record is over.
    explode = event("Explode", note="x" * 262_000)
    report = runner.deliver(explode)

    assert report.failures[0].endswith("; sent to FailedEvents")
    (note,) = report.notes
    assert note.startswith("the failure record of FailingFunction was ")
    assert note.endswith("over SQS's 262,144; FailedEvents got it with the event summarised")
    (record,) = queued(runner, "FailedEvents")
    assert record["requestPayload"] == {
        "id": explode["id"],
        "detail-type": "Explode",
        "source": "fixture.test",
        "time": explode["time"],
        "truncated": True,
        "recordBytes": record["requestPayload"]["recordBytes"],
    }
    assert record["requestPayload"]["recordBytes"] > 256 * 1024
    assert record["responsePayload"]["errorMessage"] == "boom: cannot handle Explode"
    assert record["requestContext"]["condition"] == "RetriesExhausted"


def stream_items() -> list[dict[str, Any]]:
    return [{"id": "1"}, {"id": "2", "poison": True}, {"id": "3"}, {"id": "4"}, {"id": "5"}]


def test_a_poisoned_stream_record_is_reported_and_its_batch_is_not_retried_forever(
    runner: Runner,
) -> None:
    report = runner.deliver(event("Publish", items=stream_items()))

    readers = calls(report, "StreamReaderFunction")
    # [1, 2, 3] reports 2; [2, 3] is retried twice (MaximumRetryAttempts: 2), then skipped
    # (3 with it: it shared the batch); [4, 5] follows. Four invocations, not an endless loop.
    batches = [[r["dynamodb"]["Keys"]["id"]["S"] for r in json_records(i)] for i in readers]
    assert batches == [["1", "2", "3"], ["2", "3"], ["2", "3"], ["4", "5"]]
    failure = next(f for f in report.failures if f.startswith("StreamReaderFunction"))
    assert "retries exhausted, 2 record(s)" in failure
    assert failure.endswith("skipped; sent to FailedEvents")
    (record,) = [r for r in queued(runner, "FailedEvents") if "DDBStreamBatchInfo" in r]
    assert record["DDBStreamBatchInfo"]["batchSize"] == 2


def test_bisecting_a_failing_batch_isolates_the_poisoned_record(runner: Runner) -> None:
    report = runner.deliver(event("Publish", items=stream_items()))

    readers = calls(report, "StrictStreamReaderFunction")
    batches = [[r["dynamodb"]["Keys"]["id"]["S"] for r in json_records(i)] for i in readers]
    # [1..4] fails, bisected into [1, 2] and [3, 4]; [1, 2] into [1] and [2]; [2] is retried
    # once (MaximumRetryAttempts: 1) and skipped; everything else is read.
    assert batches == [["1", "2", "3", "4"], ["1", "2"], ["1"], ["2"], ["2"], ["3", "4"], ["5"]]
    (failure,) = [f for f in report.failures if f.startswith("StrictStreamReaderFunction")]
    assert "ValueError: poison item 2" in failure
    assert "retries exhausted, record" in failure


def test_stream_filters_keep_out_what_does_not_match(runner: Runner) -> None:
    runner.deliver(event("Publish", items=[{"id": "1"}]))
    report = runner.deliver(event("Publish", items=[{"id": "1", "changed": True}]))

    # The MODIFY record passes no filter of StreamReaderFunction (INSERT only).
    assert calls(report, "StreamReaderFunction") == []
    (strict,) = calls(report, "StrictStreamReaderFunction")
    assert [r["eventName"] for r in json_records(strict)] == ["MODIFY"]


def test_a_failing_queue_message_is_redriven_and_the_rest_are_done(runner: Runner) -> None:
    report = runner.deliver(event("Publish", messages=["one", "poison", "two"]))

    workers = calls(report, "QueueWorkerFunction")
    bodies = [sorted(r["body"] for r in json_records(i)) for i in workers]
    assert bodies[0] == ["one", "poison", "two"]
    assert all(batch == ["poison"] for batch in bodies[1:])
    assert queued(runner, "WorkQueue") == []
    assert queued(runner, "WorkDeadLetters") == ["poison"]  # after maxReceiveCount: 2
    assert any("failed message" in note and "WorkQueue" in note for note in report.notes)


def json_records(invocation: Any) -> list[dict[str, Any]]:
    return list(invocation.event["Records"])


def mail(to: str, subject: str = "Where is my order?") -> bytes:
    return (
        "Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass;\r\n"
        "From: Susie Oklahoma <susie@example.com>\r\n"
        f"To: {to}\r\nSubject: {subject}\r\nMessage-ID: <1@mail.example.com>\r\n\r\nHello!\r\n"
    ).encode()


def test_mail_goes_through_the_receipt_rule_to_the_bucket_and_the_function(
    runner: Runner,
) -> None:
    raw = mail("Shop Help <help@shop.example.com>")

    report = runner.receive_mail(raw, "question.eml")

    assert report.rules == ["fixture-inbox"]
    (invocation,) = report.invocations
    assert invocation.trigger == "SES receipt rule fixture-inbox"
    assert invocation.outcome.result == {
        "subject": "Where is my order?",
        "recipients": ["help@shop.example.com"],
        "dkim": "PASS",
        "stored": len(raw),
    }


def test_mail_to_an_address_no_rule_takes_is_reported(runner: Runner) -> None:
    report = runner.receive_mail(mail("sales@shop.example.com"))

    assert report.invocations == []
    (unmatched,) = report.unmatched
    assert unmatched.endswith(
        "to sales@shop.example.com: no SES receipt rule in template.yaml takes mail for that "
        "address"
    )


def test_a_new_container_counts_metrics_under_its_functions_namespace(
    template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tailor.observability import metrics
    from tailor_local.invoke import environment

    # Powertools read the namespace when this process first imported tailor, before any
    # function's environment was set (as the bench's drain does).
    monkeypatch.setattr(metrics, "namespace", None)
    function = template.function("AlertsSenderFunction")

    with environment(function):
        namespace = metrics.namespace

    assert namespace == function.environment["POWERTOOLS_METRICS_NAMESPACE"]
