"""The aftercare functions' settings: the environment every function shares, plus their own.

Read and validated once per distinct environment at cold start, failing like
`tailor.settings.Settings` does: a missing or malformed variable names itself.
"""

from __future__ import annotations

from pydantic import Field

from tailor.discounts import DiscountSetting
from tailor.settings import Settings


class AftercareSettings(Settings):
    aftercare_table: str = ""
    aftercare_schedule_group: str = ""
    review_request_function_arn: str = ""
    replenishment_function_arn: str = ""
    review_delay_days: int = Field(default=7, ge=1, le=90)
    review_form_url: str = Field(default="", pattern=r"^$|^https?://\S+$")
    reminder_hour: int = Field(default=10, ge=0, le=23)
    # The come-back code's discount off the next order ("10%"); none: no code.
    come_back_offer: DiscountSetting = None
    come_back_days: int = Field(default=60, ge=1, le=365)
    return_days: int = Field(default=30, ge=0, le=365)
    returns_url: str = Field(default="", pattern=r"^$|^https?://\S+$")
    # The "tell a friend" page, linked from the shipping confirmation (tailor.referrals).
    referral_page_url: str = Field(default="", pattern=r"^$|^https?://\S+$")


def get_aftercare_settings() -> AftercareSettings:
    return AftercareSettings.current()
