"""Delivery: the one path from an email's context to SES, through the sending policy.

Every email type calls `deliver`; nothing reaches SES around it. It renders the type's
templates, composes raw MIME, sends on the stream's configuration set, and counts and logs
the outcome by email type (ids only, never an address).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from tailor.mail import Mailer, Outgoing
from tailor.observability import logger, metrics
from tailor.profiles import Profile
from tailor.render import GMAIL_CLIP_BYTES, EmailTooLarge, Rendered, renderer
from tailor.settings import get_settings


# Given a context that rendered too large and the factor it must shrink by, a smaller one.
Shrink = Callable[[Mapping[str, Any], float], Mapping[str, Any]]


class Stream(StrEnum):
    """Transactional and marketing mail travel on separate SES configuration sets."""

    TRANSACTIONAL = "transactional"
    MARKETING = "marketing"


def skipped(email_type: str, reason: str) -> dict[str, Any]:
    logger.info("email skipped", extra={"email_type": email_type, "reason": reason})
    metrics.add_metric(name="EmailsSkipped", unit=MetricUnit.Count, value=1)
    return {"status": "skipped", "email_type": email_type, "reason": reason}


def deliver(
    email_type: str,
    stream: Stream,
    context: Mapping[str, Any],
    profile: Profile,
    *,
    name: str | None = None,
    headers: Mapping[str, str] | None = None,
    shrink: Shrink | None = None,
) -> dict[str, Any]:
    settings = get_settings()
    if stream is Stream.TRANSACTIONAL:
        configuration_set = settings.need("transactional_configuration_set")
    else:
        configuration_set = settings.need("marketing_configuration_set")
    content = _render_fitting(email_type, context, shrink)
    sent = Mailer(settings.sender_address, settings.shop_name).send(
        Outgoing(
            email_type=email_type,
            to=profile.email,
            to_name=name or profile.first_name,
            content=content,
            configuration_set=configuration_set,
            headers=headers or {},
        )
    )
    metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)
    logger.info(
        "email sent",
        extra={
            "email_type": email_type,
            "ses_message_id": sent.ses_message_id,
            "bytes": content.html_bytes,
        },
    )
    return {
        "status": "sent",
        "email_type": email_type,
        "message_id": sent.message_id,
        "ses_message_id": sent.ses_message_id,
    }


def _render_fitting(email_type: str, context: Mapping[str, Any], shrink: Shrink | None) -> Rendered:
    """Render; if Gmail would clip it, let the email type drop detail until it fits."""
    for _ in range(5):
        try:
            return renderer().render(email_type, context)
        except EmailTooLarge as error:
            if shrink is None:
                raise
            context = shrink(context, 0.9 * GMAIL_CLIP_BYTES / error.size)
    return renderer().render(email_type, context)
