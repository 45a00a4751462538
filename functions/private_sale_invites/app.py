"""Private sale invites: PrivateSaleStarted -> one invitation per wish-list holder, queued."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.config import AlertSettings
from tailor.alerts.fanout import plan_private_sale
from tailor.events.inbound import parse
from tailor.events.interests import PrivateSaleStarted
from tailor.observability import entrypoint, logger
from tailor.settings import Settings, get_settings

NEEDS = Settings.require("idempotency_table") + AlertSettings.require(
    "interests_table", "alerts_delivery_queue_url"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, sale = parse(event, PrivateSaleStarted, get_settings())
    logger.set_correlation_id(sale.sale_id)
    return plan_private_sale(event=sale)
