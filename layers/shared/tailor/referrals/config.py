"""Refer a friend: the settings every referral function reads (parameters in template.yaml)."""

from __future__ import annotations

from pydantic import Field

from tailor.settings import Settings


class ReferralSettings(Settings):
    # The shop's new-customer offer, in its words ("15% off your first order"); empty: the
    # invitation names no offer (its code is still issued and recorded).
    referral_offer: str = Field(default="", max_length=200)
    # What the referrer earns, in the shop's words ("$10 off your next order").
    referral_reward_offer: str = Field(default="", max_length=200)
    referrals_table: str = ""
    # The "tell a friend" page and the friend's landing link (a function URL).
    referral_page_url: str = Field(default="", pattern=r"^$|^https?://\S+$")
    referral_invites_per_day: int = Field(default=5, ge=1, le=100)
    referral_rewards_per_month: int = Field(default=5, ge=0, le=1000)
    # The return window: a reward is released this long after the friend's order.
    referral_reward_delay_days: int = Field(default=30, ge=0, le=365)
    aftercare_schedule_group: str = ""
