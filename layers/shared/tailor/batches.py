"""Lambda's partial batch responses, for the functions that read SQS queues and DynamoDB
streams (ReportBatchItemFailures).

Each record is handled on its own; the records whose handling raised are reported back by
their identifier (an SQS message id, a stream record's sequence number), so Lambda retries
only those. When every record fails the invocation fails instead, and the whole batch is
retried as Lambda's own retry policy says (the queue's redrive, the stream's retry limit).

Powertools' BatchProcessor does the same, but importing it builds Powertools' parser models
for every AWS event source (pydantic) and imports asyncio: about a third of a second on each
cold start of these functions, for a loop this short.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tailor.observability import logger

R = TypeVar("R", SQSRecord, DynamoDBRecord)


class BatchFailed(Exception):
    """Every record of the batch failed: the invocation fails, so Lambda retries it all."""

    def __init__(self, errors: list[BaseException]) -> None:
        reasons = "; ".join(f"{type(error).__name__}: {error}" for error in errors)
        super().__init__(f"All records failed processing ({len(errors)}): {reasons}")
        self.errors = errors


def sqs_batch(event: dict[str, Any], handle: Callable[[SQSRecord], None]) -> dict[str, Any]:
    """Handle each SQS message; the failed ones as `batchItemFailures` (message ids)."""
    return _partial(event, SQSRecord, lambda record: record.message_id, handle)


def stream_batch(event: dict[str, Any], handle: Callable[[DynamoDBRecord], None]) -> dict[str, Any]:
    """Handle each DynamoDB stream record; the failed ones by sequence number."""
    return _partial(event, DynamoDBRecord, _sequence_number, handle)


def _sequence_number(record: DynamoDBRecord) -> str:
    return str(record.dynamodb.sequence_number if record.dynamodb else "")


def _partial(
    event: dict[str, Any],
    wrap: Callable[[dict[str, Any]], R],
    identify: Callable[[R], str],
    handle: Callable[[R], None],
) -> dict[str, Any]:
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise ValueError("not a batch event: it has no list of Records")
    failed: list[dict[str, str]] = []
    errors: list[BaseException] = []
    for raw in records:
        record = wrap(raw)
        try:
            handle(record)
        except Exception as error:  # one record's failure must not stop the others
            logger.debug("record processing failed", exc_info=sys.exc_info())
            errors.append(error)
            failed.append({"itemIdentifier": identify(record)})
    if records and len(errors) == len(records):
        raise BatchFailed(errors) from errors[0]
    return {"batchItemFailures": failed}
