"""What the local cloud remembers between commands, under `.tailor/` in the repository.

`cloud.json` names the running server (pid, port, endpoint); `state.json` holds the local
clock's offset, how far each stream mapping has read and which schedules have fired;
`sent.jsonl` remembers, for each email SES accepted, which function sent it for which event.
An ephemeral cloud keeps the same state in memory only.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tailor_local.template import REPO_ROOT


class LocalError(RuntimeError):
    """Something the user asked for cannot be done; the message says what and how to fix it."""


def home() -> Path:
    """Where the local cloud keeps its files (TAILOR_HOME, else `.tailor/` in the repo)."""
    configured = os.environ.get("TAILOR_HOME")
    return Path(configured) if configured else REPO_ROOT / ".tailor"


def write_json(path: Path, data: Any) -> None:
    """Write atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    partial.replace(path)


@dataclass
class State:
    clock_offset_seconds: float = 0.0
    # mapping name + shard -> last sequence number handed to the function
    checkpoints: dict[str, str] = field(default_factory=dict)
    # schedule ARN -> ISO time of the last occurrence fired
    fired: dict[str, str] = field(default_factory=dict)
    path: Path | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path | None) -> State:
        if path is None or not path.exists():
            return cls(path=path)
        try:
            data = json.loads(path.read_text())
        except ValueError as error:
            raise LocalError(
                f"{path} is not valid JSON ({error}); delete it to reset the local clock"
            ) from None
        return cls(
            clock_offset_seconds=float(data.get("clock_offset_seconds", 0.0)),
            checkpoints=dict(data.get("checkpoints", {})),
            fired=dict(data.get("fired", {})),
            path=path,
        )

    def refresh(self) -> None:
        """Read again what other commands (`tailor clock advance`) saved since."""
        if self.path is None:
            return
        fresh = State.load(self.path)
        self.clock_offset_seconds = fresh.clock_offset_seconds
        self.checkpoints, self.fired = fresh.checkpoints, fresh.fired

    def save(self) -> None:
        if self.path is not None:
            data = asdict(self)
            data.pop("path")
            write_json(self.path, data)


class Journal:
    """Which function sent which email for which event (SES itself does not keep tags)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            for line in path.read_text().splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self._entries[entry["ses_message_id"]] = entry

    def add(self, entry: dict[str, Any]) -> None:
        self._entries[entry["ses_message_id"]] = entry
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as stream:
                stream.write(json.dumps(entry, sort_keys=True) + "\n")

    def get(self, ses_message_id: str) -> dict[str, Any]:
        return self._entries.get(ses_message_id, {})
