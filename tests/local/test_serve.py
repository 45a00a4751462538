"""`tailor serve`: the links in emails open through the function URLs on local HTTP."""

from __future__ import annotations

import base64
import copy
import http.client
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from tailor import clock
from tailor_local import outbox
from tailor_local.cloud import open_cloud
from tailor_local.events import load
from tailor_local.invoke import Outcome
from tailor_local.runner import Runner
from tailor_local.schedules import Clock, parse_duration
from tailor_local.serve import (
    FunctionUrls,
    function_url_event,
    http_response,
    make_server,
    url_template,
)
from tailor_local.state import State
from tailor_local.template import REPO_ROOT

SHOPIFY = REPO_ROOT / "events" / "shopify"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def site() -> Iterator[tuple[Runner, str]]:
    """A shop with products, and its function URLs served on a free port."""
    port = free_port()
    template = url_template(port)
    with open_cloud(template, ephemeral=True) as cloud:
        runner = Runner(template, cloud)
        for name in ("products-create.json", "products-update.json"):
            (item,) = load(SHOPIFY / name)
            runner.deliver(item.event)
        server = make_server(FunctionUrls(template, cloud, port), port)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield runner, f"127.0.0.1:{port}"
        finally:
            server.shutdown()
            server.server_close()


def get(host: str, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request(method, path)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def order_just_placed() -> dict[str, Any]:
    (item,) = load(SHOPIFY / "orders-create.json")
    event = copy.deepcopy(item.event)
    payload = event["detail"]["payload"]
    payload["line_items"] = [li for li in payload["line_items"] if li["title"] == "Classic Oxford"]
    now = clock.now().isoformat()
    payload.update(created_at=now, processed_at=now)
    return event


@pytest.mark.enable_socket
def test_the_offer_link_in_a_confirmation_redirects_to_the_cart(site: tuple[Runner, str]) -> None:
    runner, host = site
    runner.deliver(order_just_placed())
    (sent,) = outbox.emails(runner.cloud)
    link = re.search(r'href="(http://127\.0\.0\.1:\d+/OfferRedirectFunction/\?t=[^"]+)"', sent.html)
    assert link is not None, "no offer link in the confirmation"
    url = urlsplit(link.group(1).replace("&amp;", "&"))
    assert url.netloc == host

    status, headers, _ = get(host, f"{url.path}?{url.query}")

    assert status == 302
    assert headers["location"].startswith("https://shop.example.com/cart/")


@pytest.mark.enable_socket
def test_serve_follows_the_local_clock_another_command_moves(
    site: tuple[Runner, str], tmp_path: Path
) -> None:
    runner, host = site
    # As with `tailor local start`: the clock lives in state.json, shared by every command.
    runner.cloud.state.path = tmp_path / "state.json"
    runner.cloud.state.save()
    runner.deliver(order_just_placed())
    (sent,) = outbox.emails(runner.cloud)
    link = re.search(r'href="http://[^/]+(/OfferRedirectFunction/\?t=[^"]+)"', sent.html)
    assert link is not None, "no offer link in the confirmation"

    # `tailor clock advance 20m`, in another process, while `tailor serve` runs.
    Clock(State.load(tmp_path / "state.json")).advance(parse_duration("20m"))
    status, _, body = get(host, link.group(1).replace("&amp;", "&"))

    assert status == 410  # the 15-minute offer is over by the local clock
    assert "This offer has ended" in body


@pytest.mark.enable_socket
def test_a_tampered_link_gets_a_friendly_page(site: tuple[Runner, str]) -> None:
    _, host = site

    status, headers, body = get(host, "/OfferRedirectFunction/?t=forged.token")

    assert status == 400
    assert headers["content-type"].startswith("text/html")
    assert "This link is not valid" in body


@pytest.mark.enable_socket
def test_an_unknown_function_url_lists_the_known_ones(site: tuple[Runner, str]) -> None:
    _, host = site

    status, _, body = get(host, "/NoSuchFunction/")

    assert status == 404
    assert "No function URL named NoSuchFunction" in body
    assert "OfferRedirectFunction" in body


def test_requests_become_payload_2_events() -> None:
    event = function_url_event(
        "POST",
        "/PreferencesFunction/unsubscribe?t=abc&x=1&x=2",
        {"Host": "127.0.0.1:3000", "Cookie": "a=1; b=2", "Content-Type": "image/png"},
        b"\x89PNG",
        "127.0.0.1",
        "PreferencesFunction",
        datetime(2026, 11, 25, 18, 0, 5, tzinfo=UTC),
    )

    assert event["version"] == "2.0"
    assert event["rawPath"] == "/unsubscribe"
    assert event["rawQueryString"] == "t=abc&x=1&x=2"
    assert event["queryStringParameters"] == {"t": "abc", "x": "1,2"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["path"] == "/unsubscribe"
    assert event["isBase64Encoded"] is True
    assert event["requestContext"]["time"] == "25/Nov/2026:18:00:05 +0000"
    assert event["requestContext"]["timeEpoch"] == 1795629605000
    assert event["body"] == "iVBORw=="


def test_handler_answers_become_http_responses() -> None:
    page = Outcome(
        ok=True,
        result={
            "statusCode": 201,
            "headers": {"Content-Type": "image/png"},
            "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        },
    )
    assert http_response(page) == (
        201,
        [
            ("Content-Type", "image/png"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; HttpOnly"),
        ],
        b"\x89PNG",
    )
    # A result without statusCode is JSON with 200, as Lambda infers it for function URLs.
    assert http_response(Outcome(ok=True, result={"ok": True})) == (
        200,
        [("Content-Type", "application/json")],
        b'{"ok": true}',
    )
    failed = http_response(Outcome(ok=False, error_type="ValueError", error_message="boom"))
    assert failed[0] == 502
    assert b"boom" not in failed[2]  # the error stays in the logs, not in the response
