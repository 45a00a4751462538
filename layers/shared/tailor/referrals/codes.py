"""Referral codes and invitation ids: random, unique, read aloud without confusion.

Unlike the come-back code (derived from the order, checkable without a database), a
referral code belongs to an invitation that is recorded anyway, so it is simply random:
`FRIEND-7KQ2-MX4D`, 8 symbols of 31 (about 40 bits), recorded with a condition that no
other code has it.
"""

from __future__ import annotations

import re
import secrets

from tailor.aftercare.coupons import ALPHABET

INVITATION_PREFIX = "FRIEND"
REWARD_PREFIX = "REWARD"
_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_CODE = re.compile(r"^[A-Z]{2,12}-[A-Z0-9]{4}-[A-Z0-9]{4}$")


def new_code(prefix: str) -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{symbols[:4]}-{symbols[4:]}"


def new_invitation_id() -> str:
    """16 symbols (80 bits): appears in landing URLs and order attributes, never guessed."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def normalize_code(typed: object) -> str | None:
    """A code as Shopify matches it (case-insensitive), or None if it cannot be one of ours."""
    if not isinstance(typed, str):
        return None
    code = typed.strip().upper()
    return code if _CODE.match(code) else None
