"""Sample contexts: what an email's template was given, as JSON, so the console can show
the email again with other words.

`templates/<email_type>/sample.json` is the context the type's first declared sample event
gives its template (tests/unit/console/test_console_copy.py checks it still is). Money,
dates and safe HTML are tagged so they come back as what the template filters expect.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

from tailor.events.canonical import Money
from tailor.render import templates_root


def encode(value: Any) -> Any:
    """The context as JSON-ready data, its Money, decimals, dates and Markup tagged."""
    if isinstance(value, Money):
        return {"$money": [str(value.amount), value.currency]}
    if isinstance(value, BaseModel):
        return {name: encode(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, Markup):
        return {"$markup": str(value)}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        tag, inner = next(iter(value.items()))
        if tag == "$money":
            return Money(amount=Decimal(inner[0]), currency=inner[1])
        if tag == "$markup":
            # Written by our own renderer's context (values already escaped), never by staff.
            return Markup(inner)  # noqa: S704
        if tag == "$decimal":
            return Decimal(inner)
        if tag == "$datetime":
            return datetime.fromisoformat(inner)
        if tag == "$date":
            return date.fromisoformat(inner)
    return {k: decode(v) for k, v in value.items()}


def sample(email_type: str) -> dict[str, Any] | None:
    """The packaged sample context of `email_type`, or None when it has none."""
    path = templates_root() / email_type / "sample.json"
    if not path.exists():
        return None
    decoded = decode(json.loads(path.read_text(encoding="utf-8")))
    return decoded if isinstance(decoded, dict) else None


def dumps(context: Any) -> str:
    return json.dumps(encode(context), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
