"""Delivery: the one path from an email's context to SES, through the sending policy.

Every email type calls `deliver`; nothing reaches SES around it. It asks the policy
(send, defer, skip), renders the type's templates, composes raw MIME, and sends on the
stream's configuration set. Marketing mail gets the RFC 8058 one-click unsubscribe
headers and a footer link to the preference page; a deferred email is scheduled to run
its function again later, when consent and relevance are checked anew.

Under `once` or `email_once`, every send is recorded in `idempotency.Sends` (claimed before
the SES call, marked sent after it): a retry returns what was sent instead of sending
again, and what it does when an earlier attempt's fate is unknown depends on the stream
(transactional mail is at least once, marketing at most once; see `tailor.idempotency`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any
from urllib.parse import quote, urlencode

from botocore.exceptions import BotoCoreError, ClientError

from tailor import clock, policy, samples
from tailor.attribution import clicks
from tailor.attribution import sending as attribution
from tailor.email_types import Stream, declared
from tailor.idempotency import Deferred, Sends
from tailor.links import PREFERENCES_PURPOSE, UNSUBSCRIBE_PURPOSE, signer_from_secret
from tailor.mail import Mailer, Outgoing
from tailor.observability import at_invocation_end, lambda_context, logger, metrics
from tailor.profiles import CapReached, MarketingSlot, Profile, Profiles
from tailor.render import GMAIL_CLIP_BYTES, EmailTooLarge, Rendered, renderer
from tailor.scheduling import Schedules, schedule_name
from tailor.settings import Settings, get_settings

# Given a context that rendered too large and the factor it must shrink by, a smaller one.
Shrink = Callable[[Mapping[str, Any], float], Mapping[str, Any]]


__all__ = ["Stream", "count", "deliver", "skipped"]


# What the stack counts of its emails, per stream (transactional, marketing), never per type:
# CloudWatch bills $0.30 a month for each metric and set of dimension values, so these four
# are the stack's health on the dashboard. Per type and language, the results table holds
# the day's counters (`tailor report`, the console); why an email was skipped, deferred or
# failed is its log line's (type and reason or error, for Logs Insights).
OUTCOMES = ("EmailsSent", "EmailsFailed")
DIMENSIONS = ("stream",)


def count(outcome: str, email_type: str) -> None:
    """Count one email under its type's stream; published when the invocation ends
    (`_publish_counts`)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"{outcome} is not an email outcome with a metric: {OUTCOMES}")
    _counted[declared(email_type).stream.value][outcome] += 1


# Stream -> outcome -> emails, until the invocation ends. One EMF document per stream carries
# all its outcomes' counts, not one per email: the alert sender sends hundreds an invocation,
# and each document costs log bytes.
_counted: defaultdict[str, Counter[str]] = defaultdict(Counter)


def _publish_counts() -> None:
    """Print the invocation's counts in CloudWatch's embedded metric format, under the
    stream alone (what the dashboard searches), not also the function's service or the
    email's type: each would multiply the metrics CloudWatch bills."""
    try:
        for stream, outcomes in _counted.items():
            dimensions = dict(zip(DIMENSIONS, (stream,), strict=True))
            document = {
                "_aws": {
                    "Timestamp": int(clock.now().timestamp() * 1000),
                    "CloudWatchMetrics": [
                        {
                            "Namespace": metrics.namespace,
                            "Dimensions": [list(dimensions)],
                            "Metrics": [{"Name": name, "Unit": "Count"} for name in outcomes],
                        }
                    ],
                },
                **dimensions,
                **outcomes,
            }
            print(json.dumps(document, separators=(",", ":")), flush=True)
    finally:
        _counted.clear()


at_invocation_end(_publish_counts)


def skipped(email_type: str, reason: str) -> dict[str, Any]:
    """Log why an email of a declared type is not sent: its line is its count (no metric)."""
    declared(email_type)
    logger.info("email skipped", extra={"email_type": email_type, "reason": reason})
    return {"status": "skipped", "email_type": email_type, "reason": reason}


def deliver(
    email_type: str,
    context: Mapping[str, Any],
    profile: Profile,
    *,
    name: str | None = None,
    headers: Mapping[str, str] | None = None,
    shrink: Shrink | None = None,
    retry_event: Mapping[str, Any] | None = None,
    dedupe_key: str = "",
    slot: MarketingSlot | None = None,
    requested_by_customer: bool = False,
) -> dict[str, Any]:
    """Send one email to `profile.email` if the policy allows.

    The stream, and for marketing mail the consent topic, come from the type's
    declaration in `tailor.email_types`. Marketing mail passes the event that triggered it as
    `retry_event` so a deferral can run the function again with it (`dedupe_key` keeps
    two deliveries of that event from scheduling twice). A sender that claimed many
    customers' frequency-cap slots at once passes this customer's as `slot`; it is used
    instead of claiming one here, and given back if nothing is sent. Under `once`, a
    function sends at most one email of each type per business event (its send record).
    An email the customer just asked for (`requested_by_customer`) goes out at once: see
    `policy.decide`.
    """
    kind = declared(email_type)
    stream, topic = kind.stream, kind.topic
    settings = get_settings()
    now = clock.now()
    record = Sends.for_current_event(email_type, at_most_once=stream is Stream.MARKETING)
    earlier = record.earlier(now) if record is not None else None
    if earlier is not None:
        if slot is not None:
            _profiles(settings).release_marketing(slot)
        logger.info("email sent by an earlier attempt", extra={"email_type": email_type})
        return earlier
    lang = str(context.get("lang") or "en")
    decision = policy.decide(
        profile, topic, settings, now, requested_by_customer=requested_by_customer
    )
    logger.debug(
        "sending policy",
        extra={"email_type": email_type, "action": decision.action, "reason": decision.reason},
    )
    if decision.action != "send" and slot is not None:
        _profiles(settings).release_marketing(slot)  # quiet hours began since the slot was claimed
        slot = None
    if decision.action == "skip":
        return skipped(email_type, decision.reason)
    # Only customers who would be sent it are held out, so the two groups compare.
    held_out = topic is not None and decision.action == "send"
    if held_out and attribution.held_out(profile.email, email_type, lang, now):
        if slot is not None:
            _profiles(settings).release_marketing(slot)
        return skipped(email_type, "holdout")
    if (
        decision.action == "send"
        and topic is not None
        and slot is None
        and not requested_by_customer
    ):
        try:
            slot = _profiles(settings).reserve_marketing(
                profile.email, now, settings.cap_hours(topic)
            )
        except CapReached as reached:
            decision = policy.Decision("defer", "frequency cap", reached.until)
    if decision.action == "defer":
        assert decision.until is not None
        defer(email_type, decision, retry_event, dedupe_key or profile.email, settings)
        raise Deferred(email_type, decision.reason, decision.until)

    claimed = False
    try:
        if stream is Stream.MARKETING:
            assert topic is not None
            links = _manage_links(profile.email, topic, settings, (email_type, lang))
            context = {**context, "manage": links}
            headers = {**(headers or {}), **_unsubscribe_headers(links, settings)}
            configuration_set = settings.need("marketing_configuration_set")
        else:
            configuration_set = settings.need("transactional_configuration_set")
        content = _render_fitting(
            email_type,
            context,
            shrink,
            lambda c: clicks.track(email_type, lang, profile.email, c, now),
        )
        if record is not None:
            earlier = record.claim(now)
            if earlier is not None:  # sent meanwhile, which the first read could not see yet
                if slot is not None:
                    _profiles(settings).release_marketing(slot)
                return earlier
            claimed = True
        sent = Mailer(settings.sender_address, settings.shop_name).send(
            Outgoing(
                email_type=email_type,
                to=profile.email,
                to_name=name or profile.first_name,
                content=content,
                configuration_set=configuration_set,
                headers=headers or {},
                tags={"stream": stream.value, "lang": lang, **({"topic": topic} if topic else {})},
            )
        )
    except Exception as error:
        # SES answered with an error, so it took nothing; a timeout leaves the fate unknown.
        if record is not None and claimed and not isinstance(error, BotoCoreError):
            record.unsent()
        # Nothing went out: free the frequency-cap slot so the retry is not held back.
        if slot is not None:
            _profiles(settings).release_marketing(slot)
        # The error's name, not its message: SES's messages may name the address.
        failure = error.response["Error"]["Code"] if isinstance(error, ClientError) else None
        logger.warning(
            "email failed",
            extra={"email_type": email_type, "error": failure or type(error).__name__},
        )
        count("EmailsFailed", email_type)
        raise
    outcome = {
        "status": "sent",
        "email_type": email_type,
        "message_id": sent.message_id,
        "ses_message_id": sent.ses_message_id,
    }
    if record is not None:
        record.sent(outcome)
    samples.remember(email_type, context, profile.email)  # the console's preview of its words
    count("EmailsSent", email_type)
    attribution.sent(email_type, lang, profile.email, content, now)
    logger.info(
        "email sent",
        extra={
            "email_type": email_type,
            "ses_message_id": sent.ses_message_id,
            "bytes": content.html_bytes,
        },
    )
    return outcome


def _profiles(settings: Settings) -> Profiles:
    return Profiles(settings.need("profiles_table"))


def _manage_links(
    email: str, topic: str, settings: Settings, sent_as: tuple[str, str]
) -> dict[str, str]:
    base = settings.need("preferences_url").rstrip("/")
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    page = signer.sign(PREFERENCES_PURPOSE, {"e": email})
    # The email type and language, so the results count the unsubscribe under them.
    claims = {"e": email, "t": topic, "c": sent_as[0], "l": sent_as[1]}
    one_click = signer.sign(UNSUBSCRIBE_PURPOSE, claims)
    return {
        "preferences_url": f"{base}/preferences?{urlencode({'t': page})}",
        "unsubscribe_url": f"{base}/unsubscribe?{urlencode({'t': one_click})}",
        "unsubscribe_token": one_click,
        "topic": topic,
    }


def _unsubscribe_headers(links: Mapping[str, str], settings: Settings) -> dict[str, str]:
    """RFC 8058: an https URL that unsubscribes on POST, and a mailto for older clients."""
    targets = [f"<{links['unsubscribe_url']}>"]
    if settings.unsubscribe_address:
        subject = quote(f"unsubscribe {links['unsubscribe_token']}")
        targets.append(f"<mailto:{settings.unsubscribe_address}?subject={subject}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def defer(
    email_type: str,
    decision: policy.Decision,
    retry_event: Mapping[str, Any] | None,
    dedupe_key: str,
    settings: Settings,
) -> None:
    """A one-time EventBridge Scheduler schedule that invokes this function again."""
    context = lambda_context.get()
    if retry_event is None or context is None:
        raise RuntimeError(f"{email_type} cannot be deferred without its event and context")
    assert decision.until is not None
    until = decision.until.astimezone(UTC)
    schedules = Schedules(settings.scheduler_group, settings.need("scheduler_role_arn"))
    name = schedule_name(email_type, dedupe_key, f"{until:%Y%m%d%H%M}")
    if schedules.create(name, until, context.invoked_function_arn, dict(retry_event)):
        logger.info(
            "email deferred",
            extra={"email_type": email_type, "reason": decision.reason, "schedule": name},
        )


def _render_fitting(
    email_type: str,
    context: Mapping[str, Any],
    shrink: Shrink | None,
    finish: Callable[[Rendered], Rendered],
) -> Rendered:
    """Render and `finish` (the click redirect's longer links); if Gmail would clip the
    result, let the email type drop detail until it fits."""
    for _ in range(5):
        try:
            return _fitting(email_type, finish(renderer().render(email_type, context)))
        except EmailTooLarge as error:
            if shrink is None:
                raise
            context = shrink(context, 0.9 * GMAIL_CLIP_BYTES / error.size)
    return _fitting(email_type, finish(renderer().render(email_type, context)))


def _fitting(email_type: str, content: Rendered) -> Rendered:
    if content.html_bytes > GMAIL_CLIP_BYTES:
        raise EmailTooLarge(email_type, content.html_bytes)
    return content
