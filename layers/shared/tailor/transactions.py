"""Conditional writes that succeed or fail together: one DynamoDB TransactWriteItems call.

Where many guarded writes are made at once (each alert recipient's claim on a change and
their frequency-cap slot), one transaction of up to 100 writes replaces 100 calls. When a
condition fails the whole transaction is cancelled and DynamoDB says, write by write, why:
the caller drops the writes whose condition failed and tries the rest again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from tailor import aws

MAX_WRITES = 100
CONDITION_FAILED = "ConditionalCheckFailed"
CONFLICT = "TransactionConflict"  # another transaction held one of the items: try again

_serializer = TypeSerializer()


def _typed(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _write(table_name: str, request: Mapping[str, Any]) -> dict[str, Any]:
    write: dict[str, Any] = {"TableName": table_name}
    for name, value in request.items():
        typed = name in ("Key", "Item", "ExpressionAttributeValues")
        write[name] = _typed(value) if typed else value
    return write


def update(table_name: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """A transaction's Update from the arguments a Table.update_item call would take."""
    return {"Update": _write(table_name, request)}


def put(table_name: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """A transaction's Put from the arguments a Table.put_item call would take."""
    return {"Put": _write(table_name, request)}


def write_together(writes: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """Commit all the writes or none. None when committed; when cancelled, one code per
    write: "None" (its condition held), CONDITION_FAILED, CONFLICT, or what else failed."""
    if not 0 < len(writes) <= MAX_WRITES:
        raise ValueError(f"a transaction takes 1 to {MAX_WRITES} writes, not {len(writes)}")
    try:
        aws.client("dynamodb").transact_write_items(TransactItems=list(writes))
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        reasons = error.response.get("CancellationReasons") or []
        if len(reasons) != len(writes):
            raise
        return [str(reason.get("Code", "None")) for reason in reasons]
    return None
