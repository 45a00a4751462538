"""What an order says about a referral: the codes, attributes and landing page Shopify
records (orders/create: `discount_codes`, `note_attributes`, `landing_site`), or for a
canonical OrderPlaced its discounts. The invitation links send the friend to
`/discount/<code>?redirect=/&ref=<invitation id>`, so `landing_site` carries both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tailor.events.canonical import OrderPlaced
from tailor.referrals.codes import normalize_code
from tailor.referrals.invitations import EMAIL_TYPE as INVITATION_EMAIL
from tailor.referrals.store import Invitation, Referrals

# A storefront that keeps the invitation id in a cart attribute names it so.
REFERRAL_ATTRIBUTES = ("tailor_referral", "referral")
LANDING_PARAMETER = "ref"


def invitation_of(
    order: OrderPlaced, payload: Mapping[str, Any] | None, referrals: Referrals
) -> Invitation | None:
    """The invitation the order carries: a code first (the friend typed or applied it),
    then an attribute, then the landing page. None when it carries none of ours."""
    raw = payload or {}
    typed = [d.code for d in order.discounts]
    typed += [str(c.get("code")) for c in raw.get("discount_codes") or [] if isinstance(c, Mapping)]
    landing = urlsplit(str(raw.get("landing_site") or ""))
    if landing.path.startswith("/discount/"):
        typed.append(unquote(landing.path.removeprefix("/discount/")))
    for candidate in typed:
        code = normalize_code(candidate)
        record = referrals.code(code) if code else None
        if record is not None and record.email_type == INVITATION_EMAIL:
            return referrals.invitation(record.invitation_id)
    ids = [
        str(a.get("value"))
        for a in raw.get("note_attributes") or []
        if isinstance(a, Mapping) and a.get("name") in REFERRAL_ATTRIBUTES
    ]
    ids += parse_qs(landing.query).get(LANDING_PARAMETER, [])
    for invitation_id in ids:
        if invitation_id.isalnum() and len(invitation_id) <= 64:
            found = referrals.invitation(invitation_id)
            if found is not None:
                return found
    return None
