"""SES feedback: bounces and complaints keep the sender's reputation (and inbox placement).

A hard bounce or a complaint suppresses the address, in the profile and on the SES
account suppression list; a complaint also unsubscribes every marketing topic at once.
Soft bounces are counted, and suppress the address after repeated failures; a delivery
resets the count. SES events arrive on the default bus through the configuration sets'
EventBridge destinations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, ValidationError

from tailor import addresses, aws, consent
from tailor.events.inbound import InvalidEvent, envelope
from tailor.idempotency import once
from tailor.observability import logger
from tailor.profiles import Profile, Profiles
from tailor.settings import get_settings

Kind = Literal["hard_bounce", "soft_bounce", "complaint", "delivery"]

DETAIL_TYPES = {
    "Email Bounced": "Bounce",
    "Email Complaint Received": "Complaint",
    "Email Delivered": "Delivery",
}


class Feedback(BaseModel):
    """One SES feedback event, reduced to what changes a profile."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    message_id: str
    kind: Kind
    recipients: tuple[str, ...]


def parse(event: Any) -> Feedback | None:
    """The feedback in an SES event, None for event types that change nothing."""
    env = envelope(event)
    expected = DETAIL_TYPES.get(env.detail_type)
    if expected is None:
        logger.info("SES event ignored", extra={"detail_type": env.detail_type})
        return None
    detail = env.detail
    try:
        message_id = str(detail["mail"]["messageId"])
        if expected == "Bounce":
            bounce = detail["bounce"]
            kind: Kind = "hard_bounce" if bounce["bounceType"] == "Permanent" else "soft_bounce"
            listed = bounce["bouncedRecipients"]
        elif expected == "Complaint":
            kind, listed = "complaint", detail["complaint"]["complainedRecipients"]
        else:
            kind, listed = (
                "delivery",
                [{"emailAddress": r} for r in detail["delivery"]["recipients"]],
            )
    except (KeyError, TypeError) as error:
        raise InvalidEvent(f"{env.detail_type} event {env.event_id}: missing {error}") from None
    recipients = tuple(
        sorted({a for a in (addresses.normalize(_address(r)) for r in listed) if a is not None})
    )
    try:
        return Feedback(message_id=message_id, kind=kind, recipients=recipients)
    except ValidationError as error:  # pragma: no cover - the fields above are typed already
        raise InvalidEvent(str(error)) from None


def _address(recipient: Any) -> Any:
    # Bounce recipients may be "Name <addr>"; addr-spec is what the profile is keyed by.
    raw = recipient.get("emailAddress") if isinstance(recipient, Mapping) else recipient
    if isinstance(raw, str) and "<" in raw and raw.endswith(">"):
        return raw[raw.rindex("<") + 1 : -1]
    return raw


@once(key="[message_id, kind, recipients]")
def apply(*, event: Feedback) -> dict[str, Any]:
    settings = get_settings()
    profiles = Profiles(settings.need("profiles_table"))
    ledger = consent.ConsentLedger(settings.need("consent_ledger_table"))
    for email in event.recipients:
        before, after = consent.update_consent(
            profiles, ledger, email, lambda p: _changed(p, event.kind, settings.soft_bounce_limit)
        )
        if after.suppressed and not before.suppressed:
            logger.warning("address suppressed", extra={"reason": after.suppressed})
            _suppress_in_ses(email, "COMPLAINT" if event.kind == "complaint" else "BOUNCE")
    return {"kind": event.kind, "recipients": len(event.recipients)}


def _changed(profile: Profile, kind: Kind, soft_bounce_limit: int) -> Profile:
    if kind == "delivery":
        return profile.model_copy(update={"soft_bounces": 0}) if profile.soft_bounces else profile
    if kind == "soft_bounce":
        count = profile.soft_bounces + 1
        suppressed = profile.suppressed or ("soft_bounces" if count >= soft_bounce_limit else None)
        return profile.model_copy(update={"soft_bounces": count, "suppressed": suppressed})
    if kind == "complaint":
        profile = consent.change(profile, consent.TOPICS, "unsubscribed", "complaint")
        return profile.model_copy(update={"suppressed": "complaint"})
    return profile.model_copy(update={"suppressed": profile.suppressed or "hard_bounce"})


def _suppress_in_ses(email: str, reason: str) -> None:
    """The account-level suppression list, where the account has it enabled."""
    try:
        aws.client("sesv2").put_suppressed_destination(EmailAddress=email, Reason=reason)
    except (ClientError, NotImplementedError) as error:  # the profile suppresses regardless
        logger.info("SES suppression list not updated", extra={"error": type(error).__name__})
