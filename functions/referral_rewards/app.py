"""Referral rewards: orders, cancellations, refunds, a friend's response or signup, and the
scheduled release -> the referrer told (referral_converted), rewarded (referral_reward)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.observability import entrypoint
from tailor.referrals.config import ReferralSettings
from tailor.referrals.rewards import handle
from tailor.settings import SENDS_TRANSACTIONAL_MAIL

NEEDS = ReferralSettings.require(
    *SENDS_TRANSACTIONAL_MAIL,
    "referrals_table",
    "profiles_table",
    "idempotency_table",
    "aftercare_schedule_group",
    "scheduler_role_arn",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context.invoked_function_arn)
