"""The console's pages: routes, the signed-in check, and the desk's handlers.

Every route is for signed-in staff unless registered `public=True`; an anonymous request to
any other address gets the sign-in page (status 401), never data. Every POST from a
session must carry the session's CSRF token; a POST whose Origin is another site is refused.
A page plugs in with `@router.page(method, pattern)` and, for the navigation, an entry in NAV.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, cast

from tailor import clock
from tailor.console import auth, desk, results
from tailor.console.auth import Console, ConsoleSettings
from tailor.console.http import MOUNT, Request, Response, redirect, render, url
from tailor.console.site import Context, framed, router
from tailor.mail import Mailer, Outgoing
from tailor.observability import logger
from tailor.render import Rendered, html_to_text, templates_root
from tailor.settings import get_settings
from tailor.support.events import TicketReplyRequested


def handle(event: Mapping[str, Any]) -> dict[str, Any]:
    request = Request.from_event(event)
    console = Console(ConsoleSettings.current())
    now = clock.now()
    session = console.session(request.cookies.get(auth.cookie_name(request.secure)), now)
    context = Context(request, console, session)
    return _dispatch(context).lambda_result()


def _dispatch(context: Context) -> Response:
    request = context.request
    if request.path in ("/", MOUNT):
        return redirect(url("/"), 302)
    found = router.match(request.method, request.path)
    if request.method == "POST" and not request.same_origin():
        return context.page("message.html.j2", 403, title="Refused", message=_CROSS_SITE)
    if found is not None and found[0].public:
        return found[0].handler(context, **found[1])
    if context.session is None:
        return context.page("sign_in.html.j2", 401, title="Sign in", sent=False)
    if found is None:
        return context.page("message.html.j2", 404, title="Not found", message="No such page.")
    if request.method == "POST" and not context.me.valid_csrf(request.form.get("csrf")):
        logger.warning("console form refused: CSRF token missing or wrong")
        context.audit("form refused: CSRF token missing or wrong", path=request.path)
        return context.page("message.html.j2", 403, title="Refused", message=_STALE_FORM)
    return found[0].handler(context, **found[1])


_CROSS_SITE = "This form was sent from another site, so nothing was done."
_STALE_FORM = "This form has expired, so nothing was done. Go back, reload the page and try again."


# ---------------------------------------------------------------------- public pages
@router.page("GET", "/static/console.css", public=True)
def stylesheet(context: Context) -> Response:
    css = (templates_root() / "console" / "console.css").read_text(encoding="utf-8")
    return Response(200, css, {"Content-Type": "text/css; charset=utf-8"})


@router.page("GET", "/sign-in", public=True)
def sign_in_form(context: Context) -> Response:
    return context.page("sign_in.html.j2", title="Sign in", sent=False)


@router.page("POST", "/sign-in", public=True)
def sign_in_request(context: Context) -> Response:
    """Mail a link to a staff address; the answer is the same for any address."""
    now = clock.now()
    address = context.request.form.get("email", "")[:320]
    issued = context.console.issue_link(address, now)
    if issued is not None:
        staff, token = issued
        _mail_link(staff, f"{context.request.origin}{url('/sign-in/link', token=token)}")
        context.console.audit(staff, "sign-in link sent", now)
    return context.page("sign_in.html.j2", title="Check your mail", sent=True)


@router.page("GET", "/sign-in/link", public=True)
def sign_in_landing(context: Context) -> Response:
    """The mailed link opens a button, so a mail scanner fetching the link does not use it."""
    token = context.request.query.get("token", "")
    return context.page("sign_in_link.html.j2", title="Sign in", token=token)


@router.page("POST", "/sign-in/link", public=True)
def sign_in_with_link(context: Context) -> Response:
    now = clock.now()
    email = context.console.consume_link(context.request.form.get("token", ""), now)
    if email is None:
        # Evidence of replayed or stale links, without the token (it may still be live).
        context.console.audit("anonymous", "sign-in link refused", now)
        return context.page(
            "message.html.j2",
            400,
            title="This sign-in link cannot be used",
            message="It has expired or was used already. Ask for a new one.",
            again=True,
        )
    secret = context.console.open_session(email, now)
    context.console.audit(email, "signed in", now)
    response = redirect(url("/"))
    lifetime = int(auth.SESSION_LIFETIME.total_seconds())
    response.cookies.append(auth.session_cookie(context.request.secure, secret, lifetime))
    return response


def _mail_link(address: str, link: str) -> None:
    settings = get_settings()
    values = {"link": link, "shop": settings.shop_name, "minutes": 15}
    body = render("sign_in_mail.html.j2", **values)
    content = Rendered(
        subject=f"Sign in to the {settings.shop_name} console",
        html=body,
        text=html_to_text(body),
    )
    Mailer(settings.sender_address, settings.shop_name).send(
        Outgoing(
            email_type="console_sign_in",
            to=address,
            to_name=None,
            content=content,
            configuration_set=settings.need("transactional_configuration_set"),
        )
    )


# ---------------------------------------------------------------------- signed in
@router.page("POST", "/sign-out")
def sign_out(context: Context) -> Response:
    context.audit("signed out")
    context.console.close_session(context.me)
    response = redirect(url("/sign-in"))
    response.cookies.append(auth.session_cookie(context.request.secure, "", 0))
    return response


@router.page("GET", "/")
def inbox(context: Context) -> Response:
    now = clock.now()
    filters = desk.Filters.from_query(dict(context.request.query))
    tickets = desk.inbox(context.desk, filters, context.me.agent_name, now)
    return context.page(
        "inbox.html.j2",
        title="Desk",
        section="desk",
        tickets=tickets,
        filters=filters,
        statuses=desk.STATUSES,
        intents=sorted({t.intent for t in desk.all_tickets(context.desk)}),
        agents=_agents(context),
        now=now,
        overdue=desk.overdue,
    )


@router.page("GET", r"/tickets/(?P<ticket_id>T-\d{1,9})")
def ticket_page(context: Context, ticket_id: str) -> Response:
    return _ticket(context, ticket_id)


def _ticket(
    context: Context,
    ticket_id: str,
    status: int = 200,
    own_words: str = "",
    response_text: str | None = None,
    canned_id: str | None = None,
    problems: list[str] | None = None,
) -> Response:
    view = desk.ticket_view(context.desk, ticket_id)
    if view is None:
        return context.page("message.html.j2", 404, title="Not found", message="No such ticket.")
    choices = desk.responses(context.desk, view)
    chosen = canned_id or context.request.query.get("canned") or view.ticket.suggested_canned
    if chosen not in dict(choices):
        chosen = choices[0][0] if choices else ""
    if response_text is None:
        response_text = desk.canned_draft(context.desk, view, chosen, context.me.agent_name)[1]
    return context.page(
        "ticket.html.j2",
        status,
        title=f"{view.ticket.ticket_id}: {view.ticket.subject}",
        section="desk",
        view=view,
        notes=context.console.notes(ticket_id),
        choices=choices,
        chosen=chosen,
        own_words=own_words,
        response_text=response_text,
        problems=problems or [],
        statuses=desk.STATUSES,
        reply_statuses=desk.REPLY_STATUSES,
        agents=_agents(context),
        sent=context.request.query.get("sent") == "1",
        now=clock.now(),
        overdue=desk.overdue,
    )


@router.page("POST", r"/tickets/(?P<ticket_id>T-\d{1,9})/preview")
def preview_reply(context: Context, ticket_id: str) -> Response:
    form = context.request.form
    body = desk.compose(form.get("own_words", ""), form.get("response", ""))
    view = desk.ticket_view(context.desk, ticket_id)
    if view is None:
        return context.page("message.html.j2", 404, title="Not found", message="No such ticket.")
    problems = _reply_problems(body)
    if problems:
        return _ticket(
            context,
            ticket_id,
            422,
            own_words=form.get("own_words", ""),
            response_text=form.get("response", ""),
            canned_id=form.get("canned_id"),
            problems=problems,
        )
    email = desk.preview(context.desk, view, body, context.me.agent_name)
    context.console.save_draft(context.me, ticket_id, email.html, clock.now())
    return context.page(
        "preview.html.j2",
        title=f"Preview the reply to {ticket_id}",
        section="desk",
        view=view,
        email=email,
        form=form,
        reply_status=form.get("status") if form.get("status") in desk.REPLY_STATUSES else "",
        request_id=uuid.uuid4().hex,
    )


@router.page("GET", r"/tickets/(?P<ticket_id>T-\d{1,9})/draft")
def draft_frame(context: Context, ticket_id: str) -> Response:
    """The previewed email's HTML, framed by the preview page only, scripts and forms off."""
    return framed(context.console.draft(context.me, ticket_id))


@router.page("POST", r"/tickets/(?P<ticket_id>T-\d{1,9})/send")
def send_reply(context: Context, ticket_id: str) -> Response:
    form = context.request.form
    body = desk.compose(form.get("own_words", ""), form.get("response", ""))
    problems = _reply_problems(body)
    if problems or form.get("status") not in desk.REPLY_STATUSES:
        return _ticket(context, ticket_id, 422, problems=problems or ["Choose a status."])
    reply = TicketReplyRequested(
        request_id=(form.get("request_id") or uuid.uuid4().hex)[:64],
        ticket_id=ticket_id,
        agent=context.me.agent_name[:100],
        text=body,
        status=cast("Any", form["status"]),
    )
    desk.send(context.desk, reply)
    context.audit("reply sent", ticket_id=ticket_id, canned_id=form.get("canned_id"))
    return redirect(url(f"/tickets/{ticket_id}", sent="1"))


def _reply_problems(body: str) -> list[str]:
    if not body:
        return ["Write a reply or pick a response."]
    if len(body) > 20_000:
        return ["The reply is longer than 20,000 characters."]
    return [f"Fill in or remove “[add {field}]”." for field in desk.prompts_left(body)]


@router.page("POST", r"/tickets/(?P<ticket_id>T-\d{1,9})/status")
def set_status(context: Context, ticket_id: str) -> Response:
    status = context.request.form.get("status", "")
    if status not in desk.STATUSES:
        return _ticket(context, ticket_id, 422, problems=["Choose a status."])
    desk.change_status(context.desk, ticket_id, status, clock.now())
    context.audit("status changed", ticket_id=ticket_id, status=status)
    return redirect(url(f"/tickets/{ticket_id}"))


@router.page("POST", r"/tickets/(?P<ticket_id>T-\d{1,9})/assign")
def set_agent(context: Context, ticket_id: str) -> Response:
    agent = context.request.form.get("agent", "")
    if agent and agent not in _agents(context):
        return _ticket(context, ticket_id, 422, problems=["Choose someone on the staff list."])
    desk.assign(context.desk, ticket_id, agent or None, clock.now())
    context.audit("assigned", ticket_id=ticket_id, agent=agent or "nobody")
    return redirect(url(f"/tickets/{ticket_id}"))


@router.page("POST", r"/tickets/(?P<ticket_id>T-\d{1,9})/notes")
def add_note(context: Context, ticket_id: str) -> Response:
    text = context.request.form.get("note", "").strip()
    if not text or len(text) > 5000:
        return _ticket(context, ticket_id, 422, problems=["A note has 1 to 5,000 characters."])
    if context.desk.store.get_ticket(ticket_id) is None:
        return context.page("message.html.j2", 404, title="Not found", message="No such ticket.")
    context.console.add_note(ticket_id, context.me.agent_name, text, clock.now())
    context.audit("note added", ticket_id=ticket_id)
    return redirect(url(f"/tickets/{ticket_id}"))


def _agents(context: Context) -> list[str]:
    """The names tickets are assigned to: one per staff address."""
    staff = context.console.settings.staff()
    return sorted({auth.agent_name(email) for email in staff})


router.page("GET", "/results/")(results.page)
router.page("GET", "/results/results.csv")(results.csv_download)

# The Copy section's pages register themselves on the router.
from tailor.console import copy_pages  # noqa: E402, F401
