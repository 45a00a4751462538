"""`tailor report`: what each email type sent and earned, from the local cloud's results
table (tailor.attribution.report), as a table, as JSON, or as the demo gallery's results
page (`results.html` and `results.json` beside `index.html`)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from tailor.attribution.report import REPORTED

from tailor_local.console import table
from tailor_local.template import Template

# The report's counts, but for the holdout's, which has a table of its own.
COLUMNS = tuple(name for name in REPORTED if name != "held_out")


def collect(template: Template) -> dict[str, Any]:
    """The report of the open local cloud (its endpoint is in the environment)."""
    from tailor import aws
    from tailor.attribution.report import report
    from tailor.attribution.store import Results

    aws.reset()  # the tables of this cloud, not of one opened before
    results = Results(template.physical_name("ResultsTable"))
    return report(results, template.parameters.get("ShopCurrency", "USD"))


def text(found: dict[str, Any]) -> str:
    rows = [
        [email_type, *(_cell(entry, name) for name in COLUMNS), _take_up(entry)]
        for email_type, entry in found.items()
    ]
    return table(rows, ["email", *COLUMNS, "offer take-up"])


def _cell(entry: dict[str, Any], name: str) -> str:
    value = entry[name]
    return f"{value:.2f} {entry['currency']}" if name == "revenue" else str(value)


def _take_up(entry: dict[str, Any]) -> str:
    offer = entry.get("offer")
    return f"{offer['taken']}/{offer['shown']}" if offer else ""


def write_page(out: Path, found: dict[str, Any], shop: str) -> Path:
    """results.html and results.json in the gallery folder `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(found, indent=2), encoding="utf-8")
    rows = []
    for email_type, entry in found.items():
        cells = "".join(f"<td>{escape(_cell(entry, name))}</td>" for name in COLUMNS)
        languages = ", ".join(
            f"{escape(lang)}: {counts['sent']} sent, {counts['orders']} orders"
            for lang, counts in entry["by_language"].items()
        )
        rows.append(
            f"<tr><th>{escape(email_type)}</th>{cells}"
            f"<td>{escape(_take_up(entry))}</td><td>{languages}</td></tr>"
        )
    head = "".join(f"<th>{name}</th>" for name in (*COLUMNS, "offer take-up", "by language"))
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Results · {escape(shop)} · Tailor demo</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1f2328}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #e2d9cc;padding:6px 10px;
text-align:right}}tbody th{{text-align:left}}</style></head>
<body><h1>What each email earned</h1>
<p>Per email type: sent and what SES reported, clicks through the click redirect, and the
orders attributed to it (an issued code, a Tailor landing site, or the last click within
the click window) with their revenue. <a href="index.html">Back to the emails</a> ·
<a href="results.json">results.json</a></p>
<table><thead><tr><th>email</th>{head}</tr></thead><tbody>
{"".join(rows)}
</tbody></table></body></html>
"""
    path = out / "results.html"
    path.write_text(page, encoding="utf-8")
    return path
