"""Review moderation: ReviewSubmitted -> moderated, published as ReviewPublished if approved
(review_recorder, on the same event, stops review requests asking again)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import Settings, get_settings
from tailor.support.config import SupportSettings
from tailor.support.events import ReviewSubmitted
from tailor.support.moderation import review_submitted

NEEDS = Settings.require("idempotency_table") + SupportSettings.require(
    "tickets_table", "event_bus_name"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, review = parse(event, ReviewSubmitted, get_settings())
    logger.set_correlation_id(review.review_id)
    return review_submitted(event=review)
