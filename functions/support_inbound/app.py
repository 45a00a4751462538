"""Support inbound: SES receipt (raw mail stored in S3) -> ticket, acknowledgement."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, Settings
from tailor.support.config import SupportSettings
from tailor.support.desk import receive
from tailor.support.events import mail_received

NEEDS = Settings.require(
    *SENDS_TRANSACTIONAL_MAIL, "profiles_table", "idempotency_table"
) + SupportSettings.require("tickets_table", "mail_bucket")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return receive(event=mail_received(event))
