"""A local cloud whose emails go through the click redirect (ClickTracking=true)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tailor_local.invoke import invoke
from tailor_local.template import Template

from tests.helpers.cloud import provisioned

TRACKED = {"ClickTracking": "true", "OfferDiscountCode": "SOCKS15"}


@pytest.fixture(scope="session")
def tracked_template() -> Template:
    return Template(parameters=TRACKED)


@pytest.fixture
def cloud(tracked_template: Template) -> Iterator[Template]:
    with provisioned(tracked_template):
        yield tracked_template


@pytest.fixture
def run(cloud: Template) -> Any:
    def _run(function_id: str, event: Any) -> Any:
        return invoke(cloud.function(function_id), event)

    return _run
