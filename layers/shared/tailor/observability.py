"""One home for logging and metrics, shared by every function.

Logs are JSON with the business key (order id, ticket id) as correlation id. Never log an
email address or a customer's name: log ids and reasons instead. Each function's
POWERTOOLS_SERVICE_NAME (set in template.yaml) is its job. Logs and metrics are billed (by
the byte, and $0.30 a month per metric and set of dimension values), so each email logs one
line (its type, and a skipped, deferred or failed one's reason or error, for Logs Insights)
and `tailor.delivery` counts it under its stream alone (EmailsSent, EmailsFailed), one EMF
document per invocation. The only other metrics are the support desk's backlog and overdue
tickets (`tailor.support.watchdog`): the health dashboard reads them all (README, "What it
costs"); results per email type live in the results table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

logger = Logger()
metrics = Metrics()

# The current invocation's context, for utilities that budget their time (idempotency).
lambda_context: ContextVar[LambdaContext | None] = ContextVar("lambda_context", default=None)

R = TypeVar("R")

# What cannot change while one invocation runs (its function's environment, so the settings
# read from it), worked out once per invocation instead of at every read.
invocation_memo: ContextVar[dict[Any, Any] | None] = ContextVar("invocation_memo", default=None)

# Run when each invocation ends, however it ends: writes batched over an invocation (the
# results counters of tailor.attribution) are made once, not once per email.
_at_invocation_end: list[Callable[[], None]] = []


def at_invocation_end(callback: Callable[[], None]) -> None:
    if callback not in _at_invocation_end:
        _at_invocation_end.append(callback)


# What Powertools adds to every line that the log group (/aws/lambda/<function>) and the
# platform's REPORT line already say: about 170 bytes a line, and logs are billed by the byte.
# The request id, the cold start and the correlation id stay.
_SAID_BY_THE_LOG_GROUP = ["function_name", "function_arn", "function_memory_size"]


def entrypoint(func: Callable[[Any, LambdaContext], R]) -> Callable[[Any, LambdaContext], R]:
    """Decorate a Lambda handler: Lambda context in logs and remembered for utilities.

    Emails are counted by `tailor.delivery` when the invocation ends; a handler that
    publishes a metric of its own with Powertools (the SLA watchdog) adds
    `@metrics.log_metrics` above it."""

    @functools.wraps(func)
    def handle(event: Any, context: LambdaContext) -> R:
        logger.remove_keys(_SAID_BY_THE_LOG_GROUP)
        token = lambda_context.set(context)
        memo = invocation_memo.set({})
        try:
            return func(event, context)
        except ClientError as error:
            # Lambda logs an uncaught error's message (and hands it to the on-failure
            # destination), and AWS's messages may quote the request: SES names the address
            # it refused. The error leaves with AWS's code and operation only.
            raise _without_message(error) from None
        finally:
            for callback in _at_invocation_end:
                callback()
            invocation_memo.reset(memo)
            lambda_context.reset(token)

    return logger.inject_lambda_context(clear_state=True)(handle)


def _without_message(error: ClientError) -> ClientError:
    """The same error (its class, code and traceback) without AWS's message."""
    answer = dict(error.response)
    answer["Error"] = {k: v for k, v in error.response.get("Error", {}).items() if k != "Message"}
    quiet = type(error)(answer, error.operation_name)  # type: ignore[arg-type]
    return quiet.with_traceback(error.__traceback__)
