"""The staff console in headless Chromium through `tailor serve`: sign in through the
outbox, answer Susie with an edited canned response, see it threaded in the outbox; change
an email's German subject and see the next such email carry it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait
from tailor_local import outbox
from tailor_local.runner import Runner

from tests.helpers.browser import browser
from tests.helpers.events import load_event
from tests.helpers.serving import serving
from tests.helpers.support_desk import eml

STAFF = "maria@shop.example.com"
# The email whose German words the test edits (the shipping confirmation once its words
# are in copy files).
EMAIL_TYPE = "order_confirmation"
SUSIES_MESSAGE = "<CAF=susie.shoes.1@mail.example.com>"


def susie_writes_in(runner: Runner) -> None:
    runner.deliver(load_event("canonical/order-placed.json"))
    runner.receive_mail(eml("susie-shoes.eml"))


@pytest.fixture
def desk() -> Iterator[tuple[Runner, str]]:
    """`tailor serve` with Susie's order and her mail to support@ (ticket T-1001)."""
    with serving(susie_writes_in) as (runner, port):
        yield runner, f"http://127.0.0.1:{port}/console/"


def submit(chrome: Any, selector: str) -> None:
    """Press a form's button and wait until the page it posts to has replaced this one."""
    button = chrome.find_element(By.CSS_SELECTOR, selector)
    button.click()
    WebDriverWait(chrome, 30).until(staleness_of(button))


def sign_in(chrome: Any, runner: Runner, console: str) -> None:
    """Ask for a link on the sign-in page, open it from the outbox, press Sign in."""
    chrome.get(console)
    assert chrome.find_element(By.TAG_NAME, "h1").text == "Sign in"
    chrome.find_element(By.ID, "email").send_keys(STAFF)
    submit(chrome, "main button[type=submit]")
    mail = outbox.emails(runner.cloud)[-1]
    assert mail.recipient == STAFF
    found = re.search(
        r'href="(http://127\.0\.0\.1:\d+/console/sign-in/link\?token=[^"]+)"', mail.html
    )
    assert found, "no sign-in link in the email"
    chrome.get(found.group(1).replace("&amp;", "&"))
    submit(chrome, "main button[type=submit]")
    assert chrome.find_element(By.TAG_NAME, "h1").text == "Desk"


@pytest.mark.enable_socket
@pytest.mark.browser
def test_an_agent_answers_susie_with_an_edited_canned_response(
    desk: tuple[Runner, str],
) -> None:
    runner, console = desk
    with browser(javascript=False) as chrome:
        chrome.set_window_size(390, 844)
        sign_in(chrome, runner, console)
        chrome.find_element(By.PARTIAL_LINK_TEXT, "T-1001").click()
        assert "The shoes don't match my dress" in chrome.find_element(By.TAG_NAME, "h1").text
        assert "7001" in chrome.find_element(By.CSS_SELECTOR, "aside").text  # her linked order

        Select(chrome.find_element(By.ID, "canned")).select_by_value("exchanges")
        submit(chrome, "form.inline button[type=submit]")
        response = chrome.find_element(By.ID, "response")
        filled = response.get_attribute("value") or ""
        assert "7001" in filled  # filled from her order
        edited = re.sub(r"\[add ([^\]]+)\]", "Burgundy", filled)
        edited += "\n\nWe have them in Burgundy in your size."
        response.clear()
        response.send_keys(edited)
        chrome.find_element(By.ID, "own_words").send_keys("Sorry the colour let you down!")
        submit(chrome, "textarea#response ~ button[type=submit]")

        assert chrome.find_element(By.ID, "preview-subject").text == (
            "Re: The shoes don't match my dress [T-1001]"
        )
        preview = chrome.find_element(By.ID, "preview-text").get_attribute("textContent") or ""
        assert "Sorry the colour let you down!" in preview
        assert "We have them in Burgundy in your size." in preview
        submit(chrome, "main form button[type=submit]")

        assert (
            "Reply handed to the desk" in chrome.find_element(By.CSS_SELECTOR, "[role=status]").text
        )
    reply = outbox.emails(runner.cloud)[-1]
    assert reply.recipient == "susie@example.com" and reply.email_type == "support_reply"
    assert reply.subject == "Re: The shoes don't match my dress [T-1001]"
    assert reply.message["In-Reply-To"] == SUSIES_MESSAGE
    assert reply.message["References"].split()[0] == SUSIES_MESSAGE
    assert "Sorry the colour let you down!" in reply.text
    assert "We have them in Burgundy in your size." in reply.text
    assert "[add" not in reply.text
    # The preview was exactly this email (its text part, line endings aside).
    assert reply.text.replace("\r\n", "\n").strip() == preview.replace("\r\n", "\n").strip()


@pytest.mark.enable_socket
@pytest.mark.browser
def test_a_merchant_changes_the_german_subject_and_the_next_email_carries_it(
    desk: tuple[Runner, str],
) -> None:
    runner, console = desk
    with browser(javascript=False) as chrome:
        chrome.set_window_size(390, 844)
        sign_in(chrome, runner, console)
        chrome.find_element(By.LINK_TEXT, "Copy").click()
        chrome.find_element(By.CSS_SELECTOR, f'a[href="/console/copy/{EMAIL_TYPE}/de"]').click()
        subject = chrome.find_element(By.ID, "k:subject")
        subject.clear()
        subject.send_keys("Danke! Bestellung {nummer}")
        submit(chrome, "button[value=save]")
        problems = chrome.find_element(By.ID, "problems").text
        assert "'subject' has placeholders ['nummer'], English has ['number']" in problems

        subject = chrome.find_element(By.ID, "k:subject")
        subject.clear()
        subject.send_keys("Danke! Bestellung {number} ist bei uns")
        submit(chrome, "button[value=check]")
        preview = chrome.find_element(By.ID, "preview-subject").text
        assert preview.startswith("Danke! Bestellung ") and preview.endswith(" ist bei uns")
        submit(chrome, "button[value=save]")
        assert "Saved." in chrome.find_element(By.CSS_SELECTOR, "[role=status]").text
        assert STAFF in chrome.find_element(By.TAG_NAME, "main").text  # who saved, in history

    order = load_event("shopify/orders-create.json")
    order["detail"]["payload"]["customer_locale"] = "de"
    runner.deliver(order)
    sent = [e for e in outbox.emails(runner.cloud) if e.email_type == EMAIL_TYPE]
    assert sent[-1].subject == "Danke! Bestellung #1001 ist bei uns"


AXE_VERSION = "4"


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """axe-core from npm, installed for the test run (too large to vendor)."""
    npm = shutil.which("npm")
    assert npm, "npm is needed to install axe-core for the accessibility check"
    folder: Path = tmp_path_factory.mktemp("axe")
    subprocess.run(  # noqa: S603
        [
            npm,
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(folder),
            f"axe-core@{AXE_VERSION}",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (folder / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(chrome: Any, source: str) -> list[str]:
    chrome.execute_script(source)
    result = chrome.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        ".then(r => done(JSON.stringify(r.violations)));"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in json.loads(result)
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.enable_socket
@pytest.mark.browser
def test_the_desk_and_copy_pages_have_no_serious_accessibility_violations(
    desk: tuple[Runner, str], axe_source: str
) -> None:
    runner, console = desk
    with browser(javascript=True) as chrome:
        chrome.set_script_timeout(60)
        chrome.set_window_size(390, 844)
        sign_in(chrome, runner, console)
        assert serious_violations(chrome, axe_source) == []
        assert fits_the_width(chrome)
        chrome.find_element(By.PARTIAL_LINK_TEXT, "T-1001").click()
        assert serious_violations(chrome, axe_source) == []
        assert fits_the_width(chrome)
        for page in (f"copy/{EMAIL_TYPE}/de", "copy/", "copy/canned/returns"):
            chrome.get(f"{console}{page}")
            assert serious_violations(chrome, axe_source) == []
            assert fits_the_width(chrome)


def fits_the_width(chrome: Any) -> bool:
    """Nothing on the page needs scrolling sideways."""
    return bool(
        chrome.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    )


@pytest.mark.enable_socket
@pytest.mark.browser
def test_the_results_page_fits_a_phone_and_has_no_serious_accessibility_violations(
    desk: tuple[Runner, str], axe_source: str
) -> None:
    """After Susie's order confirmation went out, its results read at 390 px: the table
    scrolls inside its own box, the page never sideways."""
    runner, console = desk
    with browser(javascript=True) as chrome:
        chrome.set_script_timeout(60)
        chrome.set_window_size(390, 844)
        sign_in(chrome, runner, console)
        chrome.find_element(By.LINK_TEXT, "Results").click()
        assert chrome.find_element(By.TAG_NAME, "h1").text == "Results"
        row = chrome.find_element(By.XPATH, "//table[@id='results']//th[@scope='row']/..")
        assert row.text.startswith("Order confirmation 1 ")
        chrome.find_element(By.CSS_SELECTOR, "details.languages summary").click()
        assert chrome.find_element(By.CSS_SELECTOR, "details.languages[open] table").is_displayed()
        assert fits_the_width(chrome)
        assert serious_violations(chrome, axe_source) == []
        Select(chrome.find_element(By.ID, "days")).select_by_value("7")
        submit(chrome, "form.filters button[type=submit]")
        assert "days=7" in chrome.current_url
        assert chrome.find_element(By.TAG_NAME, "caption").text == "Each email type, last 7 days"
        assert fits_the_width(chrome)
