"""What the `tailor` command prints: per-event summaries and small tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from tailor_local.runner import Report


def short_id(event_id: str) -> str:
    return event_id[:8] if len(event_id) > 12 else event_id


def report_lines(report: Report, number: int | None = None) -> list[str]:
    head = f"[{number}] " if number is not None else ""
    where = f"{report.origin}  " if report.origin else ""
    shown = report.event_id and not report.event_id.startswith("schedule:")
    ident = f"  (id {short_id(report.event_id)})" if shown else ""
    lines = [f"{head}{where}{report.label}{ident}"]
    pad = " " * 4
    if report.rules:
        lines.append(f"{pad}rules matched: {', '.join(report.rules)}")
    for invocation in report.invocations:
        status = "ok" if invocation.outcome.ok else "FAILED"
        sent = [
            f"{send.email_type or 'email'} to {', '.join(send.recipients) or '?'}"
            for send in invocation.sends
        ]
        emails = f"; sent {', '.join(sent)}" if sent else ""
        emails += _skipped(invocation.outcome.result)
        retried = f" after {invocation.attempts} attempts" if invocation.attempts > 1 else ""
        lines.append(
            f"{pad}{status:6} {invocation.function_id}{retried}  <- {invocation.trigger}{emails}"
        )
    for unmatched in report.unmatched:
        lines.append(
            f"{pad}matched no rule: {unmatched}; no function in template.yaml handles it "
            "(compare its detail-type / X-Shopify-Topic with the rules' patterns)"
        )
    for failure in report.failures:
        lines.append(f"{pad}failure: {failure}")
    for note in report.notes:
        lines.append(f"{pad}note: {note}")
    return lines


def _skipped(result: object) -> str:
    """A handler's own word that it chose not to send now: the layer's `skipped` answers and
    `Deferred` outcomes, in words."""
    answers = result if isinstance(result, list) else [result]
    found = []
    for answer in answers:
        if not isinstance(answer, dict) or not answer.get("reason"):
            continue
        email_type, reason = answer.get("email_type") or "email", answer["reason"]
        if answer.get("status") == "skipped":
            found.append(f"; skipped {email_type}: {reason}")
        elif answer.get("status") == "deferred":
            found.append(f"; held {email_type} until {_local_time(answer)}: {reason}")
    return "".join(found)


def _local_time(deferred: dict[str, Any]) -> str:
    """`2026-11-26 08:00 America/Chicago`: when a deferred email goes, in its own zone."""
    until = datetime.fromisoformat(str(deferred["until"]))
    zone = str(deferred.get("time_zone") or "")
    return f"{until:%Y-%m-%d %H:%M} {zone or until.tzname() or ''}".rstrip()


def print_report(report: Report, number: int | None = None, out: TextIO | None = None) -> None:
    print("\n".join(report_lines(report, number)), file=out or sys.stdout, flush=True)


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """A plain-text table, columns as wide as their widest cell (the last one unpadded)."""
    cells = [list(headers), *[list(map(str, row)) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(padded).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
