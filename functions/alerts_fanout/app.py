"""Alerts fan-out: one change -> who to tell (in waves for restocks), queued for sending."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.fanout import handle_queue
from tailor.observability import entrypoint


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_queue(event, context)
