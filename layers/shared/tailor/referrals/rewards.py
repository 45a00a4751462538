"""The friend responded or bought: the referrer is told (`referral_converted`), and after
the return window the reward follows (`referral_reward`), unless the friend's order was
cancelled or refunded in full before then.

An order counts for a referral when it carries the invitation's code, its landing link or
its attribute, and the buyer is a new customer who is not the referrer (address, customer
id, shipping address); one reward per friend, and no more a month than the shop allows.
A refund after the reward was released takes nothing back: it is recorded on the
referral and logged for the shop.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tailor import addresses, clock, discounts, i18n, zones
from tailor.aftercare.context import base as base_context
from tailor.aftercare.schedules import as_event
from tailor.attribution import register_code
from tailor.delivery import deliver, skipped
from tailor.events.canonical import NewsletterSubscribed, OrderPlaced
from tailor.events.fulfillment import OrderCancelled, RefundIssued
from tailor.events.inbound import InvalidEvent, envelope, parse
from tailor.idempotency import once
from tailor.observability import logger
from tailor.profiles import Profile, Profiles
from tailor.referrals import codes
from tailor.referrals.config import ReferralSettings
from tailor.referrals.events import SOURCE, ReferralResponded, ReferralRewardDue
from tailor.referrals.orders import invitation_of
from tailor.referrals.store import (
    EXISTING_CUSTOMER,
    PENDING,
    RELEASED,
    REVOKED,
    SELF_REFERRAL,
    Invitation,
    Referral,
    Referrals,
    Refused,
    address_fingerprint,
)
from tailor.scheduling import Schedules, schedule_name
from tailor.settings import get_settings

CONVERTED = "referral_converted"
REWARD = "referral_reward"


def _store(settings: ReferralSettings) -> Referrals:
    return Referrals(settings.need("referrals_table"))


def _ignored(reason: str) -> dict[str, Any]:
    return {"status": "ignored", "reason": reason}


# ---------------------------------------------------------------------- the friend responds
@once(key="invitation_id")
def friend_responded(*, event: ReferralResponded) -> dict[str, Any]:
    """The landing page recorded the friend's first visit: the referrer hears of it."""
    settings = ReferralSettings.current()
    invitation = _store(settings).invitation(event.invitation_id)
    if invitation is None:
        return _ignored("no such invitation")
    return _tell_referrer(invitation, "responded", settings)


@once(key="email")
def friend_signed_up(*, event: NewsletterSubscribed) -> dict[str, Any]:
    """A confirmed newsletter signup from an invited friend counts as a response."""
    settings = ReferralSettings.current()
    referrals = _store(settings)
    friend = addresses.normalize(event.email)
    invitation_id = referrals.first_invitation_to(friend) if friend else None
    if invitation_id is None or not referrals.mark_responded(invitation_id, clock.now()):
        return _ignored("not an invited friend's first response")
    invitation = referrals.invitation(invitation_id)
    return _tell_referrer(invitation, "responded", settings) if invitation else _ignored("gone")


# ---------------------------------------------------------------------- the friend buys
@once(key="order_id")
def order_placed(
    *, event: OrderPlaced, payload: Mapping[str, Any] | None, function_arn: str
) -> dict[str, Any]:
    """Every order is remembered (who has ordered, from where); one that carries an
    invitation and passes the rules becomes a pending referral, its reward scheduled."""
    settings = ReferralSettings.current()
    referrals = _store(settings)
    buyer = addresses.normalize(event.email)
    where = event.shipping_address
    fingerprint = (
        address_fingerprint(where.address1, where.address2, where.zip, where.country_code)
        if where
        else None
    )
    try:
        return _convert(event, payload, buyer, fingerprint, referrals, settings, function_arn)
    finally:
        if buyer is not None:
            referrals.record_customer(
                buyer, event.order_id, event.customer.customer_id, fingerprint
            )


def _convert(
    order: OrderPlaced,
    payload: Mapping[str, Any] | None,
    buyer: str | None,
    fingerprint: str | None,
    referrals: Referrals,
    settings: ReferralSettings,
    function_arn: str,
) -> dict[str, Any]:
    invitation = invitation_of(order, payload, referrals)
    if invitation is None:
        return _ignored("the order carries no referral")
    now = clock.now()
    counted = referrals.referral(order.order_id)
    if counted is not None:
        # An attempt that failed after recording the referral: finish it (the schedule and
        # the email are made once whatever the attempts).
        return _schedule_and_tell(order, counted, invitation, settings, function_arn, now)
    if buyer is None or order.voided_test:
        return _ignored("no buyer address, or a voided test order")
    first = referrals.first_invitation_to(buyer)
    if first is not None and first != invitation.invitation_id:
        # First link wins: the friend belongs to the invitation that reached them first.
        invitation = referrals.invitation(first) or invitation
    about = {"invitation_id": invitation.invitation_id, "order_id": order.order_id}
    referrer = referrals.customer(invitation.referrer)
    customer_id = order.customer.customer_id
    if (
        buyer == invitation.referrer
        or (
            customer_id and customer_id in {invitation.referrer_customer_id, *referrer.customer_ids}
        )
        or (fingerprint and fingerprint in referrer.addresses)
    ):
        referrals.refuse(invitation.referrer, SELF_REFERRAL, now, **about)
        return skipped(CONVERTED, SELF_REFERRAL)
    profile = Profiles(settings.need("profiles_table")).get(buyer)
    earlier = set(referrals.customer(buyer).order_ids) | set(profile.order_ids if profile else ())
    if earlier - {order.order_id}:
        referrals.refuse(invitation.referrer, EXISTING_CUSTOMER, now, **about)
        return skipped(CONVERTED, EXISTING_CUSTOMER)
    release_at = order.placed_at + timedelta(days=settings.referral_reward_delay_days)
    outcome = referrals.convert(
        invitation,
        Referral(
            order_id=order.order_id,
            invitation_id=invitation.invitation_id,
            referrer=invitation.referrer,
            friend=buyer,
            status=PENDING,
            placed_at=order.placed_at.isoformat(),
            release_at=release_at.isoformat(),
            total=order.total.amount,
            currency=order.total.currency,
        ),
        now,
        settings.referral_rewards_per_month,
    )
    if isinstance(outcome, Refused):
        return skipped(CONVERTED, outcome.reason)
    referrals.mark_responded(invitation.invitation_id, now)  # a later visit is no news
    return _schedule_and_tell(order, outcome, invitation, settings, function_arn, now)


def _schedule_and_tell(
    order: OrderPlaced,
    referral: Referral,
    invitation: Invitation,
    settings: ReferralSettings,
    function_arn: str,
    now: datetime,
) -> dict[str, Any]:
    """The reward's release scheduled (named after the order: made once), the referrer told."""
    name = schedule_name("referral", order.order_id)
    due = ReferralRewardDue(order_id=order.order_id)
    release_at = max(datetime.fromisoformat(referral.release_at), now)
    schedules = Schedules(
        settings.need("aftercare_schedule_group"), settings.need("scheduler_role_arn")
    )
    schedules.create(name, release_at, function_arn, {**as_event(due, name, now), "source": SOURCE})
    return _tell_referrer(invitation, "bought", settings, referral)


# ---------------------------------------------------------------------- the reward
@once(key="order_id")
def release_reward(*, event: ReferralRewardDue) -> dict[str, Any]:
    """The return window has passed: the pending referral's reward code is issued and sent."""
    settings = ReferralSettings.current()
    referrals = _store(settings)
    referral = referrals.referral(event.order_id)
    if referral is None:
        return _ignored("no referral for this order")
    now = clock.now()
    if referral.status == PENDING:
        code = codes.new_code(codes.REWARD_PREFIX)
        if referrals.settle(referral.order_id, RELEASED, now, reward_code=code):
            referrals.record_reward_code(referral, code, now)
        referral = referrals.referral(event.order_id) or referral
    if referral.status != RELEASED:
        return skipped(REWARD, f"the referral was {referral.status}")
    profile = Profiles(settings.need("profiles_table")).get_or_new(referral.referrer)
    context = _base(profile, settings)
    context["code"] = referral.reward_code
    if referral.reward_code:
        lang = str(context["lang"])
        register_code(referral.reward_code, issuer="referral_reward", email_type=REWARD, lang=lang)
    return deliver(REWARD, context, profile, name=profile.first_name)


@once(key="[order_id, cancelled_at]")
def order_cancelled(*, event: OrderCancelled) -> dict[str, Any]:
    return _revoke(event.order_id, "the friend's order was cancelled")


@once(key="refund_id")
def refund_issued(*, event: RefundIssued) -> dict[str, Any]:
    """A refund of the whole order revokes a pending reward; after the release it is only
    recorded, for the shop to see."""
    settings = ReferralSettings.current()
    referrals = _store(settings)
    amount = event.amount.amount if event.amount else Decimal(0)
    referral = referrals.add_refund(event.order_id, event.refund_id, amount)
    if referral is None or referral.refunded < referral.total:
        return _ignored("not a full refund of a referred order")
    return _revoke(event.order_id, "the friend's order was refunded in full")


def _revoke(order_id: str, reason: str) -> dict[str, Any]:
    settings = ReferralSettings.current()
    referrals = _store(settings)
    referral = referrals.referral(order_id)
    if referral is None:
        return _ignored("no referral for this order")
    if referrals.settle(order_id, REVOKED, clock.now(), revoked_because=reason):
        logger.info("referral reward revoked", extra={"order_id": order_id, "reason": reason})
        return {"status": REVOKED, "reason": reason}
    if referral.status == RELEASED:
        note = f"{reason} after the reward was released; nothing was taken back"
        referrals.annotate(order_id, note)
        logger.warning("referred order undone after release", extra={"order_id": order_id})
        return {"status": "recorded", "reason": note}
    return _ignored(f"the referral was {referral.status}")


# ---------------------------------------------------------------------- telling the referrer
def _base(profile: Profile, settings: ReferralSettings) -> dict[str, Any]:
    """What both emails to the referrer share, their reward worded in their language."""
    context = base_context(settings, profile.locale, profile.first_name)
    reward = settings.referral_reward_offer
    currency = settings.shop_currency
    context["offer"] = discounts.wording(reward, "next_order", currency, context["locale"])
    return context


def _tell_referrer(
    invitation: Invitation, what: str, settings: ReferralSettings, referral: Referral | None = None
) -> dict[str, Any]:
    profile = Profiles(settings.need("profiles_table")).get_or_new(invitation.referrer)
    context = _base(profile, settings)
    context["what"] = what
    if referral is not None:
        zone = zones.customer_zone(profile, settings)
        release = datetime.fromisoformat(referral.release_at)
        context["release_on"] = i18n.day(release, zone, context["locale"])
    return deliver(CONVERTED, context, profile, name=profile.first_name)


# ---------------------------------------------------------------------- one entry point
def handle(event: Mapping[str, Any], function_arn: str) -> dict[str, Any]:
    """Whatever the rules routed here (orders, cancellations, refunds, responses, signups,
    a reward falling due), parsed into its model and handed to its step."""
    settings = get_settings()
    env = envelope(event)
    kind = env.topic or env.detail_type
    if kind in (OrderPlaced.detail_type, "orders/create"):
        _, order = parse(event, OrderPlaced, settings)
        payload = env.payload if env.topic else None
        return order_placed(event=order, payload=payload, function_arn=function_arn)
    if kind in (OrderCancelled.detail_type, "orders/cancelled"):
        return order_cancelled(event=parse(event, OrderCancelled, settings)[1])
    if kind in (RefundIssued.detail_type, "refunds/create"):
        return refund_issued(event=parse(event, RefundIssued, settings)[1])
    if kind == ReferralResponded.detail_type:
        return friend_responded(event=parse(event, ReferralResponded, settings)[1])
    if kind == NewsletterSubscribed.detail_type:
        return friend_signed_up(event=parse(event, NewsletterSubscribed, settings)[1])
    if kind == ReferralRewardDue.detail_type:
        return release_reward(event=parse(event, ReferralRewardDue, settings)[1])
    raise InvalidEvent(f"{kind} event {env.event_id}: not a referral event")
