"""What the customer wrote now, apart from what they quoted and their signature.

Mail clients quote in many ways: `On <date>, <name> wrote:` (and its translations), lines
starting with `>`, Outlook's `From: / Sent: / To: / Subject:` block, `-----Original
Message-----` separators. A signature starts at the `-- ` line (RFC 3676) or at a mobile
client's "Sent from my ..." line. Only the new text is classified and shown first to the
agent; the rest is kept, never thrown away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A reply header, possibly wrapped over two lines by the client.
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"on\b.{0,300}\bwrote\s*:"  # English (Gmail, Apple Mail, Thunderbird)
    r"|am\b.{0,300}\bschrieb\b.{0,200}:"  # German
    r"|le\b.{0,300}\ba\s+écrit\s*:"  # French
    r"|el\b.{0,300}\bescribió\s*:"  # Spanish
    r"|op\b.{0,300}\bschreef\b.{0,200}:"  # Dutch
    r"|il\b.{0,300}\bha\s+scritto\s*:"  # Italian
    r")\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|"
    r"forwarded message|mensaje original)\s*-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:from|von|de|van)\s*:\*?\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|gesendet|datum|an|betreff|envoyé|à|objet|cc)\s*:",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(?:-- ?|--)$")
_MOBILE = re.compile(
    r"^\s*(?:sent from my \S.*|sent from (?:outlook|mail) for \S.*|get outlook for \S.*"
    r"|von meinem \S.* gesendet|envoyé de mon \S.*)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Split:
    new: str
    quoted: str
    signature: str


def split_reply(text: str) -> Split:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _quote_start(lines)
    head, quoted = lines[:cut], lines[cut:]
    # Interleaved or top-quoted `>` lines above the cut are quotes too.
    new_lines: list[str] = []
    more_quoted: list[str] = []
    for line in head:
        (more_quoted if line.lstrip().startswith(">") else new_lines).append(line)
    signature: list[str] = []
    for index, line in enumerate(new_lines):
        if _SIGNATURE.match(line.rstrip()) or _MOBILE.match(line):
            new_lines, signature = new_lines[:index], new_lines[index:]
            break
    return Split(
        new=_tidy(new_lines),
        quoted=_tidy(more_quoted + quoted),
        signature=_tidy(signature),
    )


def _quote_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        joined = f"{line} {lines[index + 1]}" if index + 1 < len(lines) else line
        if _ATTRIBUTION.match(line) or (_ATTRIBUTION.match(joined) and line.strip()):
            return index
        if _SEPARATOR.match(line):
            return index
        if _OUTLOOK_FROM.match(line):
            following = [n for n in lines[index + 1 : index + 5] if n.strip()]
            if sum(1 for n in following if _OUTLOOK_NEXT.match(n)) >= 2:
                return index
    return len(lines)


def _tidy(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip()
