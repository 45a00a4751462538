"""Links: signed tokens that cannot be forged, and the one check every URL passes before it
lands in an email's `href`/`src` or a redirect's `Location`.

A token is `kid "." base64url(json payload) "." base64url(HMAC-SHA256(key, purpose "." kid
"." payload))`. The purpose is part of what is signed, so an offer token can never unlock a
preference page; the key id names the key, so keys rotate without breaking links already
sent. Tokens signed with the legacy key (a plain-string secret, or the key named `legacy`
in a key ring) carry no key id: `payload "." HMAC(key, purpose "." payload)`, as before.
Keys live in Secrets Manager; the secret is fetched when a container starts and then once an
hour (a fetch costs 5 % of what SES charges for an email), so a new key is added an hour
before it is made current.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tailor import clock

if TYPE_CHECKING:
    from tailor.settings import Settings

MAX_TOKEN_LENGTH = 2048
KEYS_MAX_AGE_SECONDS = 3600  # how long a container signs and verifies with the keys it read
MIN_KEY_BYTES = 32
# Tokens without a key id are verified with this key (the secret before key rotation).
LEGACY_KEY_ID = "legacy"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")

# What a token may unlock; signed into the MAC so one purpose never opens another.
OFFER_PURPOSE = "offer"
PREFERENCES_PURPOSE = "preferences"
# One-click unsubscribe (List-Unsubscribe): can only ever unsubscribe.
UNSUBSCRIBE_PURPOSE = "unsubscribe"
OPT_IN_PURPOSE = "newsletter-optin"
# A tracked link in an email (tailor.attribution.clicks): a message id and link index.
CLICK_PURPOSE = "click"


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
    """Signs with the current key; verifies with any key it holds (old links keep working)."""

    def __init__(self, keys: bytes | Mapping[str, bytes], current: str = LEGACY_KEY_ID) -> None:
        ring = {LEGACY_KEY_ID: keys} if isinstance(keys, bytes) else dict(keys)
        for key_id, key in ring.items():
            if not _KEY_ID.fullmatch(key_id):
                raise ValueError(f"signing key id {key_id!r} must be 1-32 of A-Z a-z 0-9 _ -")
            if len(key) < MIN_KEY_BYTES:
                raise ValueError(f"signing key {key_id!r} must be at least {MIN_KEY_BYTES} bytes")
        if current not in ring:
            raise ValueError(f"the current signing key {current!r} is not among the keys")
        self._keys = ring
        self._current = current

    def _mac(self, key_id: str, purpose: str, body: str) -> str:
        signed = f"{purpose}.{body}" if key_id == LEGACY_KEY_ID else f"{purpose}.{key_id}.{body}"
        digest = hmac.new(self._keys[key_id], signed.encode(), hashlib.sha256).digest()
        return _b64(digest)

    def sign(
        self, purpose: str, payload: Mapping[str, Any], expires_at: datetime | None = None
    ) -> str:
        claims = dict(payload)
        if expires_at is not None:
            claims["exp"] = int(expires_at.timestamp())
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        token = f"{body}.{self._mac(self._current, purpose, body)}"
        return token if self._current == LEGACY_KEY_ID else f"{self._current}.{token}"

    def verify(self, purpose: str, token: object, now: datetime | None = None) -> dict[str, Any]:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("missing or oversized token")
        if not token.isascii():  # what we sign is ASCII; compare_digest refuses anything else
            raise InvalidToken("token has characters no token of ours has")
        parts = token.split(".")
        if len(parts) == 2:
            key_id, (body, mac) = LEGACY_KEY_ID, parts
        elif len(parts) == 3 and parts[0] != LEGACY_KEY_ID:
            key_id, body, mac = parts
        else:
            raise InvalidToken("token is malformed")
        if key_id not in self._keys:
            raise InvalidToken("token names a key we do not hold")
        if not hmac.compare_digest(mac, self._mac(key_id, purpose, body)):
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


def signer_from_text(secret: str) -> Signer:
    """A plain string is the single legacy key; a key ring is JSON:
    `{"current": "k2", "keys": {"legacy": "...", "k1": "...", "k2": "..."}}`."""
    if not secret.lstrip().startswith("{"):
        return Signer(secret.encode())
    try:
        ring = json.loads(secret)
    except json.JSONDecodeError as error:
        raise ValueError(f"the signing key ring is not JSON: {error.msg}") from None
    keys = ring.get("keys") if isinstance(ring, dict) else None
    if not isinstance(keys, dict) or not all(isinstance(k, str) for k in keys.values()):
        raise ValueError('the signing key ring needs "keys": {key id: key string}')
    current = ring.get("current")
    if not isinstance(current, str):
        raise ValueError('the signing key ring needs "current": the key id to sign with')
    return Signer({key_id: key.encode() for key_id, key in keys.items()}, current)


def signer_from_secret(secret_id: str) -> Signer:
    """The signer keyed by the Secrets Manager secret (cached by Powertools for an hour)."""
    from tailor import aws

    secret = aws.secrets().get(secret_id, max_age=KEYS_MAX_AGE_SECONDS)
    if isinstance(secret, bytes):
        return Signer(secret)
    return signer_from_text(str(secret))


# Characters no link of ours contains: markup that could leave the attribute, and the
# backslash browsers read as a slash.
_MARKUP = frozenset("\"'<>`\\")
# The markup characters and the ASCII ones `_invisible` refuses (controls, space), in one
# scan: an email has dozens of links, so checking each character on its own adds up.
_REFUSED_ASCII = re.compile("[\\x00-\\x20\\x7f" + re.escape("".join(sorted(_MARKUP))) + "]")


def safe_url(url: object) -> str | None:
    """The URL if it may land in an `href`, `src` or `Location`: absolute http(s) with a host
    (protocol-relative `//host/...` becomes https), else None. Refused: other schemes
    (javascript:, data:, vbscript:...), credentials, markup characters, and whitespace or
    control characters inside (browsers drop them, so `java<TAB>script:` would run)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if url.startswith("//"):
        url = f"https:{url}"
    if _REFUSED_ASCII.search(url) or (
        not url.isascii() and any(_invisible(char) for char in url if not char.isascii())
    ):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    return url


def _invisible(char: str) -> bool:
    # Controls, format characters (zero-width, bidi overrides) and every kind of space.
    return unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def shop_url(url: object, settings: Settings) -> str | None:
    """The URL if it is safe and on the shop's own domain: SHOP_BASE_URL's host or one of
    SHOP_DOMAINS (e.g. the shop's myshopify.com domain), else None."""
    checked = safe_url(url)
    if checked is None:
        return None
    others = (domain.strip().lower() for domain in settings.shop_domains.split(","))
    allowed = {urlsplit(settings.shop_base_url).hostname, *filter(None, others)}
    return checked if urlsplit(checked).hostname in allowed else None
