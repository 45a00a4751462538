"""Debian's headless Chromium for tests that look at pages as a customer would."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unfaked_environment() -> dict[str, str]:
    """The environment without libfaketime (`make test-clock` preloads it): only the code
    under test runs on a faked clock; Chromium and chromedriver crash under it."""
    return {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}


def _japanese_font_installed() -> bool:
    """Whether fontconfig knows a font with Japanese glyphs (without one, Chromium draws
    boxes of another width, and a phone-width measure of a Japanese email is wrong)."""
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True)  # noqa: S607
    return bool(found.stdout.strip())


def ensure_chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installing Debian's packages when missing, and
    Noto CJK so that Japanese emails are measured and pictured in real glyphs."""
    missing: list[str] = []
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        missing += ["chromium", "chromium-driver"]
    if not _japanese_font_installed():
        missing.append("fonts-noto-cjk")
    if missing:
        install = ["apt-get", "install", "-y", "-qq", *missing]
        for command in (["apt-get", "update", "-qq"], install):
            subprocess.run(command, check=True, capture_output=True, timeout=900)  # noqa: S603
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert browser and driver, "chromium and chromedriver could not be installed (needs root)"
    assert _japanese_font_installed(), "fonts-noto-cjk could not be installed (needs root)"
    return browser, driver


@contextmanager
def browser(javascript: bool = False) -> Iterator[Any]:
    """A Selenium-driven headless Chromium; JavaScript off unless asked for."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        if not javascript:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2}
            )
        service = Service(executable_path=driver, env=unfaked_environment())
        session = webdriver.Chrome(service=service, options=options)
        try:
            yield session
        finally:
            session.quit()
