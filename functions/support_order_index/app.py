"""Support order index: OrderPlaced or Shopify orders/create -> the order summary support shows."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.events.canonical import OrderPlaced
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import Settings, get_settings
from tailor.support.config import SupportSettings
from tailor.support.orders import index_order

NEEDS = Settings.require() + SupportSettings.require("tickets_table")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, order = parse(event, OrderPlaced, get_settings())
    logger.set_correlation_id(order.order_id)
    return index_order(order)
