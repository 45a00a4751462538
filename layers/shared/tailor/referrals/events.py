"""The referral events Tailor makes itself: the friend responded (the landing page
publishes it), and a reward is due (an EventBridge Scheduler schedule delivers it)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from tailor.events.canonical import Model

SOURCE = "tailor.referrals"


class ReferralResponded(Model):
    """The friend opened the invitation's link."""

    detail_type: ClassVar[str] = "ReferralResponded"

    invitation_id: str = Field(min_length=1, max_length=64)
    responded_at: AwareDatetime


class ReferralRewardDue(Model):
    """The friend's order has outlived the return window: the referrer's reward is due."""

    detail_type: ClassVar[str] = "ReferralRewardDue"

    order_id: str = Field(min_length=1, max_length=64)
