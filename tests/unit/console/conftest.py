"""The console's world: the desk receives mail for shop.example.com; Maria is staff."""

from __future__ import annotations

import pytest
from tailor_local.template import Template

from tests.helpers.support_desk import LEAD


@pytest.fixture(scope="session")
def template() -> Template:
    return Template(
        parameters={
            "ReceivingDomain": "shop.example.com",
            "SupportLeadAddress": LEAD,
            "SupportTimezone": "America/Chicago",
            "StaffAddresses": "maria@shop.example.com, lee@shop.example.com",
        }
    )
