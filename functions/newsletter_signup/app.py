"""Newsletter signup: NewsletterSignupRequested -> the double opt-in confirmation email."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.emails.newsletter import send_confirmation
from tailor.events.canonical import NewsletterSignupRequested
from tailor.events.inbound import parse
from tailor.observability import entrypoint
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, Settings, get_settings

NEEDS = Settings.require(
    *SENDS_TRANSACTIONAL_MAIL,
    "profiles_table",
    "consent_ledger_table",
    "link_signing_secret_arn",
    "preferences_url",
    "idempotency_table",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, signup = parse(event, NewsletterSignupRequested, get_settings())
    return send_confirmation(event=signup)
