"""Alerts sender: delivery messages -> back-in-stock, price-drop and private-sale emails."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.config import AlertSettings
from tailor.alerts.sender import handle_queue
from tailor.observability import entrypoint
from tailor.settings import SENDS_MARKETING_MAIL, Settings

NEEDS = Settings.require(*SENDS_MARKETING_MAIL, "catalog_table") + AlertSettings.require(
    "interests_table", "private_sale_url"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_queue(event, context)
