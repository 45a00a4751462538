"""Order attribution: OrderPlaced or Shopify orders/create -> the email that earned the order
(an issued code, a Tailor landing site, or the last click in the window), stored once."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.attribution.config import AttributionSettings, get_attribution_settings
from tailor.attribution.orders import attribute, order_from
from tailor.events.canonical import OrderPlaced
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger

NEEDS = AttributionSettings.require("results_table", "link_signing_secret_arn")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    env, order = parse(event, OrderPlaced, get_attribution_settings())
    logger.set_correlation_id(order.order_id)
    return attribute(order_from(env, order))
