"""Exactly once per business event: EventBridge and Shopify both deliver at least once.

`once(key)` wraps a function whose keyword argument `event` is a canonical model; the key
is a JMESPath into it (e.g. `order_id`). The record lives in the idempotency table with a
TTL; a failure deletes it so a retry can try again, a success makes every replay a no-op.
The persistence layer is built on first call (not at import, so tests and the local cloud
can set the environment first) and once per decorated function, as Powertools requires.

`Deferred` lives here, not with `tailor.delivery` which raises it: functions that never send
an email (catalog and profile sync, the recorders) use `once` without loading the renderer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from tailor.observability import lambda_context
from tailor.settings import get_settings


class Deferred(Exception):
    """The email will be sent later; nothing is done yet, so nothing is recorded as done."""

    def __init__(self, email_type: str, reason: str, until: datetime) -> None:
        super().__init__(f"{email_type} deferred until {until.isoformat()} ({reason})")
        self.outcome = {
            "status": "deferred",
            "email_type": email_type,
            "reason": reason,
            "until": until.isoformat(),
            # The zone `until` is given in (the customer's, for quiet hours), for people to read.
            "time_zone": str(getattr(until.tzinfo, "key", None) or until.tzname() or "UTC"),
        }


P = ParamSpec("P")
R = TypeVar("R")


def once(key: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        guarded: Callable[..., Any] | None = None
        configs: list[Any] = []

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            nonlocal guarded
            if guarded is None:
                guarded, config = _guard(func, key)
                configs.append(config)
            context = lambda_context.get()
            if context is not None:
                configs[0].register_lambda_context(context)
            try:
                return guarded(*args, **kwargs)  # type: ignore[no-any-return]
            except Deferred as deferred:
                # Not done yet: no idempotency record, so the scheduled retry can send.
                return deferred.outcome  # type: ignore[return-value]

        return wrapper

    return decorate


def _guard(func: Callable[..., Any], key: str) -> tuple[Callable[..., Any], Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    settings = get_settings()
    persistence = DynamoDBPersistenceLayer(table_name=settings.need("idempotency_table"))
    config = IdempotencyConfig(
        event_key_jmespath=key,
        raise_on_no_idempotency_key=True,
        expires_after_seconds=settings.idempotency_days * 24 * 3600,
    )
    guarded = idempotent_function(
        data_keyword_argument="event", persistence_store=persistence, config=config
    )(func)
    return guarded, config
