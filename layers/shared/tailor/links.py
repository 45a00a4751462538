"""Signed links: what a customer can click carries an HMAC, so nothing can be forged or reused.

A token is `base64url(json payload) "." base64url(HMAC-SHA256(key, purpose "." payload))`.
The purpose is part of what is signed, so an offer token can never unlock a preference page.
Keys live in Secrets Manager; the secret is fetched once and cached for a few minutes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tailor import clock

MAX_TOKEN_LENGTH = 2048

# What a token may unlock; signed into the MAC so one purpose never opens another.
OFFER_PURPOSE = "offer"
PREFERENCES_PURPOSE = "preferences"
# One-click unsubscribe (List-Unsubscribe): can only ever unsubscribe.
UNSUBSCRIBE_PURPOSE = "unsubscribe"
OPT_IN_PURPOSE = "newsletter-optin"


class InvalidToken(ValueError):
    """The token was not issued by us for this purpose (forged, truncated, malformed)."""


class ExpiredToken(InvalidToken):
    """The token is genuine but its time is up."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__("this link has expired")
        self.payload = payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("signing key must be at least 32 bytes")
        self._key = key

    def _mac(self, purpose: str, body: str) -> str:
        digest = hmac.new(self._key, f"{purpose}.{body}".encode(), hashlib.sha256).digest()
        return _b64(digest)

    def sign(
        self, purpose: str, payload: Mapping[str, Any], expires_at: datetime | None = None
    ) -> str:
        claims = dict(payload)
        if expires_at is not None:
            claims["exp"] = int(expires_at.timestamp())
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(purpose, body)}"

    def verify(self, purpose: str, token: object, now: datetime | None = None) -> dict[str, Any]:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("missing or oversized token")
        body, dot, mac = token.partition(".")
        if not dot or not hmac.compare_digest(mac, self._mac(purpose, body)):
            raise InvalidToken("signature does not match")
        try:
            claims = json.loads(_unb64(body))
        except (binascii.Error, ValueError) as error:
            raise InvalidToken("token payload is malformed") from error
        if not isinstance(claims, dict):
            raise InvalidToken("token payload is malformed")
        expires = claims.get("exp")
        moment = (now or clock.now()).timestamp()
        if isinstance(expires, int) and moment >= expires:
            raise ExpiredToken(claims)
        return claims


def signer_from_secret(secret_id: str) -> Signer:
    """The signer keyed by the Secrets Manager secret (cached by Powertools for 5 minutes)."""
    from aws_lambda_powertools.utilities import parameters

    secret = parameters.get_secret(secret_id, max_age=300)
    if isinstance(secret, bytes):
        return Signer(secret)
    return Signer(str(secret).encode())
