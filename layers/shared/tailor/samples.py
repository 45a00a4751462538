"""Contexts kept so the console can show an email again with other words: what an
email's template was given, as JSON.

`templates/<email_type>/sample.json` is the context the tests' sample event gives the
type's template (tests/unit/console/test_copy_samples.py checks it still is). A real email
of each type with copy files, per language, is kept in the copy bucket at
`copy/<type>/last-event/<lang>.json`, without the customer's signed unsubscribe links: the
last one sent to the customers chosen for it, one in `KEEP_ONE_IN` (by a hash of the type
and the address, so the choice needs no state), and at most once a minute per container
(an alert to hundreds keeps one). An S3 write per email would cost 5 % of SES's price; one
in 50, 0.1 %. Money, dates and safe HTML are tagged so they come back as what the template
filters expect.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

from tailor import aws, clock, copy
from tailor.events.canonical import Money
from tailor.observability import logger
from tailor.render import templates_root

KEEP_ONE_IN = 50
KEEP_EVERY_SECONDS = 60
_kept_at: dict[tuple[str, str, str], float] = {}
# Marketing mail's signed preference and unsubscribe links: the customer's, not kept.
NOT_KEPT = ("manage",)


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


def last_event_key(email_type: str, lang: str) -> str:
    return f"copy/{email_type}/last-event/{lang}.json"


def chosen(email_type: str, recipient: str) -> bool:
    """Whether emails of `email_type` to `recipient` are kept for the preview: one
    customer in `KEEP_ONE_IN`, the same whichever container sends."""
    digest = hashlib.sha256(f"{email_type}#{recipient.lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % KEEP_ONE_IN == 0


def remember(email_type: str, context: Mapping[str, Any], recipient: str) -> None:
    """Keep the context of an email just sent to a chosen customer as its type's last real
    event in its language; a failure is logged, never the send's."""
    bucket = os.environ.get("COPY_BUCKET", "")
    if not bucket or not chosen(email_type, recipient):
        return
    if not (copy.copy_root() / email_type / "copy" / "en.json").exists():
        return
    lang = copy.resolve_language(str(context.get("lang") or ""))
    # A bulk send (an alert to hundreds) keeps one of its emails, not one per recipient.
    now = time.monotonic()
    last = _kept_at.get((bucket, email_type, lang))
    if last is not None and now - last < KEEP_EVERY_SECONDS:
        return
    _kept_at[(bucket, email_type, lang)] = now
    kept = {k: v for k, v in context.items() if k not in NOT_KEPT}
    try:
        aws.client("s3").put_object(
            Bucket=bucket,
            Key=last_event_key(email_type, lang),
            Body=dumps({"sent_at": clock.now(), "context": kept}).encode(),
            ContentType="application/json",
        )
    except Exception as error:  # the email is sent; its preview copy is a nicety
        logger.warning(
            "last email not kept for the copy preview",
            extra={"email_type": email_type, "error": type(error).__name__},
        )


def forget_kept() -> None:
    """Forget when emails were kept, so the next send keeps its own (tests)."""
    _kept_at.clear()


def last_event(bucket: str, email_type: str, lang: str) -> tuple[dict[str, Any], datetime] | None:
    """The last real email's context of `email_type` in `lang`, and when it was sent."""
    from botocore.exceptions import ClientError

    try:
        found = aws.client("s3").get_object(Bucket=bucket, Key=last_event_key(email_type, lang))
    except ClientError:
        return None
    kept = decode(json.loads(found["Body"].read()))
    return kept["context"], kept["sent_at"]
