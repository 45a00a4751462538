"""Alerts catalog stream: the catalog table's stream -> restocks, price drops and sales, queued."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.changes import handle_stream
from tailor.alerts.config import AlertSettings
from tailor.observability import entrypoint

NEEDS = AlertSettings.require("interests_table", "alerts_fanout_queue_url")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_stream(event, context)
