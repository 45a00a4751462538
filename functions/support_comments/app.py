"""Support comments: SES receipt for the comments address -> moderated, published if approved."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint, metrics
from tailor.support.events import mail_received
from tailor.support.feedback import comment_received


@metrics.log_metrics
@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return comment_received(event=mail_received(event))
