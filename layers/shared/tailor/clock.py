"""The current time. TAILOR_NOW (ISO 8601) overrides it, so the local cloud's
`tailor clock advance` moves time for functions as it fires their schedules."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now() -> datetime:
    override = os.environ.get("TAILOR_NOW")
    if override:
        moment = datetime.fromisoformat(override)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)
