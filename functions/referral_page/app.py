"""Tell a friend (function URL): the customer's referral form, and the friend's landing link."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint
from tailor.referrals.config import ReferralSettings
from tailor.referrals.page import ReferralPage

NEEDS = ReferralSettings.require(
    "referrals_table", "link_signing_secret_arn", "event_bus_name", "profiles_table"
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return ReferralPage(ReferralSettings.current()).handle(event)
