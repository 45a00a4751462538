"""What `tailor.delivery.deliver` tells attribution: who is held out, what went out."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from tailor.attribution import holdout
from tailor.attribution.clicks import offers_shown
from tailor.attribution.config import get_attribution_settings
from tailor.attribution.store import Results, day
from tailor.observability import at_invocation_end, logger
from tailor.render import Rendered


def held_out(email: str, email_type: str, lang: str, now: datetime) -> bool:
    """True when the customer is in the type's holdout: recorded, and not to be sent it."""
    settings = get_attribution_settings()
    if holdout.group_of(email, email_type, settings) != holdout.HOLDOUT:
        return False
    results = Results(settings.results_table)
    holdout.join(results, email, email_type, holdout.HOLDOUT)
    results.count(email_type, lang, now, held_out=1)
    return True


def sent(email_type: str, lang: str, email: str, content: Rendered, now: datetime) -> None:
    """Count an email SES took: added up in memory, written when the invocation ends (one
    write per type, language and day, not one per email: the alert sender sends hundreds)."""
    settings = get_attribution_settings()
    if not settings.results_table:
        return
    counts = _pending.setdefault((email_type, lang, day(now)), (now, Counter()))[1]
    counts["sent"] += 1
    counts["offers_shown"] += offers_shown(content, settings)
    if holdout.group_of(email, email_type, settings) == holdout.EXPOSED:
        holdout.join(Results(settings.results_table), email, email_type, holdout.EXPOSED)


# (email type, language, day) -> (a moment of that day, counters), until written.
_pending: dict[tuple[str, str, str], tuple[datetime, Counter[str]]] = {}


def flush() -> None:
    """Write the counted sends. The emails are out: a failure is logged, not raised."""
    if not _pending:
        return
    try:
        results = Results(get_attribution_settings().need("results_table"))
        for (email_type, lang, _), (moment, counts) in _pending.items():
            results.count(email_type, lang, moment, **{k: v for k, v in counts.items() if v})
    except (ClientError, BotoCoreError):
        logger.exception("emails sent but not counted")
    finally:
        _pending.clear()


at_invocation_end(flush)
