"""The referral links: signed with the shop's key ring (`tailor.links.Signer`), each with a
purpose of its own, so one never opens another page.

* the share link, personal to a customer who has ordered: opens their "tell a friend" page;
* the form token, good for one submission of that page (a nonce) within a few hours;
* the invitation link, which the friend follows to the shop with their code applied.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from tailor.links import Signer

SHARE_PURPOSE = "referral-share"
FORM_PURPOSE = "referral-form"
INVITATION_PURPOSE = "referral-invitation"
FORM_HOURS = 6


def share_url(page_url: str, signer: Signer, email: str, customer_id: str | None) -> str:
    claims = {"e": email, **({"c": customer_id} if customer_id else {})}
    return f"{page_url.rstrip('/')}/?t={quote(signer.sign(SHARE_PURPOSE, claims))}"


def form_token(signer: Signer, share: dict[str, Any], now: datetime) -> str:
    """The hidden field of one rendering of the form: the share claims and a fresh nonce."""
    claims = {"e": share["e"], "n": secrets.token_urlsafe(12)}
    if share.get("c"):
        claims["c"] = share["c"]
    return signer.sign(FORM_PURPOSE, claims, now + timedelta(hours=FORM_HOURS))


def invitation_url(page_url: str, signer: Signer, invitation_id: str) -> str:
    token = signer.sign(INVITATION_PURPOSE, {"i": invitation_id})
    return f"{page_url.rstrip('/')}/r?t={quote(token)}"
