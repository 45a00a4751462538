"""The support desk's world: a receiving domain, a support lead, Susie's order."""

from __future__ import annotations

from typing import Any

import pytest
from tailor_local.template import Template

from tests.helpers.events import load_event
from tests.helpers.support_desk import LEAD, MONDAY


@pytest.fixture(scope="session")
def template() -> Template:
    """The desk receives mail for shop.example.com, so the support, comments and lead
    addresses are set as in a real deployment."""
    return Template(
        parameters={
            "ReceivingDomain": "shop.example.com",
            "SupportLeadAddress": LEAD,
            "SupportTimezone": "America/Chicago",
        }
    )


@pytest.fixture
def shop(run: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Monday morning; Susie's order #7001 is recorded in her profile and indexed."""
    monkeypatch.setenv("TAILOR_NOW", MONDAY)
    order = load_event("canonical/order-placed.json")
    run("PurchaseHistoryFunction", order)
    run("SupportOrderIndexFunction", order)
    return run
