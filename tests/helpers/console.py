"""Requests to the console function as a browser makes them to its function URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from tailor.clock import now
from tailor_local.serve import function_url_event

from tests.helpers.mail import Outbox, html_part

HOST = "abc123.lambda-url.us-east-1.on.aws"
ORIGIN = f"https://{HOST}"
STAFF = "maria@shop.example.com"


def call(
    run: Any,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    cookie: str | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """The console function answering a browser's request to its function URL."""
    headers = {"host": HOST, "content-type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["cookie"] = cookie
    if origin:
        headers["origin"] = origin
    body = urlencode(form or {}).encode()
    event = function_url_event(
        method, path, headers, body, "192.0.2.7", "ConsoleFunction", now(), mounted=True
    )
    result: dict[str, Any] = run("ConsoleFunction", event)
    return result


def token_in(html: str) -> str:
    found = re.search(r"/console/sign-in/link\?token=([A-Za-z0-9_-]+)", html)
    assert found, "no sign-in link in the email"
    return found.group(1)


def mailed_token(outbox: Outbox) -> str:
    return token_in(html_part(outbox.messages[-1]))


def sign_in(run: Any, outbox: Any) -> str:
    """Ask for a link, follow it; the session cookie (name=value)."""
    call(run, "POST", "/console/sign-in", {"email": "Maria@Shop.Example.com"}, origin=ORIGIN)
    answer = call(run, "POST", "/console/sign-in/link", {"token": mailed_token(outbox)})
    assert answer["statusCode"] == 303, answer["body"]
    return str(answer["cookies"][0].split(";")[0])


def csrf(page: dict[str, Any]) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page["body"])
    assert found
    return found.group(1)


def answer_in_the_console(
    run: Any, last_email_html: Callable[[], str], ticket_id: str, text: str
) -> dict[str, Any]:
    """Every page of the desk as an agent goes through them: the sign-in link from the
    mail, the inbox, the ticket, the preview and its frame, the send (its answer)."""
    call(run, "POST", "/console/sign-in", {"email": STAFF})
    signed_in = call(run, "POST", "/console/sign-in/link", {"token": token_in(last_email_html())})
    cookie = str(signed_in["cookies"][0].split(";")[0])
    call(run, "GET", "/console/?status=any", cookie=cookie)
    page = call(run, "GET", f"/console/tickets/{ticket_id}", cookie=cookie)
    form = {"csrf": csrf(page), "own_words": text, "response": "", "status": "solved"}
    call(run, "POST", f"/console/tickets/{ticket_id}/preview", form, cookie=cookie)
    call(run, "GET", f"/console/tickets/{ticket_id}/draft", cookie=cookie)
    return call(run, "POST", f"/console/tickets/{ticket_id}/send", form, cookie=cookie)
