"""SES feedback: bounces, complaints and deliveries -> suppression and consent."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor import feedback
from tailor.attribution.feedback import count_ses_event
from tailor.observability import entrypoint
from tailor.settings import Settings

NEEDS = Settings.require("profiles_table", "consent_ledger_table", "idempotency_table")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    count_ses_event(event)  # the results report's delivered, bounced, complained
    parsed = feedback.parse(event)
    if parsed is None:
        return {"ignored": event.get("detail-type")}
    return feedback.apply(event=parsed)
