"""Delivery update: OrderDelivered or Shopify fulfillment_events/create -> a short note when
a shipment is out for delivery or delivered (delivery also schedules the review request)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.emails.shipping import send_delivery_update
from tailor.events.fulfillment import OrderDelivered
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, get_settings

NEEDS = AftercareSettings.require(
    *SENDS_TRANSACTIONAL_MAIL,
    "aftercare_table",
    "profiles_table",
    "catalog_table",
    "aftercare_schedule_group",
    "scheduler_role_arn",
    "review_request_function_arn",
    "idempotency_table",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, delivered = parse(event, OrderDelivered, get_settings())
    logger.set_correlation_id(delivered.order_id)
    return send_delivery_update(event=delivered)
