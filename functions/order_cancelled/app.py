"""Order cancelled: OrderCancelled or Shopify orders/cancelled -> what was cancelled and
what happens to the money."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.emails.refunds import send_cancellation
from tailor.events.fulfillment import OrderCancelled
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, get_settings

NEEDS = AftercareSettings.require(
    *SENDS_TRANSACTIONAL_MAIL, "aftercare_table", "profiles_table", "idempotency_table"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, cancelled = parse(event, OrderCancelled, get_settings())
    logger.set_correlation_id(cancelled.order_id)
    return send_cancellation(event=cancelled)
