"""The console offers canned responses in the ticket's language: the customer's (her
order's locale), so what the agent picks and edits is what she will read."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from tailor.support.canned import packaged

from tests.helpers.console import call, sign_in
from tests.helpers.events import load_event
from tests.helpers.mail import Outbox
from tests.helpers.support_desk import deliver_mail, eml


@pytest.fixture
def german_ticket(run: Any, outbox: Outbox, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """Susie ordered #7001 from the German storefront (de-DE); on Monday she writes."""
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T15:00:00+00:00")
    order = load_event("canonical/order-placed.json")
    order["detail"]["locale"] = "de-DE"
    for function in ("PurchaseHistoryFunction", "SupportOrderIndexFunction"):
        run(function, order)
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T15:10:04+00:00")
    deliver_mail(run, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:00:00+00:00")
    return run, sign_in(run, outbox)


def test_the_ticket_page_offers_and_fills_the_responses_in_her_language(
    german_ticket: tuple[Any, str],
) -> None:
    run, cookie = german_ticket
    page = call(run, "GET", "/console/tickets/T-1001?canned=exchanges", cookie=cookie)["body"]

    german, english = packaged("de")["exchanges"], packaged("en")["exchanges"]
    options = html.unescape(" ".join(re.findall(r"<option[^>]*>(.*?)</option>", page)))
    assert german.title in options and english.title not in options
    response = re.search(r'<textarea id="response"[^>]*>(.*?)</textarea>', page, re.S)
    assert response is not None
    filled = html.unescape(response.group(1))
    assert "#7001" in filled
    assert german.source.split("\n\n")[1].splitlines()[0] in filled  # step 1, in German
    assert english.source.split("\n\n")[1].splitlines()[0] not in filled
