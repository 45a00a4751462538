"""Alerts fan-out: one change -> who to tell (in waves for restocks), queued for sending."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.config import AlertSettings
from tailor.alerts.fanout import handle_queue
from tailor.observability import entrypoint
from tailor.settings import Settings

NEEDS = Settings.require("catalog_table", "idempotency_table") + AlertSettings.require(
    "interests_table", "alerts_fanout_queue_url", "alerts_delivery_queue_url"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_queue(event, context)
