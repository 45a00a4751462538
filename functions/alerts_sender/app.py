"""Alerts sender: delivery messages -> back-in-stock, price-drop and private-sale emails."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.config import AlertSettings
from tailor.alerts.sender import handle_queue
from tailor.observability import entrypoint, metrics
from tailor.settings import Settings

NEEDS = Settings.require(
    "catalog_table",
    "profiles_table",
    "marketing_configuration_set",
    "preferences_url",
    "link_signing_secret_arn",
    "scheduler_role_arn",
) + AlertSettings.require("interests_table", "private_sale_url")


@metrics.log_metrics
@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_queue(event, context)
