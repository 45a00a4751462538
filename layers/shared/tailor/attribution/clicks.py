"""Click tracking: every link in an email goes through the click redirect, which counts the
click and sends the customer on with UTM parameters.

After rendering, `track` gives each distinct destination of the email (the `href`s of the
HTML and the URLs of the text part) an index, stores the list once in a message record, and
replaces each link with `<click url>?t=<token>`. The token signs only the message id and the
link's index (`tailor.links` key ring, purpose "click"), so it has the same length whatever
the destination: about 85 characters (the text part stays readable; a token carrying the
destination would grow with it, to 600 characters for the offer link). The redirect only
ever goes to the destination stored for that message and index: a forged or altered token
gets the plain error page and records nothing.

Not tracked: the preference and one-click unsubscribe links (a click there is not interest
in the shop) and anything that is not an absolute http(s) URL (mailto: and the like).
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tailor import clock, web
from tailor.attribution.config import AttributionSettings, get_attribution_settings
from tailor.attribution.store import Results, customer_key, expiry
from tailor.links import (
    CLICK_PURPOSE,
    InvalidToken,
    Signer,
    safe_url,
    shop_url,
    signer_from_secret,
)
from tailor.observability import at_invocation_end, logger

if TYPE_CHECKING:
    # A type only: the click redirect renders nothing and needs no Jinja.
    from tailor.render import Rendered

UTM_SOURCE, UTM_MEDIUM = "tailor", "email"

_HREF = re.compile(r"""(<a\b[^>]*?\bhref=)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# A URL in the text part, where each link stands on its own line (no brackets around it).
_TEXT_URL = re.compile(r"""https?://[^\s<>\[\]()"'`]+""")


def tracking_enabled(settings: AttributionSettings) -> bool:
    return bool(settings.click_url and settings.results_table)


def track(
    email_type: str, lang: str, email: str, content: Rendered, now: datetime | None = None
) -> Rendered:
    """The email with every trackable link through the click redirect (unchanged when the
    function has no click redirect to send them through)."""
    settings = get_attribution_settings()
    if not tracking_enabled(settings):
        return content
    moment = now or clock.now()
    message_id = secrets.token_urlsafe(9)  # 72 random bits: not guessable, 12 characters
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    destinations: list[str] = []
    click_urls: dict[str, str] = {}

    def click_url(destination: str) -> str | None:
        if not _trackable(destination, settings):
            return None
        if destination not in click_urls:
            destinations.append(destination)
            token = signer.sign(CLICK_PURPOSE, {"m": message_id, "i": len(destinations) - 1})
            click_urls[destination] = f"{settings.click_url.rstrip('/')}/?{urlencode({'t': token})}"
        return click_urls[destination]

    def in_html(match: re.Match[str]) -> str:
        wrapped = click_url(html.unescape(match.group(3)))
        if wrapped is None:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{html.escape(wrapped)}{match.group(2)}"

    def in_text(match: re.Match[str]) -> str:
        return click_url(match.group(0)) or match.group(0)

    tracked = replace(
        content, html=_HREF.sub(in_html, content.html), text=_TEXT_URL.sub(in_text, content.text)
    )
    if destinations:
        _pending_messages.append(
            {
                "pk": f"msg#{message_id}",
                "sk": "msg",
                "email_type": email_type,
                "lang": lang,
                "customer": customer_key(email) or "",
                "links": destinations,
                "sent_at": moment.isoformat(),
                "expiration": expiry(moment),
            }
        )
    return tracked


# The messages' link lists, written 25 to a BatchWriteItem call when the invocation ends
# (the alert sender sends hundreds of emails an invocation; one write each would double
# its calls). A link opened before then, or whose list was lost, goes to the shop's home.
_pending_messages: list[dict[str, Any]] = []


def flush() -> None:
    if not _pending_messages:
        return
    try:
        table = Results(get_attribution_settings().need("results_table")).table
        with table.batch_writer() as batch:
            for item in _pending_messages:
                batch.put_item(Item=item)
    finally:
        _pending_messages.clear()


at_invocation_end(flush)


def offers_shown(content: Rendered, settings: AttributionSettings) -> int:
    """1 when the email carries the add-to-your-order offer link, else 0."""
    return int(bool(settings.offer_url) and settings.offer_url.rstrip("/") in content.html)


def _trackable(url: str, settings: AttributionSettings) -> bool:
    checked = safe_url(url)
    if checked is None:
        return False
    if shop_url(checked, settings) is None and urlsplit(checked).scheme != "https":
        return False  # the redirect leaves the shop's domains for https pages only
    if settings.click_url and checked.startswith(settings.click_url.rstrip("/")):
        return False  # already tracked
    own_pages = settings.preferences_url.rstrip("/")
    return not (own_pages and checked.startswith(own_pages))


def with_utm(url: str, email_type: str, token: str) -> str:
    """The URL with Tailor's UTM parameters set (its other parameters kept, in order); the
    click token rides along as utm_content, so the order's landing site names the link."""
    parts = urlsplit(url)
    ours = {
        "utm_source": UTM_SOURCE,
        "utm_medium": UTM_MEDIUM,
        "utm_campaign": email_type,
        "utm_content": token,
    }
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode([*kept, *ours.items()])))


def follow(
    token: str | None, signer: Signer, settings: Any, lang: str, *, count: bool = True
) -> dict[str, Any]:
    """The click redirect: verify, look up the signed destination, count, redirect.
    `count` False answers without counting (a HEAD from a link checker or mail scanner)."""
    del settings  # the click redirect reads its own (AttributionSettings)
    attribution = get_attribution_settings()
    try:
        claims = signer.verify(CLICK_PURPOSE, token)
        message_id, index = str(claims["m"]), claims["i"]
        if not isinstance(index, int):
            raise InvalidToken("link index is not a number")
    except (InvalidToken, KeyError) as error:
        logger.info("click link rejected", extra={"reason": str(error)})
        return web.invalid_link(lang)
    results = Results(attribution.need("results_table"))
    message = results.message(message_id)
    links = (message or {}).get("links") or []
    if message is None:  # a genuine link whose list was never written
        logger.warning("click link of a message with no stored links")
        return web.redirect(attribution.shop_base_url)
    if not 0 <= index < len(links):
        logger.info("click link names no link we sent")
        return web.invalid_link(lang)
    assert isinstance(token, str)
    destination = str(links[index])
    if count:
        record_click(results, message, message_id, index, clock.now())
    if shop_url(destination, attribution) is not None:
        return web.redirect(with_utm(destination, str(message["email_type"]), token))
    return web.signed_redirect(destination)


def record_click(
    results: Results, message: Mapping[str, Any], message_id: str, index: int, now: datetime
) -> None:
    email_type, lang = str(message["email_type"]), str(message.get("lang") or "en")
    customer = str(message.get("customer") or "")
    now = now.astimezone(UTC)  # one zone, so the sort keys sort by time
    if customer:
        results.table.put_item(
            Item={
                "pk": f"cust#{customer}",
                "sk": f"click#{now.isoformat()}#{message_id}#{index}",
                "email_type": email_type,
                "lang": lang,
                "message": message_id,
                "link": index,
                "clicked_at": now.isoformat(),
                "expiration": expiry(now, 90),
            }
        )
    results.count(email_type, lang, now, clicked=1)
    logger.info("click", extra={"email_type": email_type, "link": index})
