"""`tailor serve`: the template's function URLs on local HTTP, so links open in a browser.

Each function with a FunctionUrlConfig answers at `http://127.0.0.1:PORT/<FunctionId>/...`,
the address the local template gives `!GetAtt <FunctionId>Url.FunctionUrl` (port 3000 by
default), so the links in emails sent by `tailor run` work here. Requests become Lambda
function-URL events (payload format 2.0); the handler's answer becomes the HTTP response.
Functions run against the running local cloud (where the emails' signing key lives), or an
ephemeral one when none runs.
"""

from __future__ import annotations

import base64
import html
import json
import re
import sys
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tailor_local import outbox
from tailor_local.cloud import Cloud, command_template, open_cloud
from tailor_local.invoke import Outcome
from tailor_local.runner import Runner
from tailor_local.state import LocalError
from tailor_local.template import Function, Template

# Paths served by a function whose app owns the whole path, prefix included.
MOUNTS = {"console": "ConsoleFunction"}
SIGN_IN_LINK = re.compile(r"http://127\.0\.0\.1:\d+/console/sign-in/link\?token=[\w-]+")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
TEXT_SUFFIXES = ("+json", "+xml")


def url_template(port: int, overrides: Mapping[str, str] | None = None) -> Template:
    """The template with its function URLs on this port."""
    plain = command_template(overrides)
    urls = {
        function_id: f"http://127.0.0.1:{port}/{function_id}/"
        for function_id, function in plain.functions().items()
        if function.has_url
    }
    return command_template(overrides, urls)


def function_url_event(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    source_ip: str,
    function_id: str,
    now: datetime,
    mounted: bool = False,
) -> dict[str, Any]:
    """The payload-2.0 event Lambda builds for a request received at `now` (the path
    without the function's segment, unless the function is `mounted` there)."""
    parts = urlsplit(target)
    path = "/" + parts.path.split("/", 2)[2] if parts.path.count("/") >= 2 else "/"
    if mounted:
        path = parts.path
    lowered = {k.lower(): v for k, v in headers.items()}
    cookies = [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()]
    now = now.astimezone(UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": parts.query,
        "headers": lowered,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": function_id.lower(),
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": function_id.lower(),
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query = parse_qs(parts.query, keep_blank_values=True)
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    if body:
        content_type = lowered.get("content-type", "").split(";")[0].strip().lower()
        textual = content_type.startswith(TEXT_TYPES) or content_type.endswith(TEXT_SUFFIXES)
        try:
            event["body"] = body.decode("utf-8") if textual else None
        except UnicodeDecodeError:
            event["body"] = None
        if event["body"] is None:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


def http_response(outcome: Outcome) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body from what the handler returned (Lambda's rules for URLs)."""
    if not outcome.ok:
        body = json.dumps({"message": "Internal Server Error"}).encode()
        return 502, [("Content-Type", "application/json")], body
    result = outcome.result
    if not isinstance(result, dict) or "statusCode" not in result:
        return 200, [("Content-Type", "application/json")], json.dumps(result).encode()
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    headers += [("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or []]
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return int(result["statusCode"]), headers, body


class FunctionUrls:
    """Routes requests to the URL functions; one invocation at a time (handlers share env)."""

    def __init__(self, template: Template, cloud: Cloud, port: int) -> None:
        self.runner = Runner(template, cloud)
        self.port = port
        self.functions: dict[str, Function] = {
            fid: f for fid, f in template.functions().items() if f.has_url
        }
        self.lock = threading.Lock()

    def index(self) -> bytes:
        items = "".join(
            f'<li><a href="/{fid}/">http://127.0.0.1:{self.port}/{fid}/</a></li>'
            for fid in sorted(self.functions)
        )
        return (
            "<!doctype html><meta charset=utf-8><title>Tailor function URLs</title>"
            "<body style='font-family:system-ui;margin:2rem'><h1>Function URLs</h1>"
            f"<ul>{items}</ul></body>"
        ).encode()

    def handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        function_id = urlsplit(request.path).path.split("/")[1]
        mounted = function_id in MOUNTS
        function_id = MOUNTS.get(function_id, function_id)
        function = self.functions.get(function_id)
        if function is None:
            self._send(
                request,
                404 if function_id else 200,
                [("Content-Type", "text/html")],
                self._missing(function_id),
            )
            return
        with self.lock:
            # `tailor clock advance` may have moved the local clock since the last request.
            self.runner.cloud.state.refresh()
            event = function_url_event(
                request.command,
                request.path,
                dict(request.headers.items()),
                body,
                request.client_address[0],
                function_id,
                self.runner.clock.now(),
                mounted,
            )
            # Unlike AWS, what the function set off is done before the page is answered, so a
            # page on the screen means its emails are in the outbox.
            report = self.runner.invoke_once(
                function, event, trigger=f"function URL {request.command}", drain=True
            )
        outcome = report.invocations[0].outcome
        status, headers, payload = http_response(outcome)
        self._send(request, status, headers, b"" if request.command == "HEAD" else payload)
        line = f"{request.command} {request.path[:80]} -> {status} ({function_id})"
        if not outcome.ok:
            line += f": {outcome.reason}"
        for send in report.sends:
            line += f"; sent {send.email_type} to {', '.join(send.recipients)}"
        print(line, flush=True)
        self._print_sign_in_links({s.ses_message_id for s in report.sends})

    def _print_sign_in_links(self, ses_message_ids: set[str]) -> None:
        """The console's sign-in link, so a person signs in without opening the outbox."""
        for email in outbox.emails(self.runner.cloud):
            if email.sent.ses_message_id in ses_message_ids:
                found = SIGN_IN_LINK.search(email.text)
                if found:
                    print(f"  sign-in link for {email.recipient}: {found.group(0)}", flush=True)

    def _missing(self, function_id: str) -> bytes:
        if not function_id:
            return self.index()
        known = ", ".join(sorted(self.functions)) or "none"
        return (
            f"<!doctype html><meta charset=utf-8><p>No function URL named "
            f"{html.escape(function_id)} in template.yaml (known: {html.escape(known)}).</p>"
        ).encode()

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        request.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
        request.wfile.flush()


def make_server(urls: FunctionUrls, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            urls.handle(self, self.rfile.read(length) if length else b"")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    try:
        return ThreadingHTTPServer(("127.0.0.1", port), Handler)
    except OSError as error:
        raise LocalError(
            f"port {port} on 127.0.0.1 is in use ({error.strerror}); choose another with "
            "`tailor serve --port N`"
        ) from None


def main(port: int, overrides: Mapping[str, str] | None = None) -> None:
    template = url_template(port, overrides)
    with open_cloud(template) as cloud:
        urls = FunctionUrls(template, cloud, port)
        server = make_server(urls, port)
        if cloud.ephemeral:
            print(
                "note: no local cloud is running, so these functions see an empty, ephemeral "
                "one (links from emails of earlier runs will not verify); "
                "`tailor local start` keeps one",
                file=sys.stderr,
            )
        print(f"Serving function URLs of template.yaml with {cloud.describe()}:")
        for function_id in sorted(urls.functions):
            print(f"  http://127.0.0.1:{port}/{function_id}/")
        print(f"Staff console: http://127.0.0.1:{port}/console/ (sign-in links land in the outbox)")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
