"""Support SLA watchdog (scheduled): overdue and soon-due tickets -> the lead's digest, metrics."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint, metrics
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, Settings
from tailor.support.config import SupportSettings
from tailor.support.watchdog import watch

NEEDS = Settings.require(*SENDS_TRANSACTIONAL_MAIL) + SupportSettings.require("tickets_table")


@metrics.log_metrics
@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return watch()
