"""Alerts interests: back-in-stock and sale alert requests, wish lists, searches -> the
interests table."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.alerts.config import AlertSettings
from tailor.alerts.requests import record
from tailor.observability import entrypoint
from tailor.settings import Settings

NEEDS = Settings.require(
    "catalog_table", "profiles_table", "consent_ledger_table"
) + AlertSettings.require("interests_table")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return record(event)
