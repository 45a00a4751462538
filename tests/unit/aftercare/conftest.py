"""The after-the-order tests' shop: in New York (the zone of the Shopify samples), with a
review form, as a real deployment would be."""

from __future__ import annotations

import pytest
from tailor_local.template import Template

from tests.helpers.aftercare import REVIEW_FORM


@pytest.fixture(scope="session")
def template() -> Template:
    return Template(parameters={"ShopTimezone": "America/New_York", "ReviewFormUrl": REVIEW_FORM})
