"""Support reviews: ReviewSubmitted -> moderated, published as ReviewPublished if approved."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger, metrics
from tailor.settings import get_settings
from tailor.support.events import ReviewSubmitted
from tailor.support.feedback import review_submitted


@metrics.log_metrics
@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, review = parse(event, ReviewSubmitted, get_settings())
    logger.set_correlation_id(review.review_id)
    return review_submitted(event=review)
