"""The preference centre in a real browser with JavaScript off, through `tailor serve`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait
from tailor import aws
from tailor_local import outbox
from tailor_local.runner import Runner
from tailor_local.template import REPO_ROOT

from tests.helpers.browser import browser
from tests.helpers.serving import serving

SIGNUP = REPO_ROOT / "events" / "canonical" / "newsletter-signup-requested.json"


@pytest.fixture
def site() -> Iterator[Runner]:
    with serving() as (runner, port):
        runner.port = port  # type: ignore[attr-defined]
        yield runner


def link(html: str, path: str) -> str:
    found = re.search(
        rf'href="(http://127\.0\.0\.1:\d+/PreferencesFunction/{path}\?t=[^"]+)"', html
    )
    assert found, f"no {path} link in the email"
    return found.group(1).replace("&amp;", "&")


def submit(chrome: Any, selector: str) -> None:
    """Press a form's button and wait until the page it posts to has replaced this one."""
    button = chrome.find_element(By.CSS_SELECTOR, selector)
    button.click()
    WebDriverWait(chrome, 30).until(staleness_of(button))


def consent(email: str = "susie@example.com") -> dict[str, str]:
    item = aws.table("ProfilesTable").get_item(Key={"email": email})["Item"]
    return {topic: str(record["state"]) for topic, record in item["consent"].items()}


@pytest.mark.enable_socket
@pytest.mark.browser
def test_a_customer_confirms_then_chooses_what_arrives(site: Runner) -> None:
    event: dict[str, Any] = json.loads(SIGNUP.read_text())
    event["detail"]["requested_at"] = "2026-11-20T12:00:00+00:00"
    site.deliver(event)
    (confirmation,) = outbox.emails(site.cloud)

    with browser(javascript=False) as chrome:
        chrome.get(link(confirmation.html, "subscribe"))
        assert "Confirm your subscription" in chrome.title
        submit(chrome, "button[type=submit]")
        assert "You're subscribed" in chrome.find_element(By.TAG_NAME, "h1").text
        assert consent()["newsletter"] == "subscribed"

        welcome = outbox.emails(site.cloud)[-1]
        assert welcome.email_type == "newsletter_welcome"
        chrome.get(link(welcome.html, "preferences"))
        newsletter = chrome.find_element(By.CSS_SELECTOR, "input[value=newsletter]")
        assert newsletter.is_selected()
        # Topics the newsletter covered show ticked; untick the newsletter and one of them.
        newsletter.click()
        chrome.find_element(By.CSS_SELECTOR, "input[value=review_requests]").click()
        submit(chrome, "button[value=save]")

        assert "Saved." in chrome.find_element(By.TAG_NAME, "body").text
        assert not chrome.find_element(By.CSS_SELECTOR, "input[value=newsletter]").is_selected()
        states = consent()
        assert states["newsletter"] == "unsubscribed"
        assert states["back_in_stock"] == "subscribed"
        assert states["review_requests"] == "unsubscribed"

        submit(chrome, "button[value=unsubscribe_all]")
        assert set(consent().values()) == {"unsubscribed"}


@pytest.mark.enable_socket
@pytest.mark.browser
def test_a_forged_link_gets_a_plain_error_page(site: Runner) -> None:
    with browser() as chrome:
        chrome.get(f"http://127.0.0.1:{site.port}/PreferencesFunction/preferences?t=forged.token")  # type: ignore[attr-defined]

        assert chrome.find_element(By.TAG_NAME, "h1").text == "This link is not valid"
        assert chrome.find_elements(By.TAG_NAME, "form") == []
