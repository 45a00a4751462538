"""`tailor demo`: the seed story, and the gallery a merchant opens in a browser."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from tailor_local.demo import load_story, main

from tests.helpers.browser import FLAGS, ensure_chromium, unfaked_environment

CHROMIUM_FLAGS = FLAGS


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """The demo written once for this module: its folder, what it printed, its status."""
    out = tmp_path_factory.mktemp("demo")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(out, ephemeral=True)
    return out, printed.getvalue(), status


def chromium() -> str:
    """Debian's chromium, installed on first use when missing (a check, never a skip)."""
    return ensure_chromium()[0]


def rendered(page: Path, profile: Path) -> str:
    """The DOM of a page after Chromium loaded it (scripts run, iframes loaded)."""
    result = subprocess.run(  # noqa: S603 - the browser on a local file
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=unfaked_environment(),
    )
    return result.stdout


def test_the_demo_prints_what_was_sent_and_where_the_gallery_is(
    played: tuple[Path, str, int],
) -> None:
    out, printed, status = played

    assert status == 0, printed
    assert "Playing “Susie's size-13 shoes” on an ephemeral local cloud" in printed
    assert re.search(
        r"Susie Oklahoma buys size-13 shoes \.\.\. 2 event\(s\), "
        r"(\d+ scheduled run\(s\), )?1 email\(s\), ok",
        printed,
    )
    assert re.search(
        r"Susie Oklahoma buys size-13 shoes +order_confirmation +susie@example\.com +"
        r"Order #1021 is confirmed",
        printed,
    )
    assert f"Gallery: {out / 'index.html'}" in printed


def test_susie_is_offered_the_closeout_socks_for_15_minutes(played: tuple[Path, str, int]) -> None:
    out, _, _ = played
    index = json.loads((out / "emails" / "index.json").read_text())
    (susie,) = [
        e for e in index if e["email_type"] == "order_confirmation" and "#1021" in e["subject"]
    ]
    text = (out / "emails" / susie["text"]).read_text()

    assert susie["email_type"] == "order_confirmation"
    assert susie["step"] == "Susie Oklahoma buys size-13 shoes"
    assert "Thank you for your first order, Susie!" in text
    assert "Rag Wool Socks" in text
    assert "Add it within 15 minutes" in text


def test_every_step_of_the_story_is_in_the_gallery(played: tuple[Path, str, int]) -> None:
    out, _, _ = played
    page = (out / "index.html").read_text()

    for step in load_story().steps:
        assert step.title.replace("'", "&#x27;") in page
    assert "Susie</strong> clicked “Add it within 15 minutes” → <code>302 Found</code>" in page


@pytest.mark.browser
def test_the_gallery_and_an_email_render_in_chromium(
    played: tuple[Path, str, int], tmp_path: Path
) -> None:
    out, _, _ = played
    index = json.loads((out / "emails" / "index.json").read_text())
    susie = next(e for e in index if "#1021 is confirmed" in e["subject"])

    gallery = rendered(out / "index.html", tmp_path / "profile")

    assert "<h1>Susie's size-13 shoes</h1>" in gallery
    assert "Order #1021 is confirmed" in gallery
    # Each email is an iframe that its onload script sized to its rendered content, and
    # beside it the same email in a phone's 390 px.
    heights = [int(h) for h in re.findall(r'<iframe[^>]*style="height: (\d+)px', gallery)]
    assert len(heights) == 2 * len(index)
    assert gallery.count('<figure class="phone">') == len(index)
    # Sized: an iframe its script did not size keeps the default 150 px.
    assert all(height > 250 for height in heights)

    email = rendered(out / "emails" / susie["html"], tmp_path / "profile")

    assert "Thank you for your first order, Susie!" in email
    assert "Rag Wool Socks" in email
    assert "$18.00" in email and "$9.00" in email
    assert "Add it within 15 minutes" in email
