"""Alerts sender: delivery messages -> back-in-stock, price-drop and private-sale emails."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.sender import handle_queue
from tailor.observability import entrypoint, metrics


@metrics.log_metrics
@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_queue(event, context)
