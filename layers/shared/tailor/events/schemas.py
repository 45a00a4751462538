"""JSON Schemas of the canonical events, for publishers on the bus (`events/schemas/`).

Regenerate with `python -m tailor.events.schemas events/schemas`; a test keeps them current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tailor.events.registry import all_events


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> the detail schema of each canonical detail-type."""
    return {
        f"{model.detail_type}.json": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://tailor.dev/schemas/{model.detail_type}.json",
            "description": f"detail of EventBridge events with detail-type {model.detail_type}",
            **model.model_json_schema(mode="validation"),
        }
        for model in all_events()
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else "events/schemas")
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        (directory / name).write_text(render(schema))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
