"""Refer a friend: the settings every referral function reads (parameters in template.yaml)."""

from __future__ import annotations

from pydantic import Field

from tailor.discounts import DiscountSetting
from tailor.settings import Settings


class ReferralSettings(Settings):
    # The new customer's discount on their first order ("15%", "10.00"), worded by each
    # email in its language; none: the invitation names no offer (its code is still issued).
    referral_offer: DiscountSetting = None
    # What the referrer earns off their next order, worded the same way.
    referral_reward_offer: DiscountSetting = None
    referrals_table: str = ""
    # The "tell a friend" page and the friend's landing link (a function URL).
    referral_page_url: str = Field(default="", pattern=r"^$|^https?://\S+$")
    referral_invites_per_day: int = Field(default=5, ge=1, le=100)
    referral_rewards_per_month: int = Field(default=5, ge=0, le=1000)
    # The return window: a reward is released this long after the friend's order.
    referral_reward_delay_days: int = Field(default=30, ge=0, le=365)
    aftercare_schedule_group: str = ""
