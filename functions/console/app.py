"""Staff console (function URL): sign-in by mailed link, the support desk's inbox and tickets,
the copy of every email and the results of each email type."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.aftercare.config import AftercareSettings
from tailor.attribution.config import AttributionSettings
from tailor.console.app import handle
from tailor.console.auth import ConsoleSettings
from tailor.observability import entrypoint
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, Settings
from tailor.support.config import SupportSettings

NEEDS = (
    Settings.require(*SENDS_TRANSACTIONAL_MAIL, "profiles_table", "event_bus_name", "copy_bucket")
    + SupportSettings.require("tickets_table", "mail_bucket")
    + ConsoleSettings.require("console_table")
    + AftercareSettings.require("aftercare_table")
    + AttributionSettings.require("results_table")
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event)
