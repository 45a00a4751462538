"""AWS clients and tables, created once per cold start and reused across invocations."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

# Standard retry mode backs off on throttling; if throttling persists the error propagates
# and the event is retried by Lambda, then lands on the on-failure destination.
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 6}, connect_timeout=3, read_timeout=10
)


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


@cache
def table(name: str) -> Table:
    return boto3.session.Session().resource("dynamodb", config=_CONFIG).Table(name)


def reset() -> None:
    """Forget cached clients (tests and the local cloud switch endpoints between runs)."""
    client.cache_clear()
    table.cache_clear()
