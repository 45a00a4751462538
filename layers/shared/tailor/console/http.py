"""The console's HTTP: function-URL requests in, HTML pages out, under strict headers.

Every response is `no-store`, may not be framed, and runs under a Content-Security-Policy
that allows no script at all and styles only from the console's own stylesheet; forms post
only to the console itself.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tailor import web
from tailor.render import templates_root

MOUNT = "/console"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: under it browsers send `Origin: null` with same-site form posts too.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Function URLs answer on https only (browsers ignore this header over plain http).
    "Strict-Transport-Security": "max-age=63072000",
}
_LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    form: Mapping[str, str]
    cookies: Mapping[str, str]
    origin: str
    sent_origin: str | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Request:
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        host = str((event.get("requestContext") or {}).get("domainName") or "")
        # Function URLs are https only; `tailor serve` answers on loopback over http.
        scheme = "http" if _LOOPBACK.match(host) else "https"
        cookies: dict[str, str] = {}
        for pair in event.get("cookies") or []:
            name, _, value = str(pair).partition("=")
            cookies.setdefault(name.strip(), value.strip())
        method = web.method(event)
        form = (
            {k: v[0] for k, v in web.form(event, max_bytes=64 * 1024).items()}
            if method == "POST"
            else {}
        )
        return cls(
            method=method,
            path=web.path(event),
            query=web.query(event),
            form=form,
            cookies=cookies,
            origin=f"{scheme}://{host}",
            sent_origin=headers.get("origin"),
        )

    @property
    def secure(self) -> bool:
        return self.origin.startswith("https://")

    def same_origin(self) -> bool:
        """A POST's Origin, when the browser sent one, is the console's own."""
        return self.sent_origin in (None, "", self.origin)


@dataclass
class Response:
    status: int
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)

    def lambda_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "statusCode": self.status,
            "headers": {"Content-Type": "text/html; charset=utf-8", **SECURITY_HEADERS}
            | self.headers,
            "body": self.body,
        }
        if isinstance(self.body, bytes):  # a download: function URLs carry it as base64
            result.update(body=base64.b64encode(self.body).decode("ascii"), isBase64Encoded=True)
        if self.cookies:
            result["cookies"] = self.cookies
        return result


def url(path: str, **query: str) -> str:
    """A console address: `url("/tickets/T-1001")` is `/console/tickets/T-1001`."""
    clean = {k: v for k, v in query.items() if v}
    return f"{MOUNT}{path}" + (f"?{urlencode(clean)}" if clean else "")


def redirect(location: str, status: int = 303) -> Response:
    return Response(status, headers={"Location": location})


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_root() / "console"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["url"] = url
    return env


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def html(template: str, status: int = 200, **context: Any) -> Response:
    return Response(status, render(template, **context))


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    public: bool


class Router:
    """Routes by method and path under the mount; pages are signed-in unless `public`."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def page(
        self, method: str, pattern: str, *, public: bool = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            compiled = re.compile(f"^{re.escape(MOUNT)}{pattern}$")
            self.routes.append(Route(method, compiled, handler, public))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        wanted = "GET" if method == "HEAD" else method
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method == wanted:
                return route, found.groupdict()
        return None
