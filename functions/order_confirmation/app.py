"""Order confirmation: OrderPlaced or Shopify orders/create -> one receipt email per order."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.emails.order_confirmation import send_order_confirmation
from tailor.events.canonical import OrderPlaced
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, Settings, get_settings

NEEDS = Settings.require(
    *SENDS_TRANSACTIONAL_MAIL,
    "catalog_table",
    "copurchase_table",
    "profiles_table",
    "link_signing_secret_arn",
    "preferences_url",
    "idempotency_table",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, order = parse(event, OrderPlaced, get_settings())
    logger.set_correlation_id(order.order_id)
    return send_order_confirmation(event=order)
