"""Comment moderation: SES receipt for the comments address -> moderated, published if approved."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint
from tailor.settings import Settings
from tailor.support.config import SupportSettings
from tailor.support.events import mail_received
from tailor.support.moderation import comment_received

NEEDS = Settings.require("idempotency_table") + SupportSettings.require(
    "tickets_table", "mail_bucket", "event_bus_name"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return comment_received(event=mail_received(event))
