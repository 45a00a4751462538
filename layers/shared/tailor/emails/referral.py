"""Refer a friend: a customer asks the shop to invite a friend, who gets one email with
the shop's new-customer offer.

The friend is not a customer and gave no consent: the invitation is sent because the
customer asked for it, once, and nothing follows it. No profile is created for the
friend; a stored one (the friend may be a customer already) only lets the sending policy
skip a suppressed address. The referrer's name and note are the customer's words, shown
as text.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tailor import addresses, i18n
from tailor.delivery import deliver, skipped
from tailor.events.canonical import ReferralInvitationRequested
from tailor.idempotency import once
from tailor.profiles import Profile, Profiles
from tailor.settings import Settings

EMAIL_TYPE = "referral_invitation"


class ReferralSettings(Settings):
    # The shop's new-customer offer, in its words ("15% off your first order with code
    # FRIEND15"); empty: the invitation names no offer.
    referral_offer: str = Field(default="", max_length=200)


@once(key="[referrer_email, friend_email, requested_at]")
def send_referral_invitation(*, event: ReferralInvitationRequested) -> dict[str, Any]:
    settings = ReferralSettings.current()
    friend = addresses.normalize(event.friend_email)
    if friend is None:
        return skipped(EMAIL_TYPE, "no valid email address for the friend")
    if friend == addresses.normalize(event.referrer_email):
        return skipped(EMAIL_TYPE, "a customer cannot refer themselves")
    locale = str(i18n.parse_locale(event.locale, settings.default_locale))
    context = {
        "shop": {"name": settings.shop_name, "url": settings.shop_base_url},
        "lang": i18n.language(locale),
        "locale": locale,
        "referrer_name": event.referrer_name,
        "note": event.note,
        "offer": settings.referral_offer,
    }
    known = Profiles(settings.need("profiles_table")).get(friend)
    return deliver(EMAIL_TYPE, context, known or Profile(email=friend))
