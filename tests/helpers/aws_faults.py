"""Seeded AWS faults for the exactly-once tests, and retries as Lambda and SQS make them.

Two kinds of fault, both on SES SendEmail and on every DynamoDB call:

- per attempt: the HTTP attempt answers with a throttling error (nothing was done) or,
  from DynamoDB, an internal server error (the write may have been done: here it was), and
  botocore retries it (with its backoff, which these tests do not wait for);
- per call: the call fails as a whole, as when botocore's retries ran out; or exactly the
  Nth call of a run fails once (`fail_call`), to try every point of a function in turn;
- once, the next attempt of an operation is done and its answer lost (`answer_lost`): a
  read timeout, after which no one can know whether it was done.

The clock the functions read (TAILOR_NOW) moves on between retries, and Powertools'
idempotency records read the same clock, so a retry comes when Lambda's would: after the
failed invocation's in-progress record has expired.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import types
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.client import BaseClient
from botocore.exceptions import ClientError, ReadTimeoutError
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse
from tailor import clock

# What DynamoDB and SES answer when they shed load, as botocore receives it.
_DYNAMODB_ERRORS = (
    (
        400,
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
    (500, "InternalServerError", "Internal server error"),
)
_SES_THROTTLED = (429, "TooManyRequestsException", "Maximum sending rate exceeded.")


def _faulted(event_name: str) -> str | None:
    """Which fault family an operation belongs to: SES sends and all of DynamoDB."""
    _, service, operation = event_name.split(".", 2)
    if service == "sesv2" and operation == "SendEmail":
        return "ses"
    if service == "dynamodb":
        return "dynamodb"
    return None


class Faults:
    def __init__(
        self,
        seed: int,
        per_attempt: Mapping[str, float] | None = None,
        per_call: Mapping[str, float] | None = None,
    ) -> None:
        self.random = random.Random(seed)
        self.per_attempt = dict(per_attempt or {})
        self.per_call = dict(per_call or {})
        self.fail_call: int | None = None
        # The next attempt of this operation is done, but its answer never comes back.
        self.answer_lost: str | None = None
        self.calls = 0
        self.injected = 0
        self.on = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # The private method every operation of every client goes through.
        real_call = BaseClient._make_api_call  # type: ignore[attr-defined]
        real_answer = BotocoreStubber.__call__
        faults = self

        def answer(stubber: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
            """moto answers each HTTP attempt; a faulty one gets an error instead."""
            if event_name.endswith(f".{faults.answer_lost}"):
                faults.answer_lost = None
                faults.injected += 1
                real_answer(stubber, event_name, request, **kwargs)
                raise ReadTimeoutError(endpoint_url=request.url)
            fault = faults._attempt(event_name)
            if fault is None:
                return real_answer(stubber, event_name, request, **kwargs)
            status, code, message = fault
            if code == "InternalServerError":
                real_answer(stubber, event_name, request, **kwargs)  # done, answer lost
            return _response(status, code, message)

        def make_api_call(client: BaseClient, operation: str, params: Any) -> Any:
            service = client.meta.service_model.service_id.hyphenize()
            family = _faulted(f"call.{service}.{operation}")
            if faults.on and family is not None:
                faults.calls += 1
                if faults.calls == faults.fail_call or faults._roll(faults.per_call, family):
                    faults.injected += 1
                    raise _client_error(family, operation, faults.random)
            return real_call(client, operation, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
        monkeypatch.setattr(BotocoreStubber, "__call__", answer)
        # Backoff and client-side rate limiting would only make the test slow.
        monkeypatch.setattr(time, "sleep", lambda _seconds: None)
        monkeypatch.setattr("botocore.retries.bucket.TokenBucket.acquire", lambda *_a, **_k: True)
        _powertools_on_tailor_clock(monkeypatch)

    def _roll(self, rates: Mapping[str, float], family: str) -> bool:
        return self.random.random() < rates.get(family, 0.0)

    def _attempt(self, event_name: str) -> tuple[int, str, str] | None:
        family = _faulted(event_name)
        if not self.on or family is None or not self._roll(self.per_attempt, family):
            return None
        self.injected += 1
        return _SES_THROTTLED if family == "ses" else self.random.choice(_DYNAMODB_ERRORS)


def _response(status: int, code: str, message: str) -> AWSResponse:
    """The error as the service sends it: SES v2 names it in a header, DynamoDB in the body."""
    if code == _SES_THROTTLED[1]:
        headers = {"x-amzn-ErrorType": code, "content-type": "application/json"}
        body = {"message": message}
    else:
        headers = {"content-type": "application/x-amz-json-1.0"}
        body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}
    raw = MockRawResponse(json.dumps(body))
    return AWSResponse("https://faults.invalid", status, HTTPHeaders.from_dict(headers), raw)


def _client_error(family: str, operation: str, rng: random.Random) -> ClientError:
    _, code, message = _SES_THROTTLED if family == "ses" else rng.choice(_DYNAMODB_ERRORS)
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def _powertools_on_tailor_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Powertools dates its idempotency records from the system clock; make that TAILOR_NOW."""

    class Clocked(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clocked:
            moment = clock.now()
            return cls.fromtimestamp(moment.timestamp(), tz)

    clocked = types.SimpleNamespace(**{**vars(dt), "datetime": Clocked})
    for module in (
        "aws_lambda_powertools.utilities.idempotency.base",
        "aws_lambda_powertools.utilities.idempotency.persistence.base",
        "aws_lambda_powertools.utilities.idempotency.persistence.datarecord",
        "aws_lambda_powertools.utilities.idempotency.persistence.dynamodb",
    ):
        monkeypatch.setattr(f"{module}.dt", clocked)


# Lambda's asynchronous invocation: the first try, then two retries a minute and two later
# (MaximumRetryAttempts: 2); what still fails goes to the on-failure destination.
LAMBDA_RETRY_MINUTES = (0, 1, 2)


def retried(invoke: Callable[[], Any], monkeypatch: pytest.MonkeyPatch, start: dt.datetime) -> bool:
    """Invoke until it succeeds or Lambda's retries run out; False: the failure is reported."""
    moment = start
    for minutes in LAMBDA_RETRY_MINUTES:
        moment += dt.timedelta(minutes=minutes)
        monkeypatch.setenv("TAILOR_NOW", moment.isoformat())
        try:
            invoke()
        except Exception:  # noqa: S112 (the failed invocation is Lambda's to retry)
            continue
        return True
    return False
