"""Shared fixtures: a moto account built from template.yaml, the outbox, a pinned clock.

Unit tests run with the network blocked (pytest-socket); only moto, in-process, answers.
Helpers that are not fixtures (events, mail parts, shops, faults) live in `tests.helpers`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        # moto does not serve the account-id endpoints botocore picks for DynamoDB Streams.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_METRICS_NAMESPACE": "Tailor",
        "POWERTOOLS_DEV": "false",
    }
)

from tailor_local.invoke import invoke
from tailor_local.template import Template

from tests.helpers.cloud import provisioned
from tests.helpers.mail import Outbox

# Noon in Chicago on a Wednesday: outside quiet hours for the shop's customers, whatever the
# machine's clock or time zone says.
PINNED_NOW = "2026-11-25T18:00:00+00:00"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs at PINNED_NOW (tailor.clock.now() honours TAILOR_NOW) unless it sets its
    own; the wall clock never decides an outcome."""
    monkeypatch.setenv("TAILOR_NOW", PINNED_NOW)


# Every test cloud sends links as the templates write them; tests/unit/attribution turns the
# click redirect on (ClickTracking=true) to test it.
Template.preferred_defaults = {"ClickTracking": "false"}


@pytest.fixture(scope="session")
def template() -> Template:
    return Template()


@pytest.fixture
def cloud(template: Template) -> Iterator[Template]:
    """A fresh moto account holding every runtime resource template.yaml declares (a copy of
    the one provisioned for this template, so nothing an earlier test wrote is in it)."""
    with provisioned(template):
        yield template


@pytest.fixture
def outbox(cloud: Template) -> Outbox:
    return Outbox()


@pytest.fixture
def run(cloud: Template) -> Any:
    """Invoke a template function by logical id with an event."""

    def _run(function_id: str, event: Any) -> Any:
        return invoke(cloud.function(function_id), event)

    return _run
