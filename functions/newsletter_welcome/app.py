"""Newsletter welcome: NewsletterSubscribed -> the first marketing email, through the policy."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.emails.newsletter import send_welcome
from tailor.events.canonical import NewsletterSubscribed
from tailor.events.inbound import parse
from tailor.observability import entrypoint
from tailor.settings import SENDS_MARKETING_MAIL, Settings, get_settings

NEEDS = Settings.require(*SENDS_MARKETING_MAIL, "idempotency_table")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, subscribed = parse(event, NewsletterSubscribed, get_settings())
    return send_welcome(event=subscribed, raw=event)
