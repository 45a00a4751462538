"""Function-URL responses (payload format 2.0): small HTML pages and redirects.

Pages are rendered from `templates/pages/` with autoescaping, carry no-store caching (they
reflect a customer's current state) and never echo a token or an address back.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from tailor.links import safe_url, shop_url
from tailor.observability import logger
from tailor.render import renderer
from tailor.settings import get_settings

if TYPE_CHECKING:
    from tailor.links import Signer
    from tailor.settings import Settings

_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Frame-Options": "DENY",
}


def page(
    status: int, title: str, message: str, template: str = "pages/layout.html.j2", **extra: Any
) -> dict[str, Any]:
    settings = get_settings()
    body = (
        renderer()
        .env.get_template(template)
        .render(
            title=title,
            message=message,
            lang=extra.pop("lang", "en"),
            shop={"name": settings.shop_name, "url": settings.shop_base_url},
            **extra,
        )
    )
    return {
        "statusCode": status,
        "headers": {"Content-Type": "text/html; charset=utf-8", **_SECURITY_HEADERS},
        "body": body,
    }


LinkOpener = Callable[[str | None, "Signer", "Settings"], dict[str, Any]]


def follow_signed_link(event: Mapping[str, Any], open_link: LinkOpener) -> dict[str, Any]:
    """A customer opened a signed link (`?t=`): GET or HEAD only, verified by `open_link`."""
    from tailor.links import signer_from_secret

    if method(event) not in ("GET", "HEAD"):
        return page(405, "Not allowed", "Open this link in your browser.")
    settings = get_settings()
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    return open_link(query(event).get("t"), signer, settings)


def invalid_link() -> dict[str, Any]:
    """The plain page for a forged, truncated or otherwise broken signed link."""
    return page(400, "This link is not valid", "The link may have been cut short or changed.")


def redirect(location: str) -> dict[str, Any]:
    """A redirect within the shop: a target that is unsafe or off the shop's own domains
    (links.shop_url) leads to the shop's home page instead, never elsewhere."""
    settings = get_settings()
    checked = shop_url(location, settings)
    if checked is None:
        logger.warning("redirect target refused: not a URL on the shop's domain")
        checked = settings.shop_base_url
    return _found(checked)


def signed_redirect(location: str) -> dict[str, Any]:
    """A redirect off the shop's domains, to a destination Tailor itself signed (a click
    link's): https only, else the shop's home page."""
    checked = safe_url(location)
    if checked is None or not checked.startswith("https://"):
        logger.warning("redirect target refused: not an https URL")
        return _found(get_settings().shop_base_url)
    return _found(checked)


def _found(location: str) -> dict[str, Any]:
    return {"statusCode": 302, "headers": {"Location": location, **_SECURITY_HEADERS}, "body": ""}


def method(event: Mapping[str, Any]) -> str:
    context = event.get("requestContext") or {}
    return str((context.get("http") or {}).get("method") or "GET").upper()


def path(event: Mapping[str, Any]) -> str:
    return str(event.get("rawPath") or "/")


def query(event: Mapping[str, Any]) -> dict[str, str]:
    params = event.get("queryStringParameters") or {}
    return {str(k): str(v) for k, v in params.items()} if isinstance(params, Mapping) else {}


def form(event: Mapping[str, Any], max_bytes: int = 16384) -> dict[str, list[str]]:
    """A url-encoded POST body (decoded from base64 when the function URL encoded it)."""
    body = event.get("body") or ""
    if not isinstance(body, str) or len(body) > max_bytes:
        return {}
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body).decode("utf-8")
        except ValueError:
            return {}
    return parse_qs(body, keep_blank_values=True, max_num_fields=50)
