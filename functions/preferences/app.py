"""Preference centre (function URL): preferences page, one-click unsubscribe, double opt-in."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint
from tailor.preferences import Preferences
from tailor.settings import get_settings


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return Preferences(get_settings()).handle(event)
