"""Mail on a ticket: subjects that keep the thread, threading headers, and what we sent.

Every message we send on a ticket answers the customer's latest message (`In-Reply-To`),
carries the thread (`References`, RFC 5322 section 3.6.4), keeps one `Re:` subject with the
ticket number in brackets, and is filed under the ticket with its Message-ID, so that the
customer's answer to it joins the same ticket.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tailor import clock, copy
from tailor.delivery import deliver
from tailor.headers import message_ids
from tailor.profiles import Profile
from tailor.support.models import Ticket, TicketMessage
from tailor.support.store import Store

# Prefixes mail clients add to answers and forwards, in a few languages.
_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|vs|antw|wg|fw|fwd|tr|rif)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_TAG = re.compile(r"\s*\[(T-\d{1,9})\]\s*")
# What the desk's staff see for a message that came without a subject.
NO_SUBJECT = "(no subject)"
# How many Message-IDs References keeps: the first and the latest (RFC 5322 suggests trimming).
MAX_REFERENCES = 20


def ticket_in_subject(subject: str) -> str | None:
    match = _TAG.search(subject)
    return match.group(1) if match else None


def reply_subject(subject: str, ticket_id: str, lang: str = "en") -> str:
    """`Re: The shoes [T-1001]`, however many Re:, AW: or tags the subject had; a message
    without a subject is named in the reply's language ("Re: Ihre Nachricht [T-1001]")."""
    clean = _PREFIX.sub("", _TAG.sub(" ", subject)).strip()
    if clean == NO_SUBJECT:  # the staff's placeholder, never shown to the customer
        clean = ""
    return f"Re: {clean or copy.blocks('common', lang)['untitled_message']} [{ticket_id}]"


def threading_headers(ticket: Ticket) -> dict[str, str]:
    """In-Reply-To and References with each Message-ID exactly as its sender wrote it,
    one to a line (folded by us: the email package would decode or re-split odd ones)."""
    headers: dict[str, str] = {}
    in_reply_to = message_ids("In-Reply-To", [ticket.last_customer_message_id or ""])
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    thread = ticket.thread
    if len(thread) > MAX_REFERENCES:
        thread = [thread[0], *thread[-(MAX_REFERENCES - 1) :]]
    references = message_ids("References", thread)
    if references:
        headers["References"] = references
    return headers


def with_thread(
    thread: Sequence[str], message_id: str | None, references: Sequence[str] = ()
) -> list[str]:
    """A ticket's thread with a message added: the IDs its References name that the
    thread lacks, then its own Message-ID (RFC 5322 section 3.6.4)."""
    added = [*references, *([message_id] if message_id else [])]
    return list(dict.fromkeys([*thread, *added]))[-200:]


def send_on_ticket(
    store: Store,
    ticket: Ticket,
    email_type: str,
    context: Mapping[str, Any],
    *,
    kind: str,
    text: str,
    author: str,
    headers: Mapping[str, str],
    profile: Profile | None = None,
    canned_id: str | None = None,
) -> tuple[dict[str, Any], TicketMessage | None]:
    """Send to the ticket's customer and file the message under the ticket.

    The stored profile, when there is one, lets the sending policy skip a suppressed
    address; then nothing is filed and the message is None."""
    result = deliver(
        email_type,
        context,
        profile or Profile(email=ticket.customer_email),
        name=ticket.customer_name or None,
        headers={**threading_headers(ticket), **headers},
    )
    if result.get("status") != "sent":
        return result, None
    message = TicketMessage(
        message_key=str(result["message_id"]).strip("<>"),
        direction="out",
        kind="reply" if kind == "reply" else "acknowledgement",
        at=clock.now(),
        message_id=str(result["message_id"]),
        author=author,
        subject=str(context.get("subject") or ""),
        text=text,
        canned_id=canned_id,
    )
    store.add_message(ticket, message)
    return result, message
