"""Replenishment reminder: the ReplenishmentDue event a purchase scheduled -> a reorder link
in the size they bought, unless they bought it again since."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.emails.replenishment import send_replenishment_reminder
from tailor.events.fulfillment import ReplenishmentDue
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_MARKETING_MAIL, get_settings

NEEDS = AftercareSettings.require(
    *SENDS_MARKETING_MAIL, "aftercare_table", "catalog_table", "idempotency_table"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, due = parse(event, ReplenishmentDue, get_settings())
    logger.set_correlation_id(due.order_id)
    return send_replenishment_reminder(event=due, raw=event)
