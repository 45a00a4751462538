"""Settings of the alert functions, from the environment template.yaml gives them.

Validated at cold start like `tailor.settings.Settings`, once per distinct environment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from tailor.settings import EnvSettings


class AlertSettings(EnvSettings):
    """Names are the upper-cased fields."""

    scope: ClassVar[str] = "alert settings"

    interests_table: str = ""
    alerts_fanout_queue_url: str = ""
    alerts_delivery_queue_url: str = ""
    private_sale_url: str = ""
    # A price counts as dropped when it falls by at least this much.
    price_drop_percent: Decimal = Field(default=Decimal(10), gt=0, lt=100)
    # Back in stock: each wave tells (units in stock x factor) subscribers, first come first
    # served, then waits this long and looks at the stock again before the next wave.
    wave_factor: Decimal = Field(default=Decimal(2), gt=0, le=100)
    wave_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    # How many subscribers one fan-out invocation reads before it hands on the rest.
    fanout_page: int = Field(default=5000, ge=100, le=100_000)
    # The email says how many are left at or below this stock.
    few_left: int = Field(default=5, ge=0, le=1000)
    # Searches stop counting as interest after this many days.
    search_days: int = Field(default=90, ge=1, le=3650)
    # "Told about this sale" marks are kept this long (at most once per product per sale).
    notified_days: int = Field(default=180, ge=1, le=3650)


def get_alert_settings() -> AlertSettings:
    return AlertSettings.current()
