"""Support reply: TicketReplyRequested -> the agent's reply, threaded under the customer's mail."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, Settings, get_settings
from tailor.support.config import SupportSettings
from tailor.support.events import TicketReplyRequested
from tailor.support.reply import send_reply

NEEDS = Settings.require(
    *SENDS_TRANSACTIONAL_MAIL, "profiles_table", "idempotency_table"
) + SupportSettings.require("tickets_table", "mail_bucket")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, request = parse(event, TicketReplyRequested, get_settings())
    logger.set_correlation_id(request.ticket_id)
    return send_reply(event=request)
