"""Header values we fold ourselves, so that a reader's client shows exactly our text.

The email package re-parses every string it is given as a header: an encoded-word typed
as literal text (`=?utf-8?q?a=40evil.com?=`) is decoded on the way out, and a display name
that looks like an address can end up beside the real one, unquoted. A `Folded` value is
written out as built here instead:

- ASCII text stays as written (a display name always as a quoted-string);
- anything else, or text holding `=?`, becomes RFC 2047 encoded-words (UTF-8, base64),
  each at most 75 characters and never splitting a character, adjacent ones separated by
  folding whitespace only, so a decoder gives back the exact text;
- lines break only at spaces that unfolding restores, within 76 characters when they hold
  encoded-words (RFC 2047 section 2) and 78 otherwise (RFC 5322 section 2.1.1).

Every other header we write (List-Unsubscribe, Reply-To, Auto-Submitted, our X- headers)
is `structured`: ASCII we built ourselves, folded at its spaces and never encoded. The email
package would turn a token longer than a line, such as a signed unsubscribe URL, into
encoded-words, which no mail client reads as a URL: Gmail's and Yahoo's one-click
unsubscribe would silently stop working.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from typing import Any

# A UTF-8 chunk of 39 bytes is 52 base64 characters: a 64-character encoded-word, which
# fits the first line after any header name up to 10 characters ("Reply-To: ").
_CHUNK_BYTES = 39
_EW_LINE = 76
_LINE = 78
# Message-IDs longer than this are not echoed (real ones are well under 250).
MAX_ID_CHARS = 500


class _HeaderClasses(HeaderRegistry):
    """The email package's header registry, keeping the class it makes for each header name.

    The stock registry builds a new class (a `type()` call) every time a header is set or
    read, which costs more than parsing the header itself; the class depends only on the
    name, so one per name does exactly the same."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


# The email package's policies with the header classes kept: SMTP_POLICY composes (CRLF
# line ends), DEFAULT_POLICY parses.
SMTP_POLICY = policy.SMTP.clone(header_factory=_HeaderClasses())
DEFAULT_POLICY = policy.default.clone(header_factory=_HeaderClasses())


class Folded(str):
    """A header value already folded; the email package writes it out unchanged.

    As a string it is the unfolded value (lines joined by a space, as a reader sees it)."""

    name: str
    lines: tuple[str, ...]

    def __new__(cls, name: str, lines: Sequence[str]) -> Folded:
        value = super().__new__(cls, " ".join(lines))
        value.name = name
        value.lines = tuple(lines)
        return value

    def fold(self, *, policy: Any) -> str:
        linesep = str(policy.linesep)
        return f"{self.name}: " + f"{linesep} ".join(self.lines) + linesep


def unstructured(name: str, text: str) -> Folded:
    """Free text such as a Subject, exactly as given once decoded."""
    text = _one_line(text)
    if _plain(text):
        return _fold(name, text.split(" "), _LINE)
    return _fold(name, _encoded_words(text), _EW_LINE)


def mailbox(name: str, addr_spec: str, display_name: str = "") -> Folded:
    """`"Display Name" <addr-spec>`: the name is literal text and never an address."""
    display_name = _one_line(display_name)
    if not display_name:
        return _fold(name, [addr_spec], _LINE)
    if _plain(display_name):
        escaped = display_name.replace("\\", "\\\\").replace('"', '\\"')
        return _fold(name, [*f'"{escaped}"'.split(" "), f"<{addr_spec}>"], _LINE)
    return _fold(name, [*_encoded_words(display_name), f"<{addr_spec}>"], _EW_LINE)


def message_ids(name: str, ids: Iterable[str]) -> Folded | None:
    """In-Reply-To or References: each Message-ID as the sender wrote it, one to a line.

    Malformed ones (no angle brackets, spaces) are kept verbatim; line breaks and other
    control characters are removed so no ID can add a header line, and an ID that is not
    ASCII, or absurdly long, cannot be echoed unchanged in a 7-bit header and is left out."""
    kept = [i for i in (message_id_text(i) for i in ids) if i]
    return Folded(name, list(dict.fromkeys(kept))) if kept else None


def message_id_text(value: str | None) -> str | None:
    """A Message-ID as given, unfolded and without control characters; None when unusable."""
    if not value:
        return None
    text = "".join(ch for ch in value if ch == " " or ch.isprintable()).strip()
    if not text or not text.isascii() or len(text) > MAX_ID_CHARS:
        return None
    return text


# RFC 5322 section 2.1.1: no line may be longer than 998 characters.
_MAX_LINE = 998


def structured(name: str, value: str) -> Folded:
    """A header value we built (URLs in angle brackets, keywords, an address), written as
    is: folded only at its spaces, never into encoded-words. Refuses what would need
    encoding or could start a header line of its own, naming the header."""
    if not value.isascii() or not value.isprintable() or "=?" in value:
        raise ValueError(f"the {name} header must be printable ASCII: use unstructured for text")
    folded = _fold(name, value.split(" "), _LINE)
    if max(len(line) for line in folded.lines) + len(name) + 2 > _MAX_LINE:
        raise ValueError(f"the {name} header has a word longer than a line may be (998)")
    return folded


def _one_line(text: str) -> str:
    """Whitespace runs as single spaces, controls dropped: a header value is one line."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _plain(text: str) -> bool:
    """Safe to write as is: printable ASCII that no decoder would read as an encoded-word."""
    return text.isascii() and "=?" not in text


def _encoded_words(text: str) -> list[str]:
    words, chunk = [], b""
    for ch in text:
        data = ch.encode("utf-8")
        if len(chunk) + len(data) > _CHUNK_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words if w]


def _fold(name: str, tokens: Sequence[str], limit: int) -> Folded:
    """Tokens joined by single spaces; a line breaks at one of those spaces when full."""
    lines: list[str] = []
    width = len(name) + 2
    for token in tokens:
        if lines and width + 1 + len(token) > limit:
            lines.append(token)
            width = 1 + len(token)
        elif lines:
            lines[-1] += " " + token
            width += 1 + len(token)
        else:
            lines.append(token)
            width += len(token)
    return Folded(name, lines or [""])
