"""Inbound mail as it really arrives: parsed with the standard library, never trusted.

`parse_mail` turns raw RFC 5322 bytes into a `Mail`: sender, threading headers, the text
(from text/plain, or extracted from HTML-only mail), attachments with name, type and size,
whether the message was sent automatically (and so must never be answered), and what the
receiving server (SES) found about SPF, DKIM and DMARC. Nothing in it raises on bad input:
broken MIME, missing or 8-bit headers, unknown charsets and bogus transfer encodings all
degrade to the best text that can be recovered, and the problems are listed in `defects`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from tailor import addresses
from tailor.headers import DEFAULT_POLICY, message_id_text
from tailor.support.events import MailReceived
from tailor.support.quotes import Split, split_reply

MAX_PARTS = 200
MAX_DEPTH = 12
MAX_HTML_CHARS = 2_000_000
MAX_HEADER_CHARS = 2000

# What marks mail sent by machines (RFC 3834 and common practice), as data: machines.json.
MACHINES = Path(__file__).with_name("machines.json")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int
    part: str
    inline: bool = False
    content_id: str | None = None
    data: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Authentication:
    """What the receiving server found: results as lower-case words, domains as checked."""

    spf: str = "none"
    spf_domain: str | None = None
    dkim: tuple[tuple[str, str | None], ...] = ()
    dmarc: str = "none"
    dmarc_domain: str | None = None

    def vouches_for(self, domain: str | None) -> bool:
        """True when DMARC passed for the From domain itself, or SPF or DKIM passed for a
        domain aligned with it."""
        if not domain:
            return False
        if self.dmarc == "pass" and (self.dmarc_domain or "").rstrip(".") == domain.lower():
            return True
        if any(result == "pass" and aligned(d, domain) for result, d in self.dkim):
            return True
        return self.spf == "pass" and aligned(self.spf_domain, domain)


@dataclass(frozen=True)
class Mail:
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    sender: str | None
    sender_name: str
    recipients: tuple[str, ...]
    date: datetime | None
    text: str
    body: Split
    html_only: bool
    attachments: tuple[Attachment, ...]
    automated: str | None
    no_auto_reply: bool
    authentication: Authentication
    dkim_signers: tuple[str, ...] = ()
    defects: tuple[str, ...] = ()

    @property
    def sender_domain(self) -> str | None:
        return self.sender.rpartition("@")[2] if self.sender else None

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this one answers, nearest first."""
        return tuple(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


def parse_mail(raw: bytes, *, max_text_chars: int = 100_000) -> Mail:
    message = BytesParser(policy=DEFAULT_POLICY).parsebytes(raw)
    defects = [type(d).__name__ for d in getattr(message, "defects", [])]
    sender_name, sender = _sender(message)
    text_parts: list[str] = []
    attachments: list[Attachment] = []
    html_only = _collect(message, "1", 0, text_parts, attachments, defects)
    text = "\n\n".join(t.strip("\n") for t in text_parts if t.strip())[:max_text_chars]
    return Mail(
        message_id=message_id_text(_raw_text(message, "Message-ID")),
        in_reply_to=_message_ids(message, "In-Reply-To"),
        references=_message_ids(message, "References")[-50:],
        subject=header(message, "Subject") or "",
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(_recipients(message)),
        date=_date(header(message, "Date")),
        text=text,
        body=split_reply(text),
        html_only=html_only and bool(text),
        attachments=tuple(attachments),
        automated=automated(message, sender, sender_name),
        no_auto_reply=_MACHINES.suppresses_auto_replies(message),
        authentication=authentication(message),
        dkim_signers=dkim_domains(message),
        defects=tuple(dict.fromkeys(defects)),
    )


# ---------------------------------------------------------------------- headers
def header(message: Message, name: str) -> str | None:
    """A header as readable text, whatever its encoding; None when absent.

    Raw 8-bit bytes (not allowed in headers, common anyway) are read as UTF-8, else as
    Windows-1252; RFC 2047 encoded-words are decoded by `decode_bytes`, so a mislabelled
    charset is read as its superset and an unknown one as UTF-8 or Windows-1252."""
    raw = _raw_text(message, name)
    if raw is None:
        return None
    return _printable(_decode_words(raw))[:MAX_HEADER_CHARS]


def _raw_text(message: Message, name: str) -> str | None:
    """The header as the sender wrote it, unfolded, with raw 8-bit bytes read as text."""
    raw = _raw_header(message, name)
    if raw is None:
        return None
    raw = raw.replace("\r", "").replace("\n", "")
    if not _has_8bit(raw):
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _raw_header(message: Message, name: str) -> str | None:
    wanted = name.lower()
    items = message.raw_items() if isinstance(message, EmailMessage) else message.items()
    for key, value in items:
        if key.lower() == wanted:
            return str(value)
    return None


def _has_8bit(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _decode_words(text: str) -> str:
    """RFC 2047 encoded-words decoded; the whitespace between adjacent ones is dropped."""
    if "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except Exception:  # a broken encoded-word
        return text
    decoded = []
    for data, charset in parts:
        if isinstance(data, str):
            decoded.append(data)
        elif charset and charset != "unknown-8bit":
            decoded.append(decode_bytes(data, charset))
        else:
            decoded.append(data.decode("raw-unicode-escape", errors="replace"))
    return "".join(decoded)


def _printable(text: str) -> str:
    """Drop control characters and fold whitespace (a header value is one line)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _message_ids(message: Message, name: str) -> tuple[str, ...]:
    """The Message-IDs a threading header lists; a malformed value as one ID, verbatim."""
    value = message_id_text(_raw_text(message, name))
    if value is None:
        return ()
    return tuple(_MESSAGE_ID.findall(value)) or (value,)


def _sender(message: Message) -> tuple[str, str | None]:
    """The From mailbox, read from the header as written: an encoded-word in the display
    name is decoded only after the address is found, so it can never become the address."""
    name, address = addresses.first_mailbox(_raw_text(message, "From") or "")
    return _printable(_decode_words(name)), address


def _recipients(message: Message) -> Iterator[str]:
    for name in ("To", "Cc", "Delivered-To"):
        value = header(message, name)
        for _, address in getaddresses([value] if value else []):
            normalized = addresses.normalize(address)
            if normalized:
                yield normalized


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else None


# ---------------------------------------------------------------------- loops
class Machines:
    """What machines.json knows about mail sent by machines, compiled once."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.headers: list[dict[str, Any]] = data["headers"]
        self.no_auto_reply: dict[str, Any] = data["no_auto_reply"]
        self.report_types: dict[str, str] = data["report_types"]
        self.report_parts: dict[str, str] = data["report_parts"]
        self.local_parts = re.compile("^(?:" + "|".join(data["local_parts"]) + ")$", re.IGNORECASE)
        self.display_names = frozenset(n.lower() for n in data["display_names"])
        self.subjects = re.compile(r"^\s*(?:" + "|".join(data["subjects"]) + ")", re.IGNORECASE)

    @classmethod
    def load(cls, path: Path = MACHINES) -> Machines:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def header_reason(self, message: Message) -> str | None:
        for rule in self.headers:
            value = header(message, rule["header"])
            if value is None:
                continue
            word = value.split(";")[0].strip().lower()
            if "values" in rule:
                matched = word in rule["values"]
            else:
                matched = bool(word) and word not in rule.get("except", [])
            if matched:
                return str(rule["reason"]).format(value=word)
        return None

    def suppresses_auto_replies(self, message: Message) -> bool:
        """The sender (a person) asked for no automatic replies: file it, never answer it."""
        rule = self.no_auto_reply
        value = (header(message, rule["header"]) or "").lower()
        return any(word in value for word in rule["values"])

    def report_reason(self, message: Message) -> str | None:
        """A delivery, feedback or disposition report, whatever multipart carries it."""
        if message.get_content_type() == "multipart/report":
            report_type = str(message.get_param("report-type") or "").lower()
            return self.report_types.get(report_type, "delivery or disposition report")
        for number, part in enumerate(message.walk()):
            if number > MAX_PARTS:
                break
            reason = self.report_parts.get(part.get_content_type())
            if reason:
                return reason
        return None

    def sender_reason(self, sender: str | None, sender_name: str) -> str | None:
        if sender is not None:
            local = sender.partition("@")[0].partition("+")[0]
            if self.local_parts.match(local):
                return "machine sender"
        if sender_name.strip(" \"'").lower() in self.display_names:
            return "machine sender"
        return None


_MACHINES = Machines.load()


def automated(message: Message, sender: str | None, sender_name: str = "") -> str | None:
    """Why this message must never be answered automatically (RFC 3834), or None."""
    try:
        return (
            _MACHINES.header_reason(message)
            or _MACHINES.report_reason(message)
            or _MACHINES.sender_reason(sender, sender_name)
            or _subject_reason(header(message, "Subject") or "")
        )
    except Exception:  # broken MIME still reads as from a machine or not by its headers
        return _MACHINES.header_reason(message) or _MACHINES.sender_reason(sender, sender_name)


def _subject_reason(subject: str) -> str | None:
    return "automatic reply subject" if _MACHINES.subjects.match(subject) else None


# ---------------------------------------------------------------------- authentication
_AR_RESULT = re.compile(r"^\s*(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_AR_PROPERTY = re.compile(
    r"\b(smtp\.mailfrom|envelope-from|header\.d|header\.i|header\.from)\s*=\s*([^\s;]+)",
    re.IGNORECASE,
)
TRUSTED_AUTHSERV_IDS = frozenset({"amazonses.com"})


def authentication(message: Message) -> Authentication:
    """SPF, DKIM and DMARC as the receiving server recorded them.

    Only Authentication-Results that SES itself added count: it prepends its own header,
    and any further down were written by whoever sent the mail (RFC 8601 section 5)."""
    spf, spf_domain, dmarc, dmarc_domain = "none", None, "none", None
    dkim: list[tuple[str, str | None]] = []
    for value in _all(message, "Authentication-Results"):
        value = re.sub(r"\([^()]*\)", " ", value)  # comments
        authserv = (value.split(";", 1)[0].split() or [""])[0].lower()
        if authserv not in TRUSTED_AUTHSERV_IDS:
            break  # the trusted headers are on top; stop at the first foreign one
        method = ""
        for segment in value.split(";")[1:]:
            result = _AR_RESULT.match(segment)
            if result:
                method, outcome = result.group(1).lower(), result.group(2).lower()
                if method == "spf":
                    spf = outcome
                elif method == "dkim":
                    dkim.append((outcome, None))
                else:
                    dmarc = outcome
            for name, raw in _AR_PROPERTY.findall(segment):
                domain = raw.strip("<>\"'").rpartition("@")[2].lower() or None
                name = name.lower()
                if method == "spf" and name in ("smtp.mailfrom", "envelope-from"):
                    spf_domain = domain
                elif method == "dkim" and name in ("header.d", "header.i") and dkim:
                    dkim[-1] = (dkim[-1][0], dkim[-1][1] or domain)
                elif method == "dmarc" and name == "header.from":
                    dmarc_domain = domain
    return Authentication(
        spf=spf, spf_domain=spf_domain, dkim=tuple(dkim), dmarc=dmarc, dmarc_domain=dmarc_domain
    )


def dkim_domains(message: Message) -> tuple[str, ...]:
    """The d= domains of the message's DKIM signatures (what a DKIM pass could be for)."""
    found = []
    for value in _all(message, "DKIM-Signature"):
        match = re.search(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", value)
        if match:
            found.append(match.group(1).lower())
    return tuple(found)


def _all(message: Message, name: str) -> list[str]:
    try:
        return [_printable(str(v)) for v in message.get_all(name) or []]
    except Exception:
        return []


def aligned(candidate: str | None, domain: str) -> bool:
    """Relaxed alignment (DMARC): the same domain or one a subdomain of the other."""
    if not candidate:
        return False
    a, b = candidate.lower().rstrip("."), domain.lower().rstrip(".")
    if "." not in a or "." not in b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def sender_verified(mail: Mail, receipt: MailReceived) -> bool:
    """Did SES prove the sender owns the From address's domain (SPF, DKIM or DMARC, aligned)?

    SES's receipt verdicts name no domain: SPF counts when the envelope sender's domain
    is aligned with the From domain, DKIM when every signature's is, and DMARC only through
    the Authentication-Results SES added, which say which From domain passed."""
    domain = mail.sender_domain
    if domain is None:
        return False
    if mail.authentication.vouches_for(domain):
        return True
    envelope = receipt.source.rpartition("@")[2].lower()
    if receipt.spf == "PASS" and aligned(envelope, domain):
        return True
    signers = mail.dkim_signers
    return receipt.dkim == "PASS" and bool(signers) and all(aligned(d, domain) for d in signers)


# ---------------------------------------------------------------------- bodies
def _collect(
    part: Message,
    path: str,
    depth: int,
    texts: list[str],
    attachments: list[Attachment],
    defects: list[str],
) -> bool:
    """Walk the MIME tree: body text into `texts`, the rest into `attachments`.

    Returns True when the text came only from HTML."""
    if depth > MAX_DEPTH or len(attachments) + len(texts) > MAX_PARTS:
        defects.append("MimeTreeTooLarge")
        return False
    content_type = part.get_content_type()
    if part.is_multipart():
        children = _children(part)
        if content_type == "multipart/alternative" and children:
            chosen = _preferred(children)
            index = children.index(chosen)
            html_only = _collect(
                chosen, f"{path}.{index + 1}", depth + 1, texts, attachments, defects
            )
            for number, child in enumerate(children, 1):
                if child is not chosen and not child.get_content_type().startswith("text/"):
                    _collect(child, f"{path}.{number}", depth + 1, [], attachments, defects)
            return html_only
        html_only = False
        for number, child in enumerate(children, 1):
            html_only |= _collect(child, f"{path}.{number}", depth + 1, texts, attachments, defects)
        return html_only
    if _is_body_text(part):
        if content_type == "text/html":
            texts.append(_html_text(decode_part(part)))
            return True
        texts.append(decode_part(part))
        return False
    attachments.append(_attachment(part, path))
    return False


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _preferred(children: list[Message]) -> Message:
    for wanted in ("text/plain", "text/html"):
        for child in children:
            if child.get_content_type() == wanted and not _disposed_as_attachment(child):
                return child
    for child in reversed(children):
        if child.is_multipart():
            return child
    return children[-1]


def _disposed_as_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False


def _is_body_text(part: Message) -> bool:
    if part.get_content_type() not in ("text/plain", "text/html"):
        return False
    if _disposed_as_attachment(part):
        return False
    return _filename(part) is None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return _printable(str(name))[:200] if name else None


def _attachment(part: Message, path: str) -> Attachment:
    content_type = part.get_content_type()
    data = _payload_bytes(part)
    if content_type == "message/rfc822" and not data:
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) and inner else None
        data = first.as_bytes() if isinstance(first, Message) else b""
    extension = {"message/rfc822": ".eml", "text/calendar": ".ics"}.get(content_type, "")
    name = _filename(part) or f"attachment-{path}{extension}"
    content_id = header(part, "Content-ID")
    return Attachment(
        name=name,
        content_type=content_type,
        size=len(data),
        part=path,
        inline=not _disposed_as_attachment(part) and bool(content_id),
        content_id=content_id,
        data=data,
    )


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def decode_part(part: Message) -> str:
    try:
        charset = part.get_content_charset() or "utf-8"
    except Exception:
        charset = "utf-8"
    return decode_bytes(_payload_bytes(part), charset)


# Charsets senders declare for text in a larger one (what mail clients do too): the
# superset decodes everything the label allows, and the characters it left out.
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",  # ks_c_5601-1987 is Python's alias for EUC-KR
    "shift_jis": "cp932",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}
# Bytes that are C1 controls in ISO-8859-1 but punctuation (curly quotes, euro) in cp1252.
_C1 = re.compile(rb"[\x80-\x9f]")


def decode_bytes(data: bytes, charset: str) -> str:
    """The declared charset, read as its superset when it is a usual mislabel, else
    UTF-8, else the declared one with replacements for the odd bad byte, else
    Windows-1252 (for unknown charsets). Never fails."""
    for candidate in _candidates(charset, data):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


def _candidates(charset: str, data: bytes) -> tuple[str, ...]:
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return (charset, "utf-8")
    superset = SUPERSETS.get(name, name)
    if name == "ascii":  # 8-bit bytes in "ASCII" text: UTF-8, else Windows-1252
        return ("utf-8", superset)
    if name == "iso8859-1":  # Latin-1 has only controls at 0x80-0x9F; cp1252 has € and quotes
        return (superset, name) if _C1.search(data) else (name,)
    return (superset, "utf-8")


def _html_text(html: str) -> str:
    from tailor.render import html_to_text

    try:
        return html_to_text(html[:MAX_HTML_CHARS])
    except Exception:
        return re.sub(r"<[^>]+>", " ", html[:MAX_HTML_CHARS])
