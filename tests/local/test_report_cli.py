"""`tailor report --json` over a running local cloud: keyed by email type, every count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.local.test_cli import SHOPIFY, free_port, tailor

KEYS = {
    "sent",
    "delivered",
    "bounced",
    "complained",
    "unsubscribed",
    "clicked",
    "orders",
    "revenue",
    "by_language",
}


@pytest.fixture(autouse=True)
def local_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("TAILOR_HOME", str(home))
    return home


@pytest.mark.enable_socket
def test_report_json_counts_what_the_running_local_cloud_sent(
    local_home: Path, tmp_path: Path
) -> None:
    assert tailor("report", "--json", home=local_home).returncode != 0  # nothing running
    started = tailor("local", "start", "--port", str(free_port()), home=local_home)
    assert started.returncode == 0, started.stderr
    try:
        events = [str(SHOPIFY / f) for f in ("products-create.json", "orders-create.json")]
        ran = tailor("run", *events, "--outbox", str(tmp_path / "out"), home=local_home)
        assert ran.returncode == 0, ran.stdout + ran.stderr

        shown = tailor("report", "--json", home=local_home)
        table = tailor("report", home=local_home)
    finally:
        tailor("local", "stop", home=local_home)

    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert all(set(entry) >= KEYS for entry in found.values())
    confirmation = found["order_confirmation"]
    assert confirmation["sent"] == 1
    assert confirmation["by_language"] == {"en": confirmation["by_language"]["en"]}
    assert found["shipping_confirmation"]["sent"] == 0
    assert "order_confirmation" in table.stdout
