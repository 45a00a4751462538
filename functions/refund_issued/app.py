"""Refund issued: RefundIssued or Shopify refunds/create -> what was refunded, how much,
and where the money goes (refunds that move no money are remembered, not mailed)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.emails.refunds import send_refund
from tailor.events.fulfillment import RefundIssued
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, get_settings

NEEDS = AftercareSettings.require(
    *SENDS_TRANSACTIONAL_MAIL, "aftercare_table", "profiles_table", "idempotency_table"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, refund = parse(event, RefundIssued, get_settings())
    logger.set_correlation_id(refund.order_id)
    return send_refund(event=refund)
