"""Support inbound: SES receipt (raw mail stored in S3) -> ticket, acknowledgement."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint, metrics
from tailor.support.desk import receive
from tailor.support.events import mail_received


@metrics.log_metrics
@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return receive(event=mail_received(event))
