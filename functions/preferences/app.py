"""Preference centre (function URL): preferences page, one-click unsubscribe, double opt-in."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint
from tailor.preferences import Preferences
from tailor.settings import Settings, get_settings

NEEDS = Settings.require(
    "profiles_table", "consent_ledger_table", "link_signing_secret_arn", "event_bus_name"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return Preferences(get_settings()).handle(event)
