"""Claiming a message's recipients together: one DynamoDB transaction for up to 50 of them.

Before an alert goes out, two guarded writes are made for its recipient: the claim that
keeps this change from telling them twice, and their frequency-cap slot. One by one that
is two calls per email; together, 100 writes to a TransactWriteItems call, it is one call
per 50 emails. A cancelled transaction says which condition failed: a recipient someone
else claimed is dropped (told, or being told, already), one whose profile changed since it
was read goes back to the one-at-a-time path, which reads it again; the rest are tried
again together.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from tailor import transactions
from tailor.profiles import MarketingSlot, Profile, Profiles

PER_CALL = transactions.MAX_WRITES // 2  # a claim and a slot per recipient
ATTEMPTS = 5
_NONE = "None"


class Held(Enum):
    CLAIMED = "claimed"  # the claim and the slot are this sender's: send
    TAKEN = "taken"  # someone else claimed the recipient for this change: nothing to do
    CHANGED = "changed"  # the profile changed since it was read: decide again, alone


class ClaimsFailed(RuntimeError):
    """DynamoDB refused the claims for a reason other than a condition: retry the message."""


@dataclass(frozen=True)
class Ask:
    claim: Mapping[str, Any]  # the claim's transaction write
    profile: Profile  # read with a consistent read; the policy said send

    def slot(self, now: datetime) -> MarketingSlot:
        return MarketingSlot(self.profile.email, now, self.profile.last_marketing_epoch)


def claim_together(asks: Sequence[Ask], profiles: Profiles, now: datetime) -> list[Held]:
    """Claim every asked recipient and their slot, PER_CALL to a transaction; one result
    per ask. A customer asked for twice is claimed once here (a transaction may write an
    item once); the second ask is CHANGED, and the cap defers it."""
    results: list[Held] = [Held.CHANGED] * len(asks)
    first: dict[str, int] = {}
    for number, ask in enumerate(asks):
        first.setdefault(ask.profile.email, number)
    pending = sorted(first.values())
    for start in range(0, len(pending), PER_CALL):
        _claim_chunk(asks, pending[start : start + PER_CALL], profiles, now, results)
    return results


def _claim_chunk(
    asks: Sequence[Ask], chunk: list[int], profiles: Profiles, now: datetime, results: list[Held]
) -> None:
    for attempt in range(ATTEMPTS):
        writes = [
            write
            for number in chunk
            for write in (asks[number].claim, profiles.slot_write(asks[number].profile, now))
        ]
        codes = transactions.write_together(writes)
        if codes is None:
            for number in chunk:
                results[number] = Held.CLAIMED
            return
        again: list[int] = []
        for position, number in enumerate(chunk):
            claim, slot = codes[2 * position], codes[2 * position + 1]
            if claim == transactions.CONDITION_FAILED:
                results[number] = Held.TAKEN
            elif slot == transactions.CONDITION_FAILED:
                results[number] = Held.CHANGED
            elif {claim, slot} <= {_NONE, transactions.CONFLICT}:
                again.append(number)
            else:
                raise ClaimsFailed(f"claims refused: {claim} / {slot}")
        if not again:
            return
        if transactions.CONFLICT in codes:
            time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 (jitter, not secrets)
        chunk = again
    raise ClaimsFailed(f"claims kept conflicting with other writers after {ATTEMPTS} attempts")
