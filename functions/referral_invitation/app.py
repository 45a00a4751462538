"""Referral invitation: ReferralInvitationRequested -> one email to the friend."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.emails.referral import ReferralSettings, send_referral_invitation
from tailor.events.canonical import ReferralInvitationRequested
from tailor.events.inbound import parse
from tailor.observability import entrypoint
from tailor.settings import SENDS_TRANSACTIONAL_MAIL, get_settings

NEEDS = ReferralSettings.require(
    *SENDS_TRANSACTIONAL_MAIL,
    "profiles_table",
    "catalog_table",
    "idempotency_table",
    "referrals_table",
    "referral_page_url",
    "link_signing_secret_arn",
)


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, invitation = parse(event, ReferralInvitationRequested, get_settings())
    return send_referral_invitation(event=invitation)
