"""Event source mappings: DynamoDB streams and SQS queues feeding functions, as Lambda does.

DynamoDB streams are read in order, per shard, in batches of the mapping's BatchSize, after
its FilterCriteria drop what does not match. A batch whose handler raises is retried (split
in two first, with BisectBatchOnFunctionError) until MaximumRetryAttempts, then skipped and
reported (and sent to the mapping's on-failure destination), so one poisoned record never
holds up its shard forever. With ReportBatchItemFailures the handler returns
`{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]}`: what came before the first
failure is done, the rest is retried from there. An identifier that is not in the batch
fails the whole batch, as in AWS.

SQS queues: received in batches, deleted when handled; with ReportBatchItemFailures only the
listed message ids come back. Failed messages return at once (locally there is no point
waiting out the visibility timeout) until the queue's redrive policy moves them away.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tailor_local.patterns import matcher
from tailor_local.template import REGION, StreamMapping, TemplateError

if TYPE_CHECKING:
    from tailor_local.reports import Host, Invocation

# AWS retries a failing stream batch until the record expires (MaximumRetryAttempts -1,
# the default): locally that would never end, so it stops here and says so.
LOCAL_RETRY_LIMIT = 10
# The longest SQS visibility timeout: hides a message that keeps failing for this run.
MAX_VISIBILITY_SECONDS = 43200


def drain(runner: Host, mapping: StreamMapping) -> int:
    """Feed what the mapping's source holds to its function; the number of records read."""
    if mapping.kind == "DynamoDB":
        return _drain_dynamodb(runner, mapping)
    return _drain_sqs(runner, mapping)


def _plain(value: Any) -> Any:
    """A boto3 response as the JSON Lambda would deliver (dates as epoch seconds)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def _passes(mapping: StreamMapping, record: dict[str, Any]) -> bool:
    """FilterCriteria: a record goes to the function when any filter's pattern matches."""
    if not mapping.filters:
        return True
    subject = dict(record)
    if isinstance(subject.get("body"), str):
        with contextlib.suppress(ValueError):
            subject["body"] = json.loads(subject["body"])
    match = matcher(subject)
    return any(match(json.loads(str(f["Pattern"]))) for f in mapping.filters)


def _retry_limit(mapping: StreamMapping) -> tuple[int, bool]:
    """The retry limit, and whether it is the local stand-in for "until the record expires"."""
    if mapping.retry_attempts is None or int(mapping.retry_attempts) < 0:
        return LOCAL_RETRY_LIMIT, True
    return int(mapping.retry_attempts), False


def _failed_from(
    mapping: StreamMapping, batch: list[dict[str, Any]], invocation: Invocation, key: str
) -> tuple[int | None, list[str]]:
    """Index of the first record to retry (None: all done) and the identifiers reported."""
    if not invocation.outcome.ok:
        return 0, []
    result = invocation.outcome.result
    if not mapping.report_failures or not isinstance(result, dict):
        return None, []
    failures = result.get("batchItemFailures") or []
    if not failures:
        return None, []
    ids = [str(f.get("itemIdentifier")) if isinstance(f, dict) else "" for f in failures]
    positions = {_identifier(record, key): i for i, record in enumerate(batch)}
    if any(identifier not in positions for identifier in ids):
        return 0, ids  # an unknown identifier fails the whole batch
    return min(positions[identifier] for identifier in ids), ids


def _identifier(record: dict[str, Any], key: str) -> str:
    if key == "SequenceNumber":
        return str(record["dynamodb"]["SequenceNumber"])
    return str(record[key])


# ---------------------------------------------------------------------- DynamoDB streams
def _drain_dynamodb(runner: Host, mapping: StreamMapping) -> int:
    stream_arn = _stream_arn(runner, mapping)
    client = runner.cloud.client("dynamodbstreams")
    state = runner.cloud.state
    read = 0
    shards = client.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    for shard in shards:
        checkpoint_key = f"{mapping.name}/{shard['ShardId']}"
        after = state.checkpoints.get(checkpoint_key)
        records = _shard_records(client, stream_arn, shard["ShardId"], after)
        if not records:
            continue
        read += len(records)
        for record in records:
            record["eventSourceARN"] = stream_arn
        wanted = [record for record in records if _passes(mapping, record)]
        _process_in_order(runner, mapping, wanted, stream_arn, shard["ShardId"])
        state.checkpoints[checkpoint_key] = str(records[-1]["dynamodb"]["SequenceNumber"])
        state.save()
    return read


def _stream_arn(runner: Host, mapping: StreamMapping) -> str:
    """The table's stream (it does not change while the cloud lives, so it is looked up once)."""
    key = f"stream-arn/{mapping.source_id}"
    if key not in runner.cache:
        table = runner.template.physical_name(mapping.source_id)
        described = runner.cloud.client("dynamodb").describe_table(TableName=table)["Table"]
        if not described.get("LatestStreamArn"):
            raise TemplateError(
                f"{mapping.name} reads the stream of {mapping.source_id}, which has no "
                "StreamSpecification in template.yaml"
            )
        runner.cache[key] = str(described["LatestStreamArn"])
    return runner.cache[key]


def _shard_records(
    client: Any, stream_arn: str, shard_id: str, after: str | None
) -> list[dict[str, Any]]:
    """The shard's records after the checkpoint `after` (from the start without one)."""
    position: dict[str, str] = (
        {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        if after
        else {"ShardIteratorType": "TRIM_HORIZON"}
    )
    iterator = client.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id, **position)[
        "ShardIterator"
    ]
    found: list[dict[str, Any]] = []
    while iterator:
        response = client.get_records(ShardIterator=iterator, Limit=1000)
        if not response.get("Records"):
            break
        found.extend(_plain(response["Records"]))
        iterator = response.get("NextShardIterator")
    return found


def _process_in_order(
    runner: Host,
    mapping: StreamMapping,
    records: list[dict[str, Any]],
    stream_arn: str,
    shard_id: str,
) -> None:
    function = runner.template.function(mapping.function_id)
    limit, stand_in = _retry_limit(mapping)
    pending = deque(
        records[i : i + mapping.batch_size] for i in range(0, len(records), mapping.batch_size)
    )
    attempts: dict[str, int] = {}
    trigger = f"stream of {mapping.source_id} ({mapping.name})"
    while pending:
        batch = pending.popleft()
        invocation = runner.invoke_sync(function, {"Records": batch}, trigger)
        start, reported = _failed_from(mapping, batch, invocation, "SequenceNumber")
        if start is None:
            continue
        remaining = batch[start:]
        if not invocation.outcome.ok and mapping.bisect and len(remaining) > 1:
            half = len(remaining) // 2
            pending.extendleft([remaining[half:], remaining[:half]])
            continue
        first = _identifier(remaining[0], "SequenceNumber")
        attempts[first] = attempts.get(first, 0) + 1
        if attempts[first] <= limit:
            pending.appendleft(remaining)
            continue
        _skip_batch(runner, mapping, remaining, invocation, reported, stream_arn, shard_id)
        if stand_in:
            runner.current.notes.append(
                f"{mapping.name} sets no MaximumRetryAttempts: AWS would retry until the "
                f"record expires; the local cloud gave up after {limit} retries"
            )


def _skip_batch(
    runner: Host,
    mapping: StreamMapping,
    batch: list[dict[str, Any]],
    invocation: Invocation,
    reported: list[str],
    stream_arn: str,
    shard_id: str,
) -> None:
    """Retries exhausted: the batch is skipped, reported, and sent to the on-failure queue."""
    first = batch[0]["dynamodb"]["SequenceNumber"]
    last = batch[-1]["dynamodb"]["SequenceNumber"]
    why = invocation.outcome.reason or f"reported as failed in batchItemFailures ({first})"
    poisoned = ", ".join(reported) if reported else first
    skipped = f"{len(batch)} record(s) {first}..{last}" if len(batch) > 1 else f"record {first}"
    message = (
        f"{mapping.function_id} ({mapping.name}) could not process stream record {poisoned} "
        f"of {mapping.source_id}: {why}; retries exhausted, {skipped} skipped"
    )
    if mapping.on_failure:
        runner.send_to_queue(
            mapping.on_failure,
            {
                "requestContext": {
                    "functionArn": runner.template.arn(mapping.function_id),
                    "condition": "RetryAttemptsExhausted",
                },
                # A handler that raised is an Unhandled error; a partial batch response is not.
                "responseContext": {"functionError": None if reported else "Unhandled"},
                "version": "1.0",
                "timestamp": runner.clock.now().isoformat(),
                "DDBStreamBatchInfo": {
                    "shardId": shard_id,
                    "startSequenceNumber": first,
                    "endSequenceNumber": last,
                    "batchSize": len(batch),
                    "streamArn": stream_arn,
                },
            },
        )
        message += f"; sent to {mapping.on_failure}"
    runner.current.failures.append(message)


# ---------------------------------------------------------------------- SQS
def _drain_sqs(runner: Host, mapping: StreamMapping) -> int:
    sqs = runner.cloud.client("sqs")
    url = runner.cloud.queue_url(mapping.source_id)
    arn = runner.template.arn(mapping.source_id)
    function = runner.template.function(mapping.function_id)
    limit, _ = _retry_limit(mapping)
    received: dict[str, int] = {}
    read = 0
    trigger = f"queue {mapping.source_id} ({mapping.name})"
    while True:
        messages = _receive(sqs, url, mapping.batch_size)
        if not messages:
            return read
        read += len(messages)
        records = [_sqs_record(message, arn) for message in messages]
        handles = {
            r["messageId"]: m["ReceiptHandle"] for r, m in zip(records, messages, strict=True)
        }
        wanted = [record for record in records if _passes(mapping, record)]
        failed: set[str] = set()
        why = ""
        if wanted:
            invocation = runner.invoke_sync(function, {"Records": wanted}, trigger)
            start, reported = _failed_from(mapping, wanted, invocation, "messageId")
            if start is not None:
                failed = set(reported) if reported and invocation.outcome.ok else set()
                failed = failed or {r["messageId"] for r in wanted}
                why = invocation.outcome.reason or "reported as failed in batchItemFailures"
        for message_id, handle in handles.items():
            if message_id not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
                continue
            received[message_id] = received.get(message_id, 0) + 1
            if received[message_id] == 1:
                runner.current.notes.append(
                    f"{mapping.function_id} ({mapping.name}) failed message {message_id} of "
                    f"{mapping.source_id}: {why}; it goes back on the queue (its redrive "
                    "policy decides how often)"
                )
            if received[message_id] <= limit:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0
                )
                continue
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=MAX_VISIBILITY_SECONDS
            )
            runner.current.failures.append(
                f"{mapping.function_id} ({mapping.name}) could not process message {message_id} "
                f"of {mapping.source_id}: {why}; gave up after {received[message_id]} attempts, "
                "the message stays on the queue"
            )


def _receive(sqs: Any, url: str, batch_size: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while len(messages) < batch_size:
        response = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(10, batch_size - len(messages)),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        received = response.get("Messages", [])
        if not received:
            break
        messages.extend(received)
    return messages


def _sqs_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": _plain(message.get("MessageAttributes", {})),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": REGION,
    }
