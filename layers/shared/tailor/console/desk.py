"""The desk in the console: the inbox, a ticket with its customer and order, and the reply.

The reply is the desk's own: the agent's edited text is previewed through the very
`support_reply` rendering the reply function uses (`reply.reply_context`), then published as
`TicketReplyRequested`, so the one reply path sends it, threads it and stops the SLA clock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

from boto3.dynamodb.conditions import Attr

from tailor import aws
from tailor.aftercare.config import AftercareSettings
from tailor.aftercare.store import AftercareStore, ShipmentRecord
from tailor.profiles import Profile, Profiles
from tailor.render import Rendered, renderer
from tailor.support.canned import Library
from tailor.support.context import canned_context, language_for
from tailor.support.events import TicketReplyRequested
from tailor.support.models import OPEN_FOR_US, OrderRecord, Status, Ticket, TicketMessage
from tailor.support.reply import EMAIL_TYPE as REPLY_TYPE
from tailor.support.reply import reply_context
from tailor.support.runtime import Desk
from tailor.support.store import order_key

STATUSES: tuple[Status, ...] = get_args(Status)
REPLY_STATUSES = ("waiting_on_customer", "solved")
# A canned response still holding one of these was not finished by the agent.
_PROMPT = re.compile(r"\[add ([^\]]{1,80})\]")
MAX_INBOX = 200


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # "open" (new or waiting on us), "any", or one status
    intent: str = ""
    assigned: str = ""  # "", "me", "nobody" or an address
    overdue: bool = False
    search: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Filters:
        status = query.get("status", "open")
        return cls(
            status=status if status in ("open", "any", *STATUSES) else "open",
            intent=query.get("intent", "")[:40],
            assigned=query.get("assigned", "")[:320],
            overdue=query.get("overdue") == "1",
            search=query.get("q", "").strip()[:200],
        )


def all_tickets(desk: Desk) -> list[Ticket]:
    """Every ticket record (the inbox scans: a desk holds thousands, not millions)."""
    table = desk.store.table
    tickets = Attr("sk").eq("TICKET") & Attr("pk").begins_with("TICKET#")
    kwargs: dict[str, Any] = {"FilterExpression": tickets}
    found: list[Ticket] = []
    while True:
        response = table.scan(**kwargs)
        found.extend(Ticket.model_validate(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def inbox(desk: Desk, filters: Filters, me: str, now: datetime) -> list[Ticket]:
    """The tickets the filters keep, soonest due first; then answered ones, latest first."""
    kept = [t for t in all_tickets(desk) if _kept(t, filters, me, now)]
    if filters.search:
        kept = searched(desk, kept, filters.search)
    waiting = sorted((t for t in kept if t.due_at), key=lambda t: (t.due_at, t.number))
    rest = sorted((t for t in kept if not t.due_at), key=lambda t: t.updated_at, reverse=True)
    return [*waiting, *rest][:MAX_INBOX]


def overdue(ticket: Ticket, now: datetime) -> bool:
    return ticket.waiting_on_us and ticket.due_at is not None and ticket.due_at < now


def _kept(ticket: Ticket, filters: Filters, me: str, now: datetime) -> bool:
    if filters.status == "open" and not ticket.waiting_on_us:
        return False
    if filters.status not in ("open", "any") and ticket.status != filters.status:
        return False
    if filters.intent and ticket.intent != filters.intent:
        return False
    assigned = {"": None, "me": me, "nobody": ""}.get(filters.assigned, filters.assigned)
    if assigned is not None and (ticket.agent or "") != assigned:
        return False
    return not (filters.overdue and not overdue(ticket, now))


def searched(desk: Desk, tickets: list[Ticket], search: str) -> list[Ticket]:
    """The tickets a search names by customer, order number or ticket, else whose
    messages written by a person (the customer's, the agents') hold every word; those are
    read only for tickets the cheaper match missed."""
    words = search.lower().split()

    def written(ticket: Ticket) -> str:
        messages = desk.store.messages(ticket.ticket_id)
        return " ".join(m.text.lower() for m in messages if m.kind in ("customer", "reply"))

    return [t for t in tickets if matches(t, search) or all(w in written(t) for w in words)]


def matches(ticket: Ticket, search: str) -> bool:
    """Customer (address or name), order number, or every word of the text in the ticket's
    subject, customer, intent or ticket number."""
    wanted = order_key(search) if re.fullmatch(r"#?\s*\d{3,12}", search.strip()) else None
    if wanted is not None:
        numbers = [ticket.order_number or "", *ticket.mentioned_orders]
        if any(order_key(n) == wanted for n in numbers):
            return True
    haystack = " ".join(
        [
            ticket.ticket_id,
            ticket.subject,
            ticket.customer_email,
            ticket.customer_name,
            ticket.intent,
            *ticket.intent_terms,
        ]
    ).lower()
    return all(word in haystack for word in search.lower().split())


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    messages: list[TicketMessage]
    profile: Profile | None
    order: OrderRecord | None
    orders: list[OrderRecord]
    shipments: list[ShipmentRecord]


def ticket_view(desk: Desk, ticket_id: str) -> TicketView | None:
    ticket = desk.store.get_ticket(ticket_id)
    if ticket is None:
        return None
    profile = Profiles(desk.settings.need("profiles_table")).get(ticket.customer_email)
    order = desk.store.get_order(ticket.order_id) if ticket.order_id else None
    orders = []
    for order_id in reversed((profile.order_ids if profile else [])[-10:]):
        found = order if order and order.order_id == order_id else desk.store.get_order(order_id)
        if found is not None:
            orders.append(found)
    # The desk acknowledges within the second a message arrives, stamped by another clock
    # (SES's receipt time against ours): within a second, what came in shows first.
    messages = sorted(
        desk.store.messages(ticket_id),
        key=lambda m: (m.at.replace(microsecond=0), m.direction == "out"),
    )
    return TicketView(ticket, messages, profile, order, orders, _shipments(order))


def _shipments(order: OrderRecord | None) -> list[ShipmentRecord]:
    """The order's shipments as the aftercare table follows them (carrier events included)."""
    if order is None:
        return []
    store = AftercareStore(AftercareSettings.current().need("aftercare_table"))
    shipments = store.history(order.order_id).shipments.values()
    return sorted(shipments, key=lambda s: (s.shipped_at is None, s.shipped_at, s.fulfillment_id))


def canned_draft(desk: Desk, view: TicketView, canned_id: str, agent: str) -> tuple[str, str]:
    """The response's title and text filled from the ticket's order and customer, with an
    `[add …]` prompt for each field the desk does not know."""
    library = desk.library(language_for(view.profile, view.order, desk.settings))
    canned = library.get(canned_id)
    if canned is None:
        return "", ""
    context = canned_context(
        ticket=view.ticket,
        profile=view.profile,
        order=view.order,
        settings=desk.settings,
        support=desk.support,
        agent=agent,
    )
    rendered = library.render(canned, context)
    return rendered.title, rendered.text


def responses(desk: Desk, view: TicketView) -> list[tuple[str, str]]:
    """(id, title) of every canned response in the ticket's language, those answering the
    ticket's intent first."""
    ticket = view.ticket
    library: Library = desk.library(language_for(view.profile, view.order, desk.settings))
    ranked = [c.canned_id for c in library.ranked(ticket.intent, ticket.subject)]
    rest = sorted(set(library.responses) - set(ranked))
    return [(cid, library.responses[cid].title) for cid in [*ranked, *rest]]


def compose(own_words: str, response: str) -> str:
    """The reply's body: the agent's own words first, then the (edited) response."""
    parts = [p.strip() for p in (own_words, response) if p and p.strip()]
    return "\n\n".join(parts).replace("\r\n", "\n")


def prompts_left(body: str) -> list[str]:
    return list(dict.fromkeys(_PROMPT.findall(body)))


def preview(desk: Desk, view: TicketView, body: str, agent: str) -> Rendered:
    """The support_reply email exactly as the reply function renders it."""
    context = reply_context(desk, view.ticket, view.profile, view.order, body, agent)
    return renderer().render(REPLY_TYPE, context)


def send(desk: Desk, request: TicketReplyRequested) -> None:
    """Hand the reply to the desk's reply function (TicketReplyRequested on the shop's bus)."""
    response = aws.client("events").put_events(
        Entries=[
            {
                "Source": "tailor.console",
                "DetailType": request.detail_type,
                "Detail": json.dumps(request.model_dump(mode="json", exclude_none=True)),
                "EventBusName": desk.settings.need("event_bus_name"),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"could not publish {request.detail_type}: {response['Entries']}")


def change_status(desk: Desk, ticket_id: str, status: Status, now: datetime) -> Ticket:
    """Move a ticket; reopening it for us starts the next-reply clock again."""

    def change(ticket: Ticket) -> Ticket:
        if status == ticket.status:
            return ticket
        update: dict[str, Any] = {"status": status, "updated_at": now}
        if status in OPEN_FOR_US and ticket.due_at is None:
            update.update(
                due_at=desk.hours.add(now, desk.support.sla_next_reply_hours),
                waiting_since=now,
                alerted="",
            )
        elif status not in OPEN_FOR_US:
            update.update(due_at=None, waiting_since=None, alerted="")
        return ticket.model_copy(update=update)

    return desk.store.update_ticket(ticket_id, change)


def assign(desk: Desk, ticket_id: str, agent: str | None, now: datetime) -> Ticket:
    return desk.store.update_ticket(
        ticket_id,
        lambda t: (
            t if t.agent == agent else t.model_copy(update={"agent": agent, "updated_at": now})
        ),
    )
