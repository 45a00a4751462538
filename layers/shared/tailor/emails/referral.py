"""Refer a friend: a customer asks the shop to invite a friend, who gets one email with
the shop's new-customer offer and a code made for this invitation alone.

The friend is not a customer and gave no consent: the invitation is sent because the
customer asked for it, once, and nothing follows it. No profile is created for the
friend; a stored one (the friend may be a customer already) only lets the sending policy
skip a suppressed address. The referrer's name and note are the customer's words, shown
as text. The rules an invitation must pass are `tailor.referrals.invitations`'.
"""

from __future__ import annotations

from typing import Any

from tailor import addresses, clock, i18n
from tailor.attribution import register_code
from tailor.delivery import deliver, skipped
from tailor.events.canonical import ReferralInvitationRequested
from tailor.idempotency import once
from tailor.links import signer_from_secret
from tailor.profiles import Profile, Profiles
from tailor.referrals.config import ReferralSettings
from tailor.referrals.invitations import EMAIL_TYPE, invitation_context, invite, items_bought
from tailor.referrals.store import Referrals, Refused

__all__ = ["EMAIL_TYPE", "ReferralSettings", "send_referral_invitation"]


@once(key="[referrer_email, friend_email, requested_at]")
def send_referral_invitation(*, event: ReferralInvitationRequested) -> dict[str, Any]:
    settings = ReferralSettings.current()
    friend = addresses.normalize(event.friend_email)
    if friend is None:
        return skipped(EMAIL_TYPE, "no valid email address for the friend")
    referrer = addresses.normalize(event.referrer_email)
    if referrer is None:
        return skipped(EMAIL_TYPE, "no valid email address for the referrer")
    profiles = Profiles(settings.need("profiles_table"))
    known = profiles.get(friend)
    issued = invite(
        Referrals(settings.need("referrals_table")),
        referrer=referrer,
        referrer_customer_id=event.referrer_customer_id,
        friend=friend,
        friend_profile=known,
        locale=str(i18n.parse_locale(event.locale, settings.default_locale)),
        now=clock.now(),
        per_day=settings.referral_invites_per_day,
    )
    if isinstance(issued, Refused):
        return skipped(EMAIL_TYPE, issued.reason)
    items = items_bought(profiles.get(referrer), settings) if event.include_items else []
    context = invitation_context(
        issued,
        referrer_name=event.referrer_name,
        note=event.note,
        items=items,
        settings=settings,
        signer=signer_from_secret(settings.need("link_signing_secret_arn")),
    )
    # An order carrying the code is then attributed to this invitation.
    register_code(issued.code, issuer="referral", email_type=EMAIL_TYPE, lang=context["lang"])
    return deliver(EMAIL_TYPE, context, known or Profile(email=friend))
