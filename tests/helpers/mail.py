"""The mail SES accepted, parsed back into MIME messages, and the parts and links in them."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

from tailor_local.template import ACCOUNT, REGION


class Outbox:
    """What SES accepted in the in-process moto account, parsed back into MIME messages."""

    def __init__(self) -> None:
        from moto.ses.models import ses_backends

        self._backend = ses_backends[ACCOUNT][REGION]

    @property
    def messages(self) -> list[EmailMessage]:
        parsed: list[EmailMessage] = []
        for sent in self._backend.sent_messages:
            raw = getattr(sent, "raw_data", None)
            if raw is None:
                continue
            data = raw if isinstance(raw, bytes) else raw.encode()
            parsed.append(email.message_from_bytes(data, policy=email.policy.default))
        return parsed

    def only(self) -> EmailMessage:
        assert len(self.messages) == 1, f"expected one email, SES has {len(self.messages)}"
        return self.messages[0]


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no text/html part"
    return str(part.get_content())


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    return str(part.get_content())


def link_token(html: str, marker: str) -> str:
    """The `t` token of the first link in `html` whose URL contains `marker`."""
    start = html.index(marker)
    start = html.rindex('"', 0, start) + 1
    url = html[start : html.index('"', start)].replace("&amp;", "&")
    return parse_qs(urlparse(url).query)["t"][0]


def links_in(html: str) -> list[str]:
    """Every `href` and `src` value in `html`, unescaped as a browser reads them."""
    found: list[str] = []

    class _Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v or "" for k, v in attrs if k in ("href", "src"))

    _Links().feed(html)
    return found
