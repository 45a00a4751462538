"""Aftercare recorder: OrderPlaced or Shopify orders/create -> the order remembered for the
emails after it, and replenishment reminders scheduled for what wears out."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.aftercare.orders import remember_order
from tailor.events.canonical import OrderPlaced
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import get_settings

NEEDS = AftercareSettings.require(
    "aftercare_table",
    "catalog_table",
    "profiles_table",
    "aftercare_schedule_group",
    "scheduler_role_arn",
    "replenishment_function_arn",
    "idempotency_table",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, order = parse(event, OrderPlaced, get_settings())
    logger.set_correlation_id(order.order_id)
    return remember_order(event=order)
