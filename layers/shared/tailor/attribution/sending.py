"""What `tailor.delivery.deliver` tells attribution: who is held out, what went out."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from tailor.attribution import holdout
from tailor.attribution.clicks import offers_shown
from tailor.attribution.config import get_attribution_settings
from tailor.attribution.store import Results
from tailor.observability import logger
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
    """Count an email SES took. The email is out: a failure here is logged, not raised."""
    settings = get_attribution_settings()
    if not settings.results_table:
        return
    results = Results(settings.results_table)
    try:
        results.count(email_type, lang, now, sent=1, offers_shown=offers_shown(content, settings))
        if holdout.group_of(email, email_type, settings) == holdout.EXPOSED:
            holdout.join(results, email, email_type, holdout.EXPOSED)
    except (ClientError, BotoCoreError):
        logger.exception("email sent but not counted")
