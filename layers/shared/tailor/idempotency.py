"""Exactly once per business event: EventBridge and Shopify both deliver at least once.

`once(key)` wraps a function whose keyword argument `event` is a canonical model; the key
is a JMESPath into it (e.g. `order_id`). The record lives in the idempotency table with a
TTL; a failure deletes it so a retry can try again, a success makes every replay a no-op.
The persistence layer is built on first call (not at import, so tests and the local cloud
can set the environment first) and once per decorated function, as Powertools requires.

`Deferred` lives here, not with `tailor.delivery` which raises it: functions that never send
an email (catalog and profile sync, the recorders) use `once` without loading the renderer.

The idempotency record alone cannot make an email exactly once: SES may accept the email
and the "done" write fail after it; the record then stays in progress, expires, and the
retry sends again. So every email sent under `once` also gets a send record (`Sends`) in
the same table, keyed by the email type and the business event: claimed ("sending") right
before the SES call by a conditional put that hands back the record it found, marked "sent"
right after it, with a few more tries than botocore's (`aws.recorded`). An eventually
consistent read first spares a duplicate event the work of an email already out; the claim
alone decides. A retry that finds "sent" returns what was sent and sends nothing. One that
finds a claim whose invocation is over cannot know whether SES took the email; what it
does then depends on the email type:

    email type (stream)                 fate unknown on retry     why
    ---------------------------------   -----------------------   --------------------------
    order confirmation, shipping        send again                a receipt or a refund the
    confirmation, delivery update,      (at least once)           customer never gets costs
    cancellation, refund, newsletter                              more than one they get twice
    confirmation (transactional)
    review request, replenishment,      fail, never resend        a repeated promotion costs
    newsletter welcome, alerts          (at most once)            more than a missed one
    (marketing)

Failing is never silent: the function raises, so Lambda retries the event and then puts it
on the function's on-failure destination. The alerts sender, which sends many emails per
message, keeps the same rules with its own claims (`tailor.alerts.store.Claim`), written 50
to a transaction instead of one record per email.

A function whose only effect that must not repeat is its email (it reads, then calls
`deliver`) is decorated `email_once` instead: its send record alone makes it once, two
writes an email instead of four (a replay reads again and finds the email sent). `once`
stays for functions that also write state of their own.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar, cast

from botocore.exceptions import BotoCoreError, ClientError

from tailor import aws
from tailor.observability import lambda_context, logger
from tailor.settings import get_settings

# How long an unfinished send claim is held when the invocation's own end is not known
# (Lambda's longest timeout): after it, the invocation that claimed is surely over.
SEND_LEASE = timedelta(minutes=15)
SENDING, SENT = "sending", "sent"


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


class EmailInFlight(RuntimeError):
    """Another invocation is sending this email now: retry later, when it has finished."""


class EmailFateUnknown(RuntimeError):
    """An earlier attempt may or may not have sent this email, and its type must not be
    sent twice: the event fails so that it lands on the on-failure destination."""


# The business event the running `once` function handles (its idempotency key).
_event_key: ContextVar[str | None] = ContextVar("tailor_event_key", default=None)


class Sends:
    """The send record of one email of one business event (see the module docstring)."""

    def __init__(self, table_name: str, email_type: str, event_key: str, at_most_once: bool):
        self._table = aws.table(table_name)
        digest = hashlib.sha256(event_key.encode()).hexdigest()  # keys may hold addresses
        self.record_id = f"send#{email_type}#{digest}"
        self.at_most_once = at_most_once
        self._token = ""

    @classmethod
    def for_current_event(cls, email_type: str, at_most_once: bool) -> Sends | None:
        """The send record for the event the running `once` function handles, if any."""
        key = _event_key.get()
        if key is None:
            return None
        return cls(get_settings().need("idempotency_table"), email_type, key, at_most_once)

    def earlier(self, now: datetime) -> dict[str, Any] | None:
        """What an earlier attempt sent, if the table says so yet (an eventually consistent
        read: it may miss a recent claim, which `claim` then finds); raises if that cannot
        be known yet."""
        item = self._table.get_item(Key={"id": self.record_id}).get("Item")
        return None if item is None else self._judged(item, now)

    def _judged(self, item: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
        """What an earlier attempt's record means for this one: its outcome if it sent,
        None if this one may send (at least once, after the claim's lease), else raises."""
        if item["status"] == SENT:
            return dict(json.loads(str(item["outcome"])))
        if int(str(item["lease_until"])) > now.timestamp():
            raise EmailInFlight(f"{self.record_id} is being sent by another invocation")
        if self.at_most_once:
            raise EmailFateUnknown(
                f"{self.record_id}: an earlier attempt ended while sending; not sent again"
            )
        logger.warning("an earlier attempt ended while sending: sending again")
        return None

    def claim(self, now: datetime) -> dict[str, Any] | None:
        """Take the send, right before the SES call; what an earlier attempt sent instead,
        when it did (one conditional put that returns the record it found: no read)."""
        self._token = uuid.uuid4().hex
        context = lambda_context.get()
        lease = (
            timedelta(milliseconds=context.get_remaining_time_in_millis())
            if context is not None
            else SEND_LEASE
        )
        request: dict[str, Any] = {
            "Item": {
                "id": self.record_id,
                "status": SENDING,
                "token": self._token,
                "lease_until": int((now + lease).timestamp()) + 1,
                "expiration": int(
                    (now + timedelta(days=get_settings().idempotency_days)).timestamp()
                ),
            },
            "ConditionExpression": "attribute_not_exists(id)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if not self.at_most_once:  # or take over the claim of an attempt that ended mid-send
            request["ConditionExpression"] += " OR (#s = :sending AND lease_until < :now)"
            request["ExpressionAttributeNames"] = {"#s": "status"}
            request["ExpressionAttributeValues"] = {
                ":sending": SENDING,
                ":now": int(now.timestamp()),
            }
        try:
            self._table.put_item(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            found: dict[str, Any] = dict(error.response.get("Item") or {})  # type: ignore[call-overload]
            if not found:  # given back meanwhile: the next attempt starts afresh
                raise EmailInFlight(f"{self.record_id} was claimed by another invocation") from None
            record = aws.plain(found)
            if record.get("token") == self._token:  # ours: done, its answer lost, and retried
                return None
            earlier = self._judged(record, now)
            if earlier is None:  # a lease that ran out as the put was made
                raise EmailInFlight(f"{self.record_id} was claimed by another invocation") from None
            return earlier
        return None

    def sent(self, outcome: Mapping[str, Any]) -> None:
        """SES took the email: a retry must find it sent. Failing to record it is logged,
        not raised (the email is out); the retry then treats its fate as unknown."""
        try:
            aws.recorded(
                self._table.update_item,
                Key={"id": self.record_id},
                UpdateExpression="SET #s = :sent, outcome = :o REMOVE lease_until",
                ConditionExpression="#t = :token",
                ExpressionAttributeNames={"#s": "status", "#t": "token"},
                ExpressionAttributeValues={
                    ":sent": SENT,
                    ":o": json.dumps(dict(outcome)),
                    ":token": self._token,
                },
            )
        except (ClientError, BotoCoreError):
            logger.exception("email sent but not recorded as sent; a retry cannot tell")

    def unsent(self) -> None:
        """SES refused the email: give the send back so the retry sends it."""
        try:
            aws.recorded(
                self._table.delete_item,
                Key={"id": self.record_id},
                ConditionExpression="#t = :token",
                ExpressionAttributeNames={"#t": "token"},
                ExpressionAttributeValues={":token": self._token},
            )
        except (ClientError, BotoCoreError):
            logger.exception("could not give back a refused send; it frees itself after its lease")


@contextmanager
def _handling(event_key: str) -> Iterator[None]:
    token = _event_key.set(event_key)
    try:
        yield
    finally:
        _event_key.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def once(key: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the function once per value of `key` in its event (the idempotency record), and
    send each of its emails once (their send records)."""

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
            return cast(R, _handled(func, key, guarded, args, kwargs))

        return wrapper

    return decorate


def email_once(key: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Send the function's email once per value of `key` in its event, by its send record
    alone: for a function whose only effect that must not repeat is that email."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return cast(R, _handled(func, key, func, args, kwargs))

        return wrapper

    return decorate


def _handled(
    func: Callable[..., Any],
    key: str,
    run: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """`run` with the business event's key known to `Sends`; a deferral is its outcome."""
    try:
        with _handling(_event_key_of(func, key, kwargs.get("event"))):
            return run(*args, **kwargs)
    except Deferred as deferred:
        # Not done yet: nothing recorded as done, so the scheduled retry can send.
        return deferred.outcome


def _event_key_of(func: Callable[..., Any], key: str, event: Any) -> str:
    """The business event a call handles: the function and its idempotency key's value."""
    from aws_lambda_powertools.utilities.jmespath_utils import query

    data = event.model_dump(mode="json") if hasattr(event, "model_dump") else event
    value = query(data, key)
    if value is None or (isinstance(value, list) and all(v is None for v in value)):
        raise ValueError(f"the event has no {key}: it cannot be handled once")
    return f"{func.__module__}.{func.__qualname__}#{json.dumps(value)}"


def _guard(func: Callable[..., Any], key: str) -> tuple[Callable[..., Any], Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    settings = get_settings()
    # On the one session of `tailor.aws`: a layer left to make its own client starts a
    # second botocore session, loading AWS's endpoint data and models again (cold start).
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.need("idempotency_table"), boto3_client=aws.client("dynamodb")
    )
    config = IdempotencyConfig(
        event_key_jmespath=key,
        raise_on_no_idempotency_key=True,
        expires_after_seconds=settings.idempotency_days * 24 * 3600,
    )
    guarded = idempotent_function(
        data_keyword_argument="event", persistence_store=persistence, config=config
    )(func)
    return guarded, config
