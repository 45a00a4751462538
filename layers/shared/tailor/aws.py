"""AWS clients and tables, created once per cold start and reused across invocations."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider
    from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource, Table

# Adaptive retry mode backs off on throttling (SES's sending rate, DynamoDB's capacity) and
# slows this client down while it lasts; if throttling persists the error propagates and
# the event is retried by Lambda, then lands on the on-failure destination.
_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=3, read_timeout=10
)
# A write that records what already happened (an email SES accepted, a claim to give back)
# is worth more tries than botocore's: losing it would send the email twice or never.
RECORD_ATTEMPTS = 6


@cache
def _session() -> boto3.session.Session:
    # One session: each new one would load every service model from disk again.
    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    made = _session().client(service, config=_CONFIG)  # type: ignore[call-overload]
    if service == "sesv2":
        made.meta.events.register_first("needs-retry.sesv2.SendEmail", _no_resend)
    return made


def _no_resend(caught_exception: Exception | None = None, **_: Any) -> bool | None:
    """A send whose answer never came (a read timeout, a dropped connection) may have gone
    out: botocore must not send it again. The caller decides, by the email's type, whether
    an email of unknown fate is sent again (see `tailor.idempotency`). Errors SES answered,
    throttling among them, and failures to connect are retried as usual."""
    return False if isinstance(caught_exception, HTTPClientError) else None


@cache
def secrets() -> SecretsProvider:
    """Powertools' secrets provider (and its cache) on this module's session: a provider
    left to make its own starts a second botocore session, which loads AWS's endpoint
    data and service models from disk all over again on the cold start."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=client("secretsmanager"))


@cache
def _dynamodb() -> DynamoDBServiceResource:
    return _session().resource("dynamodb", config=_CONFIG)


@cache
def table(name: str) -> Table:
    return _dynamodb().Table(name)


def written(write: Callable[..., Any], **request: Any) -> bool:
    """Run a conditional write (put, update or delete); False when its condition failed."""
    try:
        write(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's wire form as the table resource's Python values: the item a
    failed condition hands back (`ReturnValuesOnConditionCheckFailure`) is left as it came."""
    from boto3.dynamodb.types import TypeDeserializer

    deserialize = TypeDeserializer().deserialize
    return {name: deserialize(value) for name, value in item.items()}


def counted(dynamo_table: Table, key: Mapping[str, Any], limit: int, expires_at: int) -> bool:
    """Add one to the item's `count` unless it has reached `limit` (atomically: concurrent
    callers cannot overshoot); False then. The item expires by TTL at `expires_at`."""
    return written(
        dynamo_table.update_item,
        Key=dict(key),
        UpdateExpression="ADD #c :one SET expires_at = :ttl",
        ConditionExpression="attribute_not_exists(#c) OR #c < :limit",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": 1, ":limit": limit, ":ttl": expires_at},
    )


def recorded(write: Callable[..., Any], **request: Any) -> bool:
    """`written`, tried again with backoff when AWS fails: for the writes that record what
    already happened, which a retry of the whole event cannot redo."""
    for attempt in range(RECORD_ATTEMPTS):
        try:
            return written(write, **request)
        except (ClientError, BotoCoreError):
            if attempt == RECORD_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.1 * 2**attempt))  # noqa: S311 (jitter, not secrets)
    raise AssertionError("unreachable")


def batch_get(
    dynamo_table: Table, keys: Sequence[Mapping[str, Any]], consistent: bool = False
) -> Iterator[dict[str, Any]]:
    """The items at `keys`, 100 to a BatchGetItem call, asking again for unprocessed keys."""
    name = dynamo_table.name
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {
            name: {"Keys": list(keys[start : start + 100]), "ConsistentRead": consistent}
        }
        while request:
            response = dynamo_table.meta.client.batch_get_item(RequestItems=request)
            yield from response["Responses"].get(name, [])
            request = response.get("UnprocessedKeys") or {}


_made_for: str | None = None


def reset() -> None:
    """Forget cached clients when the endpoint changed (the local cloud switches between an
    in-process and a server endpoint); otherwise keep them, as a warm Lambda would."""
    global _made_for
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if endpoint == _made_for:
        return
    _made_for = endpoint
    for cached in (_session, client, secrets, _dynamodb, table):
        cached.cache_clear()
