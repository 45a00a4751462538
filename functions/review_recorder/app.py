"""Review recorder: ReviewSubmitted -> the product marked reviewed by that customer, so no
review request asks for it again."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.aftercare.orders import ReviewSubmitted, remember_review
from tailor.events.inbound import parse
from tailor.observability import entrypoint
from tailor.settings import get_settings

NEEDS = AftercareSettings.require("aftercare_table")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, review = parse(event, ReviewSubmitted, get_settings())
    return remember_review(review)
