"""What every console page shares: the router pages register on, the navigation, the
request's context (the signed-in session, the desk) and the frame for a previewed email.
Pages live in their own modules (`app`, `copy_pages`, `results`) and import this one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tailor import clock
from tailor.console.auth import Console, Session
from tailor.console.http import Request, Response, Router, html
from tailor.settings import get_settings
from tailor.support.runtime import Desk

router = Router()
# (label, path, section): the section a page names marks its entry as the current one.
NAV = (("Desk", "/", "desk"), ("Copy", "/copy/", "copy"), ("Results", "/results/", "results"))


@dataclass
class Context:
    request: Request
    console: Console
    session: Session | None

    @cached_property
    def desk(self) -> Desk:
        return Desk.from_env()

    @property
    def me(self) -> Session:
        assert self.session is not None, "a signed-in page ran without a session"
        return self.session

    def page(self, template: str, status: int = 200, **values: Any) -> Response:
        return html(
            template,
            status,
            nav=NAV,
            session=self.session,
            csrf=self.session.csrf if self.session else "",
            shop=get_settings().shop_name,
            **values,
        )

    def audit(self, action: str, **detail: Any) -> None:
        self.console.audit(self.me.email, action, clock.now(), **detail)


def framed(email_html: str | None) -> Response:
    """A previewed email's HTML for an iframe of the console's own pages: its inline
    styles apply, nothing else runs (sandbox), no other site may frame it."""
    response = Response(200 if email_html else 404, email_html or "")
    response.headers.update(
        {
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src https: data:; frame-ancestors 'self'; sandbox",
            "X-Frame-Options": "SAMEORIGIN",
        }
    )
    return response
