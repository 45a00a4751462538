"""Email addresses from untrusted input: one mailbox, no display-name tricks, no header breaks."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address

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


def mailbox(addr_spec: str, display_name: str | None = None) -> Address:
    """A header-safe mailbox: the display name is data, with line breaks and controls removed."""
    name = " ".join((display_name or "").split())
    name = "".join(ch for ch in name if ch.isprintable())[:100]
    local, _, domain = addr_spec.partition("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (HeaderParseError, ValueError):
        return Address(username=local, domain=domain)
