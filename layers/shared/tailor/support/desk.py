"""The inbound desk: a message arrives, becomes (or joins) a ticket, and is answered at once.

SES stores the raw message in the mail bucket and invokes the desk with its receipt. The
desk parses the message, ignores what must never be answered (auto-replies, bounces, lists,
abuse reports: support/machines.json; and our own mail), matches the sender to a profile
and the orders they mention to orders we know, tags the intent, files the message under a
new ticket or the one it answers, starts or keeps the SLA clock, prepares a draft for the
agent, and sends the customer an acknowledgement: ticket number, when a human will answer,
and the best canned response, filled in with their own order when the sender is proven to
own the address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from tailor import addresses, aws, clock, copy, i18n, zones
from tailor.delivery import skipped
from tailor.idempotency import once
from tailor.observability import logger
from tailor.profiles import Profile, Profiles
from tailor.support.canned import Library, RenderedCanned, paragraphs
from tailor.support.context import canned_context, given_name, language_for, locale_for
from tailor.support.conversation import (
    NO_SUBJECT,
    reply_subject,
    send_on_ticket,
    ticket_in_subject,
    with_thread,
)
from tailor.support.events import MailReceived
from tailor.support.intents import Intent, classify
from tailor.support.mime import Attachment, Mail, parse_mail, sender_verified
from tailor.support.models import AttachmentRef, OrderRecord, Ticket, TicketMessage
from tailor.support.runtime import INBOUND_PREFIX, Desk
from tailor.support.store import Store

EMAIL_TYPE = "support_acknowledgement"
ATTACHMENT_PREFIX = "attachments/"
# Headers alone when a message is larger than the desk reads (SES allows 40 MB).
HEAD_BYTES = 256 * 1024

_ORDER_MENTION = re.compile(
    r"(?:#\s?(\d{3,12})\b"
    r"|\b(?:order|bestellung|commande|pedido|ordine|auftrag)s?\s*"
    r"(?:no\.?|number|nr\.?|nummer|n°|#)?\s*:?\s*#?\s*(\d{3,12})\b)",
    re.IGNORECASE,
)


@once(key="message_id")
def receive(*, event: MailReceived) -> dict[str, Any]:
    desk = Desk.from_env()
    bucket = desk.support.need("mail_bucket")
    raw_key = f"{INBOUND_PREFIX}{event.message_id}"
    if event.virus == "FAIL":
        return _ignored("virus found by SES")
    raw, truncated = _fetch(bucket, raw_key, desk.support.max_message_bytes)
    mail = parse_mail(raw, max_text_chars=desk.support.max_text_chars)
    if event.spam == "FAIL":
        return _ignored("spam by SES verdict")
    if mail.sender is None:
        return _ignored("no valid sender address")
    if mail.sender in _own_addresses(desk):
        return _ignored("sent from one of our own addresses")
    unsubscribe = addresses.normalize(desk.settings.unsubscribe_address)
    if unsubscribe and unsubscribe in {addresses.normalize(r) for r in event.recipients}:
        from tailor.preferences import unsubscribe_by_mail

        return unsubscribe_by_mail(mail.subject, desk.settings)

    existing = _ticket_answered(desk.store, mail)
    message = _message(desk, mail, event, bucket, raw_key, truncated)
    if mail.automated:
        if existing is None:
            return _ignored(mail.automated)
        desk.store.add_message(existing, message.model_copy(update={"kind": "automated"}))
        logger.info("automatic message filed", extra={"ticket_id": existing.ticket_id})
        return {"status": "filed", "ticket_id": existing.ticket_id, "automated": mail.automated}

    verified = sender_verified(mail, event)
    profile = Profiles(desk.settings.need("profiles_table")).get(mail.sender)
    order, mentioned = _order(desk.store, mail, profile)
    intent = classify(mail.subject, mail.body.new or mail.text)
    library = desk.library(language_for(profile, order, desk.settings))
    suggest = partial(_suggested, desk, library, profile=profile, order=order)
    if existing is None:
        ticket = _open(desk, mail, message, event, verified, intent, order, mentioned, suggest)
    else:
        ticket = _join(desk, existing, mail, message, event, intent, order, mentioned, suggest)
    logger.set_correlation_id(ticket.ticket_id)

    acknowledgement = acknowledge(desk, library, ticket, mail, profile, order, verified)
    return {
        "status": "received",
        "ticket_id": ticket.ticket_id,
        "new_ticket": existing is None,
        "intent": ticket.intent,
        "order_id": ticket.order_id,
        "verified_sender": verified,
        "acknowledgement": acknowledgement,
    }


# ---------------------------------------------------------------------- reading
def _fetch(bucket: str, key: str, limit: int) -> tuple[bytes, bool]:
    """The raw message, or only its head when it is larger than `limit` bytes."""
    s3 = aws.client("s3")
    size = int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
    if size > limit:
        logger.warning("message too large to read whole", extra={"bytes": size})
        head = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}")
        return bytes(head["Body"].read()), True
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read()), False


def _own_addresses(desk: Desk) -> set[str]:
    return {
        a
        for a in (
            desk.settings.sender_address.lower(),
            desk.support.support_address,
            desk.support.comments_address,
            desk.support.support_lead_address,
        )
        if a
    }


def _ticket_answered(store: Store, mail: Mail) -> Ticket | None:
    """The ticket this message answers: by its threading headers, else by the ticket
    number in its subject when it comes from that ticket's customer."""
    ticket_id = store.ticket_for_message_ids(mail.thread_ids)
    if ticket_id:
        return store.get_ticket(ticket_id)
    tagged = ticket_in_subject(mail.subject)
    if tagged:
        ticket = store.get_ticket(tagged)
        if ticket is not None and ticket.customer_email == mail.sender:
            return ticket
    return None


def mentioned_orders(text: str) -> list[str]:
    found = [a or b for a, b in _ORDER_MENTION.findall(text)]
    return list(dict.fromkeys(found))[:10]


def _order(
    store: Store, mail: Mail, profile: Profile | None
) -> tuple[OrderRecord | None, list[str]]:
    """The order the message is about: one it names that belongs to the sender, else the
    sender's latest order. Orders of other customers are never linked."""
    mentioned = mentioned_orders(f"{mail.subject}\n{mail.body.new or mail.text}")
    for number in mentioned:
        order = store.order_by_number(number)
        if order is not None and order.email == mail.sender:
            return order, mentioned
    if profile is not None:
        for order_id in reversed(profile.order_ids[-5:]):
            order = store.get_order(order_id)
            if order is not None:
                return order, mentioned
    return None, mentioned


def _message(
    desk: Desk,
    mail: Mail,
    event: MailReceived,
    bucket: str,
    raw_key: str,
    truncated: bool,
) -> TicketMessage:
    return TicketMessage(
        message_key=event.message_id,
        direction="in",
        kind="customer",
        at=event.received_at,
        message_id=mail.message_id,
        author=mail.sender or "",
        subject=mail.subject[:500],
        text=mail.body.new[:20_000],
        quoted=mail.body.quoted[:20_000],
        signature=mail.body.signature[:2000],
        attachments=[
            _store_attachment(desk, bucket, raw_key, event.message_id, a) for a in mail.attachments
        ],
        raw_key=raw_key,
        html_only=mail.html_only,
        defects=[*mail.defects, *(["MessageTooLarge"] if truncated else [])][:20],
    )


def _store_attachment(
    desk: Desk, bucket: str, raw_key: str, message_key: str, attachment: Attachment
) -> AttachmentRef:
    """Copy an attachment to its own object when it is small enough; else point into the raw."""
    stored = attachment.data is not None and attachment.size <= desk.support.max_attachment_bytes
    key = raw_key
    if stored and attachment.data is not None:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", attachment.name).strip("._")[:100] or "file"
        key = f"{ATTACHMENT_PREFIX}{message_key}/{attachment.part}-{safe}"
        aws.client("s3").put_object(
            Bucket=bucket,
            Key=key,
            Body=attachment.data,
            ContentType=attachment.content_type,
            ContentDisposition="attachment",
        )
    return AttachmentRef(
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        bucket=bucket,
        key=key,
        part=attachment.part,
        stored=stored,
        inline=attachment.inline,
    )


# ---------------------------------------------------------------------- tickets
def _open(
    desk: Desk,
    mail: Mail,
    message: TicketMessage,
    event: MailReceived,
    verified: bool,
    intent: Intent,
    order: OrderRecord | None,
    mentioned: list[str],
    suggest: Callable[[Ticket], Ticket],
) -> Ticket:
    """A new ticket, stored with the agent's suggested reply already on it."""
    number = desk.store.next_ticket_number()
    now = event.received_at
    due = desk.hours.add(now, desk.support.sla_first_reply_hours)
    ticket = Ticket(
        ticket_id=f"T-{number}",
        number=number,
        customer_email=mail.sender or "",
        customer_name=mail.sender_name[:100],
        verified_sender=verified,
        subject=mail.subject[:300] or NO_SUBJECT,
        intent=intent.name,
        intent_terms=list(intent.matched[:10]),
        order_id=order.order_id if order else None,
        order_number=order.number if order else None,
        mentioned_orders=mentioned,
        created_at=now,
        updated_at=now,
        waiting_since=now,
        due_at=due,
        first_response_due_at=due,
        thread=with_thread([], mail.message_id, mail.references),
        last_customer_message_id=mail.message_id,
        message_count=1,
    )
    ticket = suggest(ticket)
    key = _thread_key(mail, event)
    if desk.store.create_ticket(ticket, message, key):
        logger.info("ticket opened", extra={"ticket_id": ticket.ticket_id, "intent": intent.name})
        return ticket
    # A retried delivery: the message was filed under a ticket the first time.
    filed = desk.store.ticket_for_message_ids((key,))
    found = desk.store.get_ticket(filed) if filed else None
    if found is None:
        raise RuntimeError("message filed under a ticket that cannot be read; retry")
    return desk.store.update_ticket(found.ticket_id, suggest)


def _join(
    desk: Desk,
    ticket: Ticket,
    mail: Mail,
    message: TicketMessage,
    event: MailReceived,
    intent: Intent,
    order: OrderRecord | None,
    mentioned: list[str],
    suggest: Callable[[Ticket], Ticket],
) -> Ticket:
    """The ticket with the message joined and the agent's suggested reply, in one write."""
    if not desk.store.add_message(ticket, message):
        return desk.store.update_ticket(ticket.ticket_id, suggest)  # a retried delivery
    desk.store.link_message_id(_thread_key(mail, event), ticket.ticket_id)
    now = event.received_at
    next_due = desk.hours.add(now, desk.support.sla_next_reply_hours)

    def change(current: Ticket) -> Ticket:
        waiting = current.waiting_on_us and current.due_at is not None
        return current.model_copy(
            update={
                "status": current.status if current.status == "new" else "waiting_on_us",
                "waiting_since": current.waiting_since if waiting else now,
                "due_at": current.due_at if waiting else next_due,
                "alerted": current.alerted if waiting else "",
                "thread": with_thread(current.thread, mail.message_id, mail.references),
                "last_customer_message_id": mail.message_id or current.last_customer_message_id,
                "message_count": current.message_count + 1,
                "updated_at": now,
                "intent": current.intent if current.intent != "other" else intent.name,
                "order_id": current.order_id or (order.order_id if order else None),
                "order_number": current.order_number or (order.number if order else None),
                "mentioned_orders": list(dict.fromkeys([*current.mentioned_orders, *mentioned])),
            }
        )

    joined = desk.store.update_ticket(ticket.ticket_id, lambda current: suggest(change(current)))
    logger.info("message joined ticket", extra={"ticket_id": joined.ticket_id})
    return joined


def _thread_key(mail: Mail, event: MailReceived) -> str:
    """The message's Message-ID, or one made from SES's id when the sender set none."""
    return mail.message_id or f"<{event.message_id}@ses.invalid>"


def _suggested(
    desk: Desk,
    library: Library,
    ticket: Ticket,
    *,
    profile: Profile | None,
    order: OrderRecord | None,
) -> Ticket:
    """The ticket with the agent's starting point on it: the best response with every
    field the desk knows, and prompts for the rest."""
    ranked = library.ranked(ticket.intent, ticket.subject)
    if not ranked:
        return ticket
    context = canned_context(
        ticket=ticket, profile=profile, order=order, settings=desk.settings, support=desk.support
    )
    draft = library.render(ranked[0], context)
    return ticket.model_copy(
        update={
            "suggested_canned": draft.canned_id,
            "suggested_reply": draft.text,
            "missing_fields": list(draft.missing),
        }
    )


# ---------------------------------------------------------------------- acknowledging
def acknowledge(
    desk: Desk,
    library: Library,
    ticket: Ticket,
    mail: Mail,
    profile: Profile | None,
    order: OrderRecord | None,
    verified: bool,
) -> dict[str, Any]:
    """Tell the customer we have it, when a human will answer, and what may already help.

    Never for a sender who asked not to be auto-answered, at most once an hour per ticket,
    and at most a few an hour per sender; order data only for a proven sender."""
    if mail.no_auto_reply:
        return skipped(EMAIL_TYPE, "sender asked for no automatic replies")
    now = clock.now()
    interval = timedelta(minutes=desk.support.ack_interval_minutes)
    previous = ticket.last_ack_at
    if not desk.store.claim_acknowledgement(ticket.ticket_id, now, interval):
        return skipped(EMAIL_TYPE, "acknowledged within the last hour")
    sender = ticket.customer_email
    if not desk.store.count_sender_acknowledgement(
        sender, now, desk.support.acks_per_sender_per_hour
    ):
        desk.store.release_acknowledgement(ticket.ticket_id, previous)
        return skipped(EMAIL_TYPE, "too many acknowledgements to this sender this hour")
    known = profile if verified else None
    shown = order if verified else None
    locale = locale_for(known, shown, desk.settings)
    if library.lang != copy.resolve_language(locale):  # an unproven sender gets the shop's
        library = desk.library(copy.resolve_language(locale))
    response = _best_complete(desk, library, ticket, known, shown, mail)
    subject = reply_subject(ticket.subject, ticket.ticket_id, copy.resolve_language(locale))
    context = {
        "brand": desk.settings.brand(),
        "lang": copy.resolve_language(locale),
        "locale": locale,
        "subject": subject,
        "first_name": (known.first_name if known else None) or given_name(mail.sender_name),
        "ticket": {"number": ticket.ticket_id, "follow_up": ticket.message_count > 1},
        "due": i18n.day_and_time(
            ticket.due_at or now, zones.customer_zone(known, desk.settings), locale
        )
        if ticket.waiting_on_us
        else None,
        "order_number": shown.number if shown else None,
        "response": {"title": response.title, "paragraphs": paragraphs(response.text)}
        if response
        else None,
    }
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if desk.support.support_address:
        headers["Reply-To"] = desk.support.support_address
    try:
        result, sent = send_on_ticket(
            desk.store,
            ticket,
            EMAIL_TYPE,
            context,
            kind="acknowledgement",
            text=response.text if response else "",
            author="desk",
            headers=headers,
            profile=profile,
            canned_id=response.canned_id if response else None,
        )
    except Exception:
        desk.store.release_acknowledgement(ticket.ticket_id, previous)
        raise
    if sent is not None:
        message_id = sent.message_id
        desk.store.update_ticket(
            ticket.ticket_id,
            lambda t: t.model_copy(update={"thread": with_thread(t.thread, message_id)}),
        )
    return {**result, "canned_id": response.canned_id if response else None}


def _best_complete(
    desk: Desk,
    library: Library,
    ticket: Ticket,
    profile: Profile | None,
    order: OrderRecord | None,
    mail: Mail,
) -> RenderedCanned | None:
    """The best response that renders with no prompt left; the general one otherwise."""
    context = canned_context(
        ticket=ticket, profile=profile, order=order, settings=desk.settings, support=desk.support
    )
    candidates = library.ranked(ticket.intent, f"{mail.subject}\n{mail.body.new}")[:4]
    general = library.get("general")
    for canned in [*candidates, *([general] if general else [])]:
        rendered = library.render(canned, context)
        if rendered.complete:
            return rendered
    return None


def _ignored(reason: str) -> dict[str, Any]:
    logger.info("inbound mail not answered", extra={"reason": reason})
    return {"status": "ignored", "reason": reason}
