"""Shipping confirmation: OrderShipped or Shopify fulfillments/create and /update -> one
email per shipment and tracking number."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.emails.shipping import send_shipping_confirmation
from tailor.events.fulfillment import OrderShipped
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, get_settings

NEEDS = AftercareSettings.require(
    *SENDS_TRANSACTIONAL_MAIL,
    "aftercare_table",
    "profiles_table",
    "catalog_table",
    "link_signing_secret_arn",
    "idempotency_table",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, shipped = parse(event, OrderShipped, get_settings())
    logger.set_correlation_id(shipped.order_id)
    return send_shipping_confirmation(event=shipped)
