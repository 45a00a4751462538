"""The events functions receive: files from events/, and the requests a function URL gets."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tailor_local.template import REPO_ROOT

EVENTS = REPO_ROOT / "events"


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


def url_request(
    path: str = "/",
    query: dict[str, str] | None = None,
    method: str = "GET",
    form: dict[str, str | list[str]] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """A Lambda function-URL request (payload format 2.0)."""
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
