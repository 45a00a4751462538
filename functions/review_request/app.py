"""Review request: the ReviewDue event a delivery scheduled -> "how is it working out?"."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.emails.review_request import send_review_request
from tailor.events.fulfillment import ReviewDue
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_MARKETING_MAIL, get_settings

NEEDS = AftercareSettings.require(
    *SENDS_MARKETING_MAIL, "aftercare_table", "catalog_table", "idempotency_table"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, due = parse(event, ReviewDue, get_settings())
    logger.set_correlation_id(due.order_id)
    return send_review_request(event=due, raw=event)
