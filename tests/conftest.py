"""Shared fixtures: a moto account built from template.yaml, events from events/, the outbox.

Unit tests run with the network blocked (pytest-socket); only moto, in-process, answers.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        # moto does not serve the account-id endpoints botocore picks for DynamoDB Streams.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_METRICS_NAMESPACE": "Tailor",
        "POWERTOOLS_DEV": "false",
    }
)

from moto import mock_aws
from tailor_local import moto_fixes
from tailor_local.invoke import invoke
from tailor_local.provision import provision
from tailor_local.template import REPO_ROOT, Template

EVENTS = REPO_ROOT / "events"
# Noon in Chicago on a Wednesday: outside quiet hours for the shop's customers, whatever the
# machine's clock or time zone says.
PINNED_NOW = "2026-11-25T18:00:00+00:00"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs at PINNED_NOW (tailor.clock.now() honours TAILOR_NOW) unless it sets its
    own; the wall clock never decides an outcome."""
    monkeypatch.setenv("TAILOR_NOW", PINNED_NOW)


def load_event(name: str) -> dict[str, Any]:
    """An event file from events/ (path relative to it)."""
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


def order_with_consent(
    state: str, updated_at: str | None, order_id: str | None = None
) -> dict[str, Any]:
    """Shopify's order #1001 (another id if given) carrying the customer's
    email_marketing_consent, as Shopify sends it on the order's customer."""
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    if order_id is not None:
        payload["id"] = int(order_id)
    payload["customer"]["email_marketing_consent"] = {
        "state": state,
        "opt_in_level": "single_opt_in",
        "consent_updated_at": updated_at,
    }
    return event


@pytest.fixture(scope="session")
def template() -> Template:
    return Template()


@pytest.fixture
def cloud(template: Template) -> Iterator[Template]:
    """A fresh moto account holding every runtime resource template.yaml declares."""
    moto_fixes.install()
    with mock_aws():
        provision(template)
        yield template


class Outbox:
    """What SES accepted, parsed back into MIME messages."""

    def __init__(self) -> None:
        from moto.ses.models import ses_backends

        self._backend = ses_backends["123456789012"]["us-east-1"]

    @property
    def messages(self) -> list[EmailMessage]:
        parsed = []
        for sent in self._backend.sent_messages:
            raw = getattr(sent, "raw_data", None)
            if raw is None:
                continue
            data = raw if isinstance(raw, bytes) else raw.encode()
            parsed.append(email.message_from_bytes(data, policy=email.policy.default))
        return parsed  # type: ignore[return-value]

    def only(self) -> EmailMessage:
        assert len(self.messages) == 1, f"expected one email, SES has {len(self.messages)}"
        return self.messages[0]


@pytest.fixture
def outbox(cloud: Template) -> Outbox:
    return Outbox()


@pytest.fixture
def run(cloud: Template) -> Any:
    """Invoke a template function by logical id with an event."""

    def _run(function_id: str, event: Any) -> Any:
        return invoke(cloud.function(function_id), event)

    return _run


def url_request(
    path: str = "/",
    query: dict[str, str] | None = None,
    method: str = "GET",
    form: dict[str, str | list[str]] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """A Lambda function-URL request (payload format 2.0)."""
    from urllib.parse import urlencode

    query = query or {}
    if form is not None:
        body = urlencode(form, doseq=True)
    return {
        "version": "2.0",
        "rawPath": path,
        "rawQueryString": urlencode(query),
        "queryStringParameters": query or None,
        "requestContext": {"http": {"method": method, "path": path}},
        "headers": {"content-type": "application/x-www-form-urlencoded"} if body else {},
        "body": body,
        "isBase64Encoded": False,
    }


def link_token(html: str, marker: str) -> str:
    """The `t` token of the first link in `html` whose URL contains `marker`."""
    from urllib.parse import parse_qs, urlparse

    start = html.index(marker)
    start = html.rindex('"', 0, start) + 1
    url = html[start : html.index('"', start)].replace("&amp;", "&")
    return parse_qs(urlparse(url).query)["t"][0]


def links_in(html: str) -> list[str]:
    """Every `href` and `src` value in `html`, unescaped as a browser reads them."""
    from html.parser import HTMLParser

    found: list[str] = []

    class _Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v or "" for k, v in attrs if k in ("href", "src"))

    _Links().feed(html)
    return found


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no text/html part"
    return str(part.get_content())


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    return str(part.get_content())


__all__ = ["Outbox", "Path", "html_part", "links_in", "load_event", "text_part"]
