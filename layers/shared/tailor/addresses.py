"""Email addresses from untrusted input: one mailbox, no display-name tricks, no header breaks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tailor import headers
from tailor.headers import Folded

if TYPE_CHECKING:
    from tailor.events.canonical import Address

# A pragmatic addr-spec: what SES and mailbox providers accept in practice.
_ADDR_SPEC = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def normalize(raw: object) -> str | None:
    """The address lower-cased, or None when it is not exactly one valid mailbox."""
    if not isinstance(raw, str):
        return None
    candidate = raw.strip()
    if not _ADDR_SPEC.fullmatch(candidate) or ".." in candidate or candidate.startswith("."):
        return None
    return candidate.lower()


def mailbox(header: str, addr_spec: str, display_name: str | None = None) -> Folded:
    """A To or From value whose display name is literal text: quoted, or RFC 2047 encoded
    when it is not plain ASCII or holds `=?`, so it never becomes or hides the address."""
    name = "".join(ch for ch in " ".join((display_name or "").split()) if ch.isprintable())
    return headers.mailbox(header, addr_spec, name[:100])


def first_mailbox(value: str) -> tuple[str, str | None]:
    """The first mailbox of an address header: (display name as written, address or None).

    The address is what the angle brackets hold, whatever the name looks like
    (`alice@example.com <bob@example.com>` is bob). Without brackets it is a bare address,
    or leniently the last word that is one (`Susie Oklahoma susie@example.com`); an
    unquoted comma in a name (`Oklahoma, Susie <susie@example.com>`) stays in the name."""
    pending: list[str] = []
    for segment in _segments(value):
        name, address = _read_mailbox(segment)
        if address is not None:
            return ", ".join([*pending, name] if name else pending), address
        if name:
            pending.append(name)
    return "", None


class _Segment:
    """One comma-separated piece of an address header, read outside quotes and comments."""

    def __init__(self) -> None:
        self.text: list[tuple[str, bool]] = []  # (text outside brackets, was it quoted)
        self.comment = ""
        self.angle: str | None = None


def _segments(value: str) -> list[_Segment]:
    segments, current, word = [], _Segment(), ""
    quoted = escaped = False
    depth = 0
    angle: str | None = None
    for ch in value:
        if escaped:
            escaped = False
            if depth:
                current.comment += ch
            else:
                word += ch
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            if ch == '"':
                current.text.append((word, True))
                quoted, word = False, ""
            else:
                word += ch
        elif depth:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            current.comment += ch if depth else " "
        elif angle is not None:
            if ch == ">":
                current.angle, angle = angle, None
            else:
                angle += ch
        elif ch in '"(<,':
            current.text.append((word, False))
            word = ""
            if ch == '"':
                quoted = True
            elif ch == "(":
                depth = 1
            elif ch == "<":
                angle = ""
            else:
                segments.append(current)
                current = _Segment()
        else:
            word += ch
    if angle is not None and current.angle is None:
        current.angle = angle  # an unclosed bracket: take what it holds
    current.text.append((word, quoted))
    segments.append(current)
    return segments


def _read_mailbox(segment: _Segment) -> tuple[str, str | None]:
    text = " ".join(" ".join(t for t, _ in segment.text).split())
    comment = " ".join(segment.comment.split())
    if segment.angle is not None:
        route_free = segment.angle.strip().rpartition(":")[2]  # obsolete source route
        return text, normalize(route_free)
    # A bare address is the last unquoted word; quoted text is always name.
    last, quoted = next(((t, q) for t, q in reversed(segment.text) if t.strip()), ("", True))
    words = last.split()
    if quoted or not words or normalize(words[-1]) is None:
        return text, None
    name = " ".join(text.split()[:-1])
    return name or comment, normalize(words[-1])


# Where the city, province and postcode share one line in that order ("Austin, TX 78701").
CITY_FIRST = frozenset({"US", "CA", "AU"})


def postal_lines(address: Address | None, locale: str | None = None) -> list[str]:
    """The address as it goes on a parcel: name, street lines, the city's line, and the
    country named in `locale`'s language (the address's own name without one)."""
    if address is None:
        return []
    # Babel's territory names load on first use, not at every sender's cold start.
    from tailor import i18n

    code = (address.country_code or "").upper()
    if not code or code in CITY_FIRST:
        place = ", ".join(filter(None, [address.city, address.province]))
        places = [" ".join(filter(None, [place, address.zip]))]
    else:
        places = [" ".join(filter(None, [address.zip, address.city])), address.province or ""]
    named = i18n.country(code, locale, address.country) if locale else address.country
    lines = [address.name, address.address1, address.address2, *places, named]
    return [line for line in lines if line]
