"""The SLA watchdog: after time passes, the lead hears about what is overdue, once."""

from __future__ import annotations

from typing import Any

import pytest
from tailor.support.watchdog import percentile

from tests.helpers.mail import text_part
from tests.helpers.support_desk import LEAD, compose, deliver_mail, eml, reply_event, ticket

SCHEDULED = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler"}


def test_nothing_due_sends_nothing(shop: Any, outbox: Any) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")

    result = shop("SupportWatchdogFunction", SCHEDULED)

    assert result["backlog"] == 1 and result["overdue"] == []
    assert result["digest"]["status"] == "skipped"
    assert len(outbox.messages) == 1  # the acknowledgement only


def test_an_unanswered_ticket_reaches_the_leads_digest_after_its_sla(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:15:00+00:00")  # 13:15 Chicago

    result = shop("SupportWatchdogFunction", SCHEDULED)

    assert result["overdue"] == ["T-1001"]
    digest = outbox.messages[-1]
    assert digest["To"].addresses[0].addr_spec == LEAD
    assert digest["Subject"] == "Support: 1 overdue, 0 due soon"
    text = text_part(digest)
    assert "T-1001" in text and "susie@example.com" in text
    assert "Mon, Nov 23 9:10\u202fAM" in text  # waiting since, in the desk's time zone
    assert "4 hours" in text  # waiting for
    stored = ticket("T-1001")
    assert stored["alerted"] == "overdue" and stored["breached"] is True


def test_the_same_ticket_is_not_reported_every_quarter_hour(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:15:00+00:00")
    shop("SupportWatchdogFunction", SCHEDULED)
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:30:00+00:00")

    again = shop("SupportWatchdogFunction", SCHEDULED)

    assert again["overdue"] == ["T-1001"]
    assert again["digest"]["status"] == "skipped"
    assert len(outbox.messages) == 2


def test_tickets_due_soon_are_warned_about_before_they_breach(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T18:30:00+00:00")  # 40 minutes before due

    result = shop("SupportWatchdogFunction", SCHEDULED)

    assert result["at_risk"] == ["T-1001"] and result["overdue"] == []
    assert "0 overdue, 1 due soon" in str(outbox.messages[-1]["Subject"])
    assert ticket("T-1001")["alerted"] == "at_risk"


def test_a_friday_evening_message_is_not_overdue_over_the_weekend(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    friday_evening = "2026-11-28T00:30:00+00:00"  # Friday 18:30 Chicago
    monkeypatch.setenv("TAILOR_NOW", friday_evening)
    deliver_mail(shop, compose(), "ses-friday", at=friday_evening)
    monkeypatch.setenv("TAILOR_NOW", "2026-11-30T14:00:00+00:00")  # Monday 08:00

    result = shop("SupportWatchdogFunction", SCHEDULED)

    assert result["overdue"] == [] and result["at_risk"] == []
    assert ticket("T-1001")["due_at"] == "2026-11-30T19:00:00Z"  # Monday 13:00


def test_answered_tickets_leave_the_backlog_and_feed_first_response_percentiles(
    shop: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_mail(shop, eml("susie-shoes.eml"), "susie-shoes-0001")
    deliver_mail(shop, compose("Refund?", subject="Refund", message_id="<r@x>"), "ses-2")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:10:04+00:00")
    shop("SupportReplyFunction", reply_event("T-1001", "a", text="Sure"))
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T18:10:04+00:00")
    shop("SupportReplyFunction", reply_event("T-1002", "b", text="Sure"))

    result = shop("SupportWatchdogFunction", SCHEDULED)

    assert result["backlog"] == 0
    assert result["first_response_p50_seconds"] == 3600
    assert result["first_response_p90_seconds"] == 3 * 3600


def test_percentiles_use_the_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5], 90) == 5
    assert percentile(list(range(1, 11)), 50) == 5
    assert percentile(list(range(1, 11)), 90) == 9
