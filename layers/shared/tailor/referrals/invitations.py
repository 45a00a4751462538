"""Inviting a friend: the rules an invitation must pass, its code, and the email's context.

An invitation is issued only when the friend is neither the referrer (same address or
customer id) nor an existing customer, has not been invited before (first link wins), and
the referrer has invitations left for the day. Each refusal is stored with its reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tailor import copy, discounts
from tailor.catalog import Catalog, product_page
from tailor.links import Signer
from tailor.profiles import Profile
from tailor.referrals import tokens
from tailor.referrals.config import ReferralSettings
from tailor.referrals.store import (
    EXISTING_CUSTOMER,
    SELF_REFERRAL,
    Invitation,
    Referrals,
    Refused,
)

EMAIL_TYPE = "referral_invitation"
MAX_ITEMS = 3


def invite(
    referrals: Referrals,
    *,
    referrer: str,
    referrer_customer_id: str | None,
    friend: str,
    friend_profile: Profile | None,
    locale: str,
    now: datetime,
    per_day: int,
) -> Invitation | Refused:
    """The invitation, issued and recorded with its code, or the reason it was refused."""
    facts = referrals.customer(friend)
    about = {"referrer_customer_id": referrer_customer_id or ""}
    if friend == referrer or (referrer_customer_id and referrer_customer_id in facts.customer_ids):
        return referrals.refuse(referrer, SELF_REFERRAL, now, **about)
    if facts.order_ids or (friend_profile is not None and friend_profile.order_ids):
        return referrals.refuse(referrer, EXISTING_CUSTOMER, now, **about)
    return referrals.issue_invitation(
        referrer=referrer,
        referrer_customer_id=referrer_customer_id,
        friend=friend,
        locale=locale,
        now=now,
        per_day=per_day,
        email_type=EMAIL_TYPE,
    )


def items_bought(referrer: Profile | None, settings: ReferralSettings) -> list[dict[str, Any]]:
    """What the referrer bought most recently, as the catalog shows it (at most 3)."""
    if referrer is None or not referrer.purchases:
        return []
    recent = sorted(referrer.purchases, key=lambda p: referrer.purchases[p].last_bought_at)
    wanted = list(reversed(recent))[:MAX_ITEMS]
    products = Catalog(settings.need("catalog_table")).get_many(wanted)
    return [
        {"title": products[pid].title, "url": product_page(products[pid], settings)}
        for pid in wanted
        if pid in products
    ]


def invitation_context(
    invitation: Invitation,
    *,
    referrer_name: str,
    note: str | None,
    items: list[dict[str, Any]],
    settings: ReferralSettings,
    signer: Signer,
) -> dict[str, Any]:
    locale = copy.resolve_locale(invitation.locale, settings.default_locale)
    return {
        "shop": {"name": settings.shop_name, "url": settings.shop_base_url},
        "brand": settings.brand(),
        "lang": copy.resolve_language(invitation.locale, settings.default_locale),
        "locale": locale,
        "referrer_name": referrer_name,
        "note": note,
        "offer": discounts.wording(
            settings.referral_offer, "first_order", settings.shop_currency, locale
        ),
        "code": invitation.code,
        "link": tokens.invitation_url(
            settings.need("referral_page_url"), signer, invitation.invitation_id
        ),
        "items": items,
    }
