"""The agent's reply: a canned response and/or free text, threaded under the customer's mail.

A `TicketReplyRequested` event names the ticket, the response (`canned_id`), the agent's own
words (`text`, shown first), values for prompts (`fields`) and the status the ticket moves
to. The reply is sent only when nothing is left to fill in: a response that still needs a
tracking number is refused with the list of what is missing, so the customer never reads
`[add tracking number]`. The first reply records the first-response time.
"""

from __future__ import annotations

from typing import Any

from tailor import copy, i18n, zones
from tailor.delivery import skipped
from tailor.idempotency import once
from tailor.observability import logger
from tailor.profiles import Profile, Profiles
from tailor.support.canned import paragraphs
from tailor.support.context import canned_context, given_name, language_for, locale_for
from tailor.support.conversation import reply_subject, send_on_ticket, with_thread
from tailor.support.events import TicketReplyRequested
from tailor.support.models import OrderRecord, Ticket, TicketMessage
from tailor.support.runtime import Desk

EMAIL_TYPE = "support_reply"


@once(key="request_id")
def send_reply(*, event: TicketReplyRequested) -> dict[str, Any]:
    desk = Desk.from_env()
    ticket = desk.store.get_ticket(event.ticket_id)
    if ticket is None:
        return _refused(event, "no such ticket")
    profile = Profiles(desk.settings.need("profiles_table")).get(ticket.customer_email)
    order = desk.store.get_order(ticket.order_id) if ticket.order_id else None
    parts = [event.text.strip()] if event.text and event.text.strip() else []
    canned_id = None
    if event.canned_id:
        library = desk.library(language_for(profile, order, desk.settings))
        canned = library.get(event.canned_id)
        if canned is None:
            return _refused(event, f"no canned response {event.canned_id!r}")
        context = canned_context(
            ticket=ticket,
            profile=profile,
            order=order,
            settings=desk.settings,
            support=desk.support,
            agent=event.agent,
            fields=event.fields,
        )
        rendered = library.render(canned, context)
        if not rendered.complete:
            return _refused(event, "fields missing", missing=list(rendered.missing))
        parts.append(rendered.text)
        canned_id = canned.canned_id
    if not parts:
        return _refused(event, "nothing to send: give text, a canned response, or both")

    body = "\n\n".join(parts)
    context_email = reply_context(desk, ticket, profile, order, body, event.agent)
    headers = {"Reply-To": desk.support.support_address} if desk.support.support_address else {}
    result, sent = send_on_ticket(
        desk.store,
        ticket,
        EMAIL_TYPE,
        context_email,
        kind="reply",
        text=body,
        author=event.agent,
        headers=headers,
        profile=profile,
        canned_id=canned_id,
    )
    if sent is None:
        return {**result, "ticket_id": ticket.ticket_id}
    reply = sent
    updated = desk.store.update_ticket(ticket.ticket_id, lambda t: answered(t, desk, event, reply))
    logger.set_correlation_id(ticket.ticket_id)
    logger.info("ticket answered", extra={"ticket_id": ticket.ticket_id, "status": updated.status})
    return {**result, "ticket_id": ticket.ticket_id, "ticket_status": updated.status}


def reply_context(
    desk: Desk,
    ticket: Ticket,
    profile: Profile | None,
    order: OrderRecord | None,
    body: str,
    agent: str,
) -> dict[str, Any]:
    """What the support_reply email is rendered from: one builder for the reply sent and
    the preview an agent reads before sending it."""
    locale = locale_for(profile, order, desk.settings)
    last = _last_customer_message(desk, ticket)
    return {
        "brand": desk.settings.brand(),
        "lang": copy.resolve_language(locale),
        "locale": locale,
        "subject": reply_subject(ticket.subject, ticket.ticket_id, copy.resolve_language(locale)),
        "first_name": (profile.first_name if profile else None) or given_name(ticket.customer_name),
        "agent": agent,
        "ticket": {"number": ticket.ticket_id},
        "body": paragraphs(body),
        "quoted": {
            "date": i18n.day(last.at, zones.customer_zone(profile, desk.settings), locale),
            "paragraphs": paragraphs(last.text[:2000]),
        }
        if last is not None and last.text
        else None,
    }


def answered(
    ticket: Ticket, desk: Desk, event: TicketReplyRequested, sent: TicketMessage
) -> Ticket:
    """The ticket after our reply: the clock stops, the first response is recorded once."""
    now = sent.at
    update: dict[str, Any] = {
        "status": event.status,
        "due_at": None,
        "waiting_since": None,
        "alerted": "",
        "agent": event.agent,
        "updated_at": now,
        "thread": with_thread(ticket.thread, sent.message_id),
        "missing_fields": [],
        "breached": ticket.breached or (ticket.due_at is not None and now > ticket.due_at),
    }
    if ticket.first_responded_at is None:
        update.update(
            first_responded_at=now,
            first_response_seconds=int((now - ticket.created_at).total_seconds()),
            first_response_business_seconds=int(
                desk.hours.between(ticket.created_at, now).total_seconds()
            ),
        )
    return ticket.model_copy(update=update)


def _last_customer_message(desk: Desk, ticket: Ticket) -> TicketMessage | None:
    inbound = [m for m in desk.store.messages(ticket.ticket_id) if m.kind == "customer"]
    return inbound[-1] if inbound else None


def _refused(event: TicketReplyRequested, reason: str, **extra: Any) -> dict[str, Any]:
    result = skipped(EMAIL_TYPE, reason)
    logger.warning("reply refused", extra={"ticket_id": event.ticket_id, "reason": reason, **extra})
    return {**result, "status": "refused", "ticket_id": event.ticket_id, **extra}
