"""Purchase history: OrderPlaced or Shopify orders/create -> what the buyer bought, in their
profile, and the co-purchase counts (aftercare_recorder remembers the order itself)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.events.canonical import OrderPlaced
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import Settings, get_settings
from tailor.sync import record_purchase

NEEDS = Settings.require(
    "catalog_table",
    "copurchase_table",
    "profiles_table",
    "consent_ledger_table",
    "idempotency_table",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, order = parse(event, OrderPlaced, get_settings())
    logger.set_correlation_id(order.order_id)
    return record_purchase(event=order)
