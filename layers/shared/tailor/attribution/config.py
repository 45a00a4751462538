"""The attribution settings: the environment every function shares, plus the results table,
the click redirect's address, the click window and the holdout shares."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from tailor.email_types import EMAIL_TYPES
from tailor.settings import Settings, SettingsError


class AttributionSettings(Settings):
    results_table: str = ""
    # The click redirect's function URL; empty: links are sent as they are (not tracked).
    click_url: str = ""
    attribution_window_days: int = Field(default=5, ge=1, le=90)
    # Marketing email type -> share of customers held out of it, e.g. {"review_request": 0.1}.
    holdout_shares: dict[str, float] = Field(default_factory=dict)

    @classmethod
    def _prepare(cls, values: dict[str, Any]) -> dict[str, Any]:
        values = super()._prepare(values)
        if isinstance(values.get("holdout_shares"), str):
            try:
                values["holdout_shares"] = json.loads(values["holdout_shares"] or "{}")
            except json.JSONDecodeError as error:
                raise SettingsError(f"HOLDOUT_SHARES is not JSON: {error}") from None
        shares = values.get("holdout_shares")
        if isinstance(shares, dict):
            for email_type, share in shares.items():
                kind = EMAIL_TYPES.get(email_type)
                if kind is None or kind.topic is None:
                    raise SettingsError(
                        f"HOLDOUT_SHARES: {email_type} is not a marketing email type"
                    )
                if not isinstance(share, int | float) or not 0 <= share < 1:
                    raise SettingsError(
                        f"HOLDOUT_SHARES: {email_type} must be a share from 0 to below 1"
                    )
        return values


def get_attribution_settings() -> AttributionSettings:
    return AttributionSettings.current()
