"""Event files: one EventBridge event, or a list of them, per `.json` file; or an `.eml`.

An event is either what a target receives (`detail-type`, `source`, `detail`, ...) or a
PutEvents entry (`DetailType`, `Source`, `Detail`, optionally `EventBusName`). Events without
a bus go to the template's bus, where Tailor's rules listen. Timestamps can be written as
`{{now}}`, `{{now-30d}}` or `{{now+15m}}`: they become the local clock's time when the file
is read, so an order "placed just now" keeps its 15-minute offer open. An `.eml` file is a
message SES receives for the shop (see `inbound.py`).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tailor import clock

from tailor_local.schedules import parse_duration
from tailor_local.state import LocalError
from tailor_local.template import ACCOUNT, REGION

_PLACEHOLDER = re.compile(r"\{\{\s*now\s*(?:([+-])\s*([0-9smhdw. ]+?))?\s*\}\}")
# Far deeper than any real event, and far shallower than Python's recursion limit, which the
# code walking an event (rule matching, validation, json.dumps) would otherwise run into.
MAX_JSON_DEPTH = 100


class EventFileError(LocalError):
    """An event file is missing or is not an EventBridge event."""


@dataclass(frozen=True)
class FileEvent:
    event: dict[str, Any]
    bus: str | None
    origin: str  # "file.json" or "file.json[2]"
    mail: bytes | None = None  # an .eml file: a message SES receives


def substitute_now(text: str, now: datetime) -> str:
    def replace(match: re.Match[str]) -> str:
        moment = now
        if match.group(1):
            delta = parse_duration(match.group(2))
            moment = now + delta if match.group(1) == "+" else now - delta
        return moment.astimezone(UTC).isoformat(timespec="seconds")

    return _PLACEHOLDER.sub(replace, text)


def load(path: Path, now: datetime | None = None) -> list[FileEvent]:
    """The events in one file, or EventFileError saying what is wrong and how to fix it."""
    if not path.is_file():
        hint = "it is a directory" if path.is_dir() else "no such file"
        raise EventFileError(
            f"{path}: {hint}; pass .json files holding EventBridge events (see events/)"
        )
    if path.suffix.lower() == ".eml":
        return [_mail(path)]
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise EventFileError(f"{path}: cannot be read ({error.strerror})") from None
    data = parse(raw, str(path), now or clock.now())
    items = data if isinstance(data, list) else [data]
    if not items:
        raise EventFileError(f"{path}: the list is empty; put at least one event in it")
    found = []
    for index, item in enumerate(items):
        origin = f"{path.name}[{index}]" if isinstance(data, list) else path.name
        where = f"{path} (event {index})" if isinstance(data, list) else str(path)
        event, bus = _event(item, where)
        found.append(FileEvent(event, bus, origin))
    return found


def parse(raw: bytes, where: str, now: datetime) -> Any:
    """The JSON in an event file, `{{now}}` filled in; or EventFileError naming the problem."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4]:
        raise EventFileError(
            f"{where}: the file is UTF-16 (or UTF-32) text; JSON must be UTF-8 (RFC 8259): "
            "save it as UTF-8"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EventFileError(
            f"{where}: not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "JSON must be UTF-8 (RFC 8259): save it as UTF-8"
        ) from None
    too_deep = EventFileError(
        f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels; no event is that deep"
    )
    try:
        data = json.loads(substitute_now(text, now))
    except json.JSONDecodeError as error:
        raise EventFileError(
            f"{where}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "fix the file"
        ) from None
    except RecursionError:
        raise too_deep from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise too_deep
    return data


def _depth(data: Any) -> int:
    """How deeply arrays and objects nest (without recursion: the input may be hostile)."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in value)
    return deepest


def _mail(path: Path) -> FileEvent:
    """An .eml file: the raw message, delivered through SES's receipt rules."""
    from tailor_local.inbound import parse, recipients

    raw = path.read_bytes()
    message = parse(raw)
    if not message.get("From") or not recipients(message):
        raise EventFileError(
            f"{path}: not an email message SES could receive (it needs From and To headers)"
        )
    return FileEvent({}, None, path.name, mail=raw)


def _event(item: Any, where: str) -> tuple[dict[str, Any], str | None]:
    if not isinstance(item, dict):
        raise EventFileError(
            f"{where}: expected an EventBridge event object, found {type(item).__name__}"
        )
    if "DetailType" in item or "Detail" in item:
        return _entry(item, where)
    missing = [name for name in ("detail-type", "source", "detail") if name not in item]
    if missing:
        raise EventFileError(
            f"{where}: not an EventBridge event (missing {', '.join(missing)}); an event needs "
            "detail-type, source and detail, like the files in events/canonical/"
        )
    if not isinstance(item["detail"], dict):
        raise EventFileError(f"{where}: detail must be a JSON object")
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "account": ACCOUNT,
        "time": _now_z(),
        "region": REGION,
        "resources": [],
        **item,
    }
    return event, None


def _entry(item: dict[str, Any], where: str) -> tuple[dict[str, Any], str | None]:
    """A PutEvents request entry, turned into the event a target would receive."""
    missing = [name for name in ("DetailType", "Source", "Detail") if not item.get(name)]
    if missing:
        raise EventFileError(f"{where}: PutEvents entry without {', '.join(missing)}")
    detail = item["Detail"]
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except json.JSONDecodeError:
            raise EventFileError(f"{where}: Detail is not a JSON object") from None
    if not isinstance(detail, dict):
        raise EventFileError(f"{where}: Detail must be a JSON object")
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": item["DetailType"],
        "source": item["Source"],
        "account": ACCOUNT,
        "time": str(item.get("Time") or _now_z()),
        "region": REGION,
        "resources": list(item.get("Resources") or []),
        "detail": detail,
    }
    bus = item.get("EventBusName")
    if isinstance(bus, str) and ":event-bus/" in bus:
        bus = bus.rsplit("event-bus/", 1)[-1]
    return event, str(bus) if bus else None


def _now_z() -> str:
    return clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_all(paths: list[Path], now: datetime | None = None) -> list[FileEvent]:
    """Every event of every file, in order; all files are checked before any is delivered."""
    found: list[FileEvent] = []
    for path in paths:
        found.extend(load(path, now))
    return found
