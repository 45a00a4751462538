"""Come-back codes: one per order, derived from the order id, checkable without a database.

The code is an HMAC of the order id under the link-signing key (through `Signer`, with a
purpose of its own), written in an alphabet without look-alike characters:
`THANKS-7KQ2-MX4D`. The same order always gets the same code, and a code can be checked
against the order it claims to belong to; nobody without the key can make a valid one.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tailor.links import Signer

COUPON_PURPOSE = "come-back-coupon"
PREFIX = "THANKS"
# No 0/O or 1/I/L, so a code read aloud or retyped survives: 31 symbols, 8 of them ~ 40 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Coupon:
    code: str
    expires_at: datetime


def _symbols(digest: bytes, count: int) -> str:
    number = int.from_bytes(digest[:8], "big")
    out = []
    for _ in range(count):
        number, index = divmod(number, len(ALPHABET))
        out.append(ALPHABET[index])
    return "".join(out)


def derived_code(prefix: str, purpose: str, claims: Mapping[str, str], signer: Signer) -> str:
    """`PREFIX-XXXX-XXXX`: an HMAC of the claims under the signing key, for this purpose."""
    token = signer.sign(purpose, claims)
    mac = token.rpartition(".")[2]
    symbols = _symbols(base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4)), 8)
    return f"{prefix}-{symbols[:4]}-{symbols[4:]}"


def coupon_code(order_id: str, signer: Signer) -> str:
    return derived_code(PREFIX, COUPON_PURPOSE, {"o": order_id}, signer)


def verify_coupon(code: str, order_id: str, signer: Signer) -> bool:
    """True when `code` is the come-back code of this order (case and spacing forgiven)."""
    typed = re.sub(r"[\s-]", "", code.upper())
    expected = coupon_code(order_id, signer).replace("-", "")
    return hmac.compare_digest(typed, expected)


def issue(order_id: str, since: datetime, days: int, signer: Signer) -> Coupon:
    return Coupon(coupon_code(order_id, signer), since + timedelta(days=days))
