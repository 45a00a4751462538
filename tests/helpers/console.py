"""Requests to the console function as a browser makes them to its function URL."""

from __future__ import annotations

import re
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


def mailed_token(outbox: Outbox) -> str:
    found = re.search(
        r"/console/sign-in/link\?token=([A-Za-z0-9_-]+)", html_part(outbox.messages[-1])
    )
    assert found, "no sign-in link in the email"
    return found.group(1)


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
