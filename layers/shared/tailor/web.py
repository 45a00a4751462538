"""Function-URL responses (payload format 2.0): small HTML pages and redirects.

Pages are rendered from `templates/pages/` with autoescaping, carry no-store caching (they
reflect a customer's current state) and never echo a token or an address back. Their words
are copy (`templates/pages/copy/<lang>.json`, tailor.copy) in the customer's language: the
profile's when the link names the customer, else the browser's (Accept-Language), else the
shop's default.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from markupsafe import Markup

from tailor import copy
from tailor.links import safe_url, shop_url
from tailor.observability import logger
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


PAGES = "pages"
LAYOUT = "pages/layout.html.j2"


def page(
    status: int,
    key: str,
    lang: str,
    template: str = LAYOUT,
    values: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The page `template` in `lang`; its title and message are the copy `<key>_title` and
    `<key>_message` (the message filled from `values`)."""
    # Jinja on the first page, not at cold start: a redirect renders none.
    from tailor.render import renderer

    settings = get_settings()
    words = copy.Words(PAGES, lang)
    message = words(f"{key}_message", **(values or {})) if template == LAYOUT else Markup("")
    body = (
        renderer()
        .env.get_template(template)
        .render(
            t=words,
            title=words(f"{key}_title"),
            message=message,
            lang=lang,
            shop={"name": settings.shop_name, "url": settings.shop_base_url},
            **extra,
        )
    )
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": "text/html; charset=utf-8",
            "Content-Language": lang,
            "Vary": "Accept-Language",
            **_SECURITY_HEADERS,
        },
        "body": body,
    }


def language(event: Mapping[str, Any], customer_tag: str | None = None) -> str:
    """The language a page is written in: the customer's (their profile's locale) when
    known, else the browser's most preferred supported language, else the shop's default."""
    default = get_settings().default_locale
    if customer_tag:
        return copy.resolve_language(customer_tag, default)
    for tag in accept_language(header(event, "accept-language")):
        supported = copy.supported_language(tag)
        if supported:
            return supported
    return copy.resolve_language(None, default)


def accept_language(value: str | None) -> list[str]:
    """The language tags of an Accept-Language header (RFC 9110 12.5.4), most preferred
    first: by q-value, ties in the header's order; `q=0` (not acceptable) and `*` dropped."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((value or "").split(",")):
        tag, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, number = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and 0 < quality <= 1:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def header(event: Mapping[str, Any], name: str) -> str | None:
    """A request header (function URLs give their names in lower case)."""
    headers = event.get("headers") or {}
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if str(key).lower() == name and isinstance(value, str):
            return value
    return None


# (token, signer, settings, the page's language)
LinkOpener = Callable[[str | None, "Signer", "Settings", str], dict[str, Any]]


def follow_signed_link(event: Mapping[str, Any], open_link: LinkOpener) -> dict[str, Any]:
    """A customer opened a signed link (`?t=`): GET or HEAD only, verified by `open_link`."""
    from tailor.links import signer_from_secret

    lang = language(event)
    if method(event) not in ("GET", "HEAD"):
        return page(405, "not_allowed", lang)
    settings = get_settings()
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    return open_link(query(event).get("t"), signer, settings, lang)


def invalid_link(lang: str) -> dict[str, Any]:
    """The plain page for a forged, truncated or otherwise broken signed link."""
    return page(400, "invalid_link", lang)


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
