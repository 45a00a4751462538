"""The outbox: every email SES accepted, as files a person can open.

While a function runs, a botocore hook notes each SES send it makes (its email_type tag and
the SES message id), because SES keeps neither the tags nor who sent what. The messages
themselves come from SES (the moto backend), so only what SES accepted is written:
`NNNN-<email_type>.eml` with `.html` and `.txt` beside it, and `index.json`.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from typing import Any

import botocore.handlers

from tailor_local.cloud import Cloud, SentMessage
from tailor_local.reports import Report, Send

# SES operations that send, with the parameter holding their tags.
_SEND_OPERATIONS = {
    "sesv2.SendEmail": "EmailTags",
    "ses.SendRawEmail": "Tags",
    "ses.SendEmail": "Tags",
}
LOGS = "function-logs.txt"
_OUTPUT_FILE = re.compile(r"^\d{4}-[\w-]+\.(eml|html|txt)$")


@dataclass
class Recording:
    function_id: str
    event_id: str
    sends: list[Send] = field(default_factory=list)


_active: list[Recording] = []


@contextmanager
def recording(function_id: str, event_id: str) -> Iterator[Recording]:
    """Note the SES sends made inside the block (by the function `function_id`)."""
    current = Recording(function_id, event_id)
    _active.append(current)
    try:
        yield current
    finally:
        _active.remove(current)


def _before_send(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    if not _active:
        return
    tags_param = context.get("tailor_tags_param") or "EmailTags"
    tags = {
        str(tag.get("Name")): str(tag.get("Value"))
        for tag in params.get(tags_param) or []
        if isinstance(tag, dict)
    }
    context["tailor_email_type"] = tags.get("email_type")
    destination = params.get("Destination") or {}
    context["tailor_recipients"] = [
        str(address)
        for address in (destination.get("ToAddresses") or params.get("Destinations") or [])
    ]


def _after_send(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    message_id = parsed.get("MessageId") if isinstance(parsed, dict) else None
    if _active and message_id:
        current = _active[-1]
        current.sends.append(
            Send(
                ses_message_id=str(message_id),
                email_type=context.get("tailor_email_type"),
                function_id=current.function_id,
                event_id=current.event_id,
                recipients=list(context.get("tailor_recipients") or []),
            )
        )


def _install_hooks() -> None:
    """Register the hooks on every botocore session created from now on."""
    handlers = botocore.handlers.BUILTIN_HANDLERS
    if any(getattr(h[1], "__module__", "") == __name__ for h in handlers):
        return
    for operation, tags_param in _SEND_OPERATIONS.items():

        def mark(context: dict[str, Any], _param: str = tags_param, **_: Any) -> None:
            context["tailor_tags_param"] = _param

        handlers.append((f"before-parameter-build.{operation}", mark))
        handlers.append((f"before-parameter-build.{operation}", _before_send))
        handlers.append((f"after-call.{operation}", _after_send))


_install_hooks()


@dataclass
class Email:
    """An accepted email with what is known about where it came from."""

    sent: SentMessage
    email_type: str
    function_id: str
    event_id: str

    @cached_property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.sent.raw, policy=email.policy.default)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def recipient(self) -> str:
        to = self.message.get("To")
        addresses = getattr(to, "addresses", ())
        if addresses:
            return str(addresses[0].addr_spec)
        return self.sent.destinations[0] if self.sent.destinations else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        if part is not None:
            return str(part.get_content())
        return f"<pre>{html.escape(self.text)}</pre>"

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return str(part.get_content()) if part is not None else ""

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(name, str(value)) for name, value in self.message.items()]


def emails(cloud: Cloud, exclude: Iterable[str] = ()) -> list[Email]:
    """What SES accepted (minus the ids in `exclude`), oldest first, joined with the journal."""
    skip = set(exclude)
    found = []
    for sent in cloud.sent_messages():
        if sent.ses_message_id in skip:
            continue
        entry = cloud.journal.get(sent.ses_message_id)
        found.append(
            Email(
                sent=sent,
                email_type=str(entry.get("email_type") or "unknown"),
                function_id=str(entry.get("function") or "unknown"),
                event_id=str(entry.get("source_event_id") or ""),
            )
        )
    return found


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "email"


def write(
    directory: Path, found: list[Email], extra: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Write the emails and index.json into `directory`, replacing an earlier outbox there.

    `extra` adds fields to each email's index entry (same order as `found`)."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        if _OUTPUT_FILE.match(old.name) or old.name in ("index.json", LOGS):
            old.unlink()
    index = []
    for number, item in enumerate(found, start=1):
        stem = f"{number:04d}-{safe_name(item.email_type)}"
        (directory / f"{stem}.eml").write_bytes(item.sent.raw)
        (directory / f"{stem}.html").write_text(item.html, encoding="utf-8")
        (directory / f"{stem}.txt").write_text(item.text, encoding="utf-8")
        index.append({**describe(item, stem), **(extra[number - 1] if extra else {})})
    (directory / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n")
    return index


def describe(item: Email, stem: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "recipient": item.recipient,
        "subject": item.subject,
        "email_type": item.email_type,
        "function": item.function_id,
        "source_event_id": item.event_id,
        "from": str(item.message.get("From", "")),
        "date": str(item.message.get("Date", "")),
        "ses_message_id": item.sent.ses_message_id,
    }
    if stem is not None:
        entry.update(eml=f"{stem}.eml", html=f"{stem}.html", text=f"{stem}.txt")
    return entry


def write_logs(directory: Path, reports: Iterable[Report]) -> Path:
    """What each invocation printed or logged (Powertools JSON lines), one section each."""
    sections = []
    for report in reports:
        for invocation in report.invocations:
            status = "ok" if invocation.outcome.ok else f"FAILED: {invocation.outcome.reason}"
            head = (
                f"== {invocation.function_id} <- {invocation.trigger} "
                f"(event {report.event_id or report.label}): {status}"
            )
            sections.append(head + "\n" + (invocation.outcome.logs.strip() or "(nothing logged)"))
    path = directory / LOGS
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    return path
