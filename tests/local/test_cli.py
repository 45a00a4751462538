"""The `tailor` command as a user meets it: what it prints, writes and exits with."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tailor_local.cli import main
from tailor_local.template import REPO_ROOT

SHOPIFY = REPO_ROOT / "events" / "shopify"


@pytest.fixture(autouse=True)
def local_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of its own, so no developer's running local cloud is picked up."""
    home = tmp_path / "home"
    monkeypatch.setenv("TAILOR_HOME", str(home))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return home


def test_run_writes_each_accepted_email_and_an_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = tmp_path / "outbox"
    files = ["products-create.json", "products-update.json", "orders-create.json"]

    status = main(["run", *(str(SHOPIFY / f) for f in files), "--outbox", str(outbox)])

    printed = capsys.readouterr().out
    assert status == 0
    assert (
        "rules matched: OrderConfirmationFunctionShopify, PurchaseHistoryFunctionShopify" in printed
    )
    assert "sent order_confirmation to alex.rivera@example.com" in printed
    assert sorted(p.name for p in outbox.iterdir()) == [
        "0001-order_confirmation.eml",
        "0001-order_confirmation.html",
        "0001-order_confirmation.txt",
        "function-logs.txt",
        "index.json",
    ]
    (entry,) = json.loads((outbox / "index.json").read_text())
    order = json.loads((SHOPIFY / "orders-create.json").read_text())
    assert entry["recipient"] == "alex.rivera@example.com"
    assert entry["email_type"] == "order_confirmation"
    assert entry["function"] == "OrderConfirmationFunction"
    assert entry["source_event_id"] == order["id"]
    assert "#1001" in entry["subject"]
    message = email.message_from_bytes(
        (outbox / entry["eml"]).read_bytes(), policy=email.policy.default
    )
    assert message["Subject"] == entry["subject"]
    assert "Classic Oxford" in (outbox / entry["html"]).read_text()
    assert "Classic Oxford" in (outbox / entry["text"]).read_text()


def test_run_reports_events_that_match_no_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unhandled = json.loads((SHOPIFY / "products-create.json").read_text())
    unhandled["detail"]["metadata"]["X-Shopify-Topic"] = "themes/publish"
    path = tmp_path / "themes-publish.json"
    path.write_text(json.dumps(unhandled))

    status = main(["run", str(path), "--outbox", str(tmp_path / "out")])

    printed = capsys.readouterr().out
    assert status == 0
    assert "matched no rule: shopifyWebhook themes/publish on bus tailor-local-shop" in printed
    assert "0 email(s) written" in printed
    assert json.loads((tmp_path / "out" / "index.json").read_text()) == []


def test_run_reports_a_failing_function_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = json.loads((SHOPIFY / "orders-create.json").read_text())
    del broken["detail"]["payload"]["id"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))

    status = main(["run", str(path), "--outbox", str(tmp_path / "out")])

    printed = capsys.readouterr().out
    assert status == 1
    assert "FAILED OrderConfirmationFunction after 3 attempts" in printed
    assert "failure: OrderConfirmationFunction (rule OrderConfirmationFunctionShopify) " in printed
    assert "detail.payload.id is missing; sent to FailedEventsQueue" in printed
    logs = tmp_path / "out" / "function-logs.txt"
    assert f"What the functions logged is in {logs}" in printed
    assert (
        "== OrderConfirmationFunction <- rule OrderConfirmationFunctionShopify" in logs.read_text()
    )


def test_run_says_why_a_function_chose_not_to_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    order = json.loads((SHOPIFY / "orders-create.json").read_text())
    payload = order["detail"]["payload"]
    payload.update(email=None, contact_email=None)
    payload["customer"]["email"] = None
    path = tmp_path / "no-address.json"
    path.write_text(json.dumps(order))

    status = main(["run", str(path), "--outbox", str(tmp_path / "out")])

    printed = capsys.readouterr().out
    assert status == 0
    assert "skipped order_confirmation: no valid email address on the order" in printed


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (None, "broken.json: no such file; pass .json files holding EventBridge events"),
        ('{"detail-type": "OrderPlaced",', "broken.json: not valid JSON (line 1, column 31"),
        ('{"detail": {}}', "broken.json: not an EventBridge event (missing detail-type, source)"),
        ("[]", "broken.json: the list is empty"),
    ],
)
def test_a_bad_event_file_is_one_line_and_nothing_is_delivered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, complaint: str
) -> None:
    path = tmp_path / "broken.json"
    if content is not None:
        path.write_text(content)

    status = main(["run", str(SHOPIFY / "products-create.json"), str(path)])

    captured = capsys.readouterr()
    assert status == 1
    assert complaint in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Delivering" not in captured.out


def logged_by(logs: str, function_id: str, service: str) -> list[str]:
    """The log messages in function-logs.txt under each invocation of `function_id`, each
    checked to name the function's service (its POWERTOOLS_SERVICE_NAME)."""
    sections = [s for s in logs.split("\n\n") if s.startswith(f"== {function_id} <- ")]
    lines = [
        json.loads(line)
        for section in sections
        for line in section.splitlines()[1:]
        if line.startswith('{"level"')
    ]
    assert {line["service"] for line in lines} <= {service}
    return [line["message"] for line in lines]


def test_function_logs_keep_what_every_invocation_logged(tmp_path: Path) -> None:
    files = ["products-create.json", "orders-create.json"]

    assert main(["run", *(str(SHOPIFY / f) for f in files), "--outbox", str(tmp_path)]) == 0

    logs = (tmp_path / "function-logs.txt").read_text()
    assert "catalog changes read" in logged_by(
        logs, "AlertsCatalogStreamFunction", "alerts_catalog_stream"
    )
    sent = logged_by(logs, "OrderConfirmationFunction", "order_confirmation")
    assert sent == ["email sent"]  # the policy's decision is at DEBUG: logs bill by the byte


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (
            '{"detail-type": "OrderPlaced"}'.encode("utf-16"),
            "broken.json: the file is UTF-16 (or UTF-32) text; JSON must be UTF-8 (RFC 8259)",
        ),
        (
            '{"detail-type": "Caf\xe9"}'.encode("latin-1"),
            "broken.json: not valid UTF-8 (byte 0xe9 at offset 20)",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "broken.json: JSON nested deeper than 100 levels"),
        (
            b'{"detail": ' + b'{"a": ' * 150 + b"1" + b"}" * 151,
            "broken.json: JSON nested deeper than 100 levels",
        ),
    ],
    ids=["utf-16", "latin-1", "deep-arrays", "deep-objects"],
)
@pytest.mark.parametrize("command", ["run", "invoke"])
def test_an_event_file_in_the_wrong_encoding_or_too_deep_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    complaint: str,
    command: str,
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    args = ["run", str(path)] if command == "run" else ["invoke", "CatalogSyncFunction", "-e"]

    status = main([*args, str(path)] if command == "invoke" else args)

    captured = capsys.readouterr()
    assert status == 1
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"tailor: {path.parent}/{complaint}")


def test_invoke_prints_what_the_handler_returned(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["invoke", "CatalogSyncFunction", "-e", str(SHOPIFY / "products-create.json")])

    assert status == 0
    assert json.loads(capsys.readouterr().out) == {"product_id": "8123456789012", "stored": True}


def test_invoke_with_an_unknown_function_lists_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["invoke", "ShippingFunction", "-e", str(SHOPIFY / "orders-create.json")])

    captured = capsys.readouterr()
    assert status == 1
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("tailor: no function 'ShippingFunction' in template.yaml (known: ")
    assert "OrderConfirmationFunction" in line and "CatalogSyncFunction" in line


def test_outbox_and_clock_need_a_running_local_cloud(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox"]) == 1
    assert main(["clock", "advance", "15m"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert (
        lines
        == [
            "tailor: no local cloud is running: start one with `tailor local start` "
            "(an ephemeral `tailor run` writes its emails with --outbox instead)"
        ]
        * 2
    )


# ---------------------------------------------------------------------- the local cloud
def tailor(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "tailor_local.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TAILOR_HOME": str(home)},
        cwd=REPO_ROOT,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_exists(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes() != b""
    except OSError:
        return False


@pytest.mark.enable_socket
def test_start_run_outbox_stop_leaves_no_process(local_home: Path, tmp_path: Path) -> None:
    port = free_port()
    started = tailor("local", "start", "--port", str(port), home=local_home)
    assert started.returncode == 0, started.stderr
    assert f"Local cloud running at http://127.0.0.1:{port}" in started.stdout
    pid = json.loads((local_home / "cloud.json").read_text())["pid"]
    env = json.loads((local_home / "env.json").read_text())
    assert env["OrderConfirmationFunction"]["AWS_ENDPOINT_URL"] == (
        f"http://host.docker.internal:{port}"
    )
    assert env["OrderConfirmationFunction"]["PROFILES_TABLE"] == "ProfilesTable"
    try:
        assert tailor("local", "status", home=local_home).returncode == 0
        events = [str(SHOPIFY / f) for f in ("products-update.json", "orders-create.json")]
        ran = tailor("run", *events, "--outbox", str(tmp_path / "out"), home=local_home)
        assert f"to the local cloud at http://127.0.0.1:{port}" in ran.stdout
        assert ran.returncode == 0, ran.stdout + ran.stderr
        listed = tailor("outbox", "--json", home=local_home)
        (sent,) = json.loads(listed.stdout)
        assert sent["recipient"] == "alex.rivera@example.com"
        assert sent["function"] == "OrderConfirmationFunction"
    finally:
        stopped = tailor("local", "stop", home=local_home)

    assert stopped.returncode == 0
    assert f"Stopped the local cloud at http://127.0.0.1:{port} (pid {pid})" in stopped.stdout
    assert not process_exists(pid)
    assert not (local_home / "cloud.json").exists()
    status = tailor("local", "status", home=local_home)
    assert status.returncode == 3
    assert "No local cloud is running" in status.stdout


@pytest.mark.enable_socket
def test_start_on_a_port_in_use_says_so_in_one_line(local_home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        started = tailor("local", "start", "--port", str(port), home=local_home)

    assert started.returncode == 1
    assert started.stderr.strip().splitlines() == [
        f"tailor: port {port} on 127.0.0.1 is in use; choose another with "
        "`tailor local start --port N`, or stop whatever is listening there"
    ]
    assert not (local_home / "cloud.json").exists()


def customer(zone: str, moment: str) -> dict[str, object]:
    """Alex's account as the shop's own system describes it: newsletter, time zone."""
    return {
        "detail-type": "CustomerUpdated",
        "source": "com.example.shop",
        "detail": {
            "customer_id": "7812345678901",
            "email": "alex.rivera@example.com",
            "time_zone": zone,
            "marketing_consent": {"state": "subscribed", "updated_at": moment},
            "updated_at": moment,
        },
    }


def test_a_held_email_is_reported_with_when_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    from tailor_local.cloud import command_template, open_cloud
    from tailor_local.console import report_lines
    from tailor_local.events import load
    from tailor_local.runner import Runner
    from tailor_local.schedules import Scheduler, parse_duration

    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:00:00+00:00")
    template = command_template(ephemeral=True)
    with open_cloud(template, ephemeral=True) as cloud:
        runner = Runner(template, cloud)
        # Alex lives in Berlin when the shoes arrive: the review request is due 10:00 there.
        runner.deliver(customer("Europe/Berlin", "2026-11-23T19:00:00+00:00"))
        for name in ("products-create", "orders-create", "fulfillments-create"):
            runner.deliver(load(SHOPIFY / f"{name}.json")[0].event)
        runner.deliver(load(SHOPIFY / "fulfillment-events-create-delivered.json")[0].event)
        # Then moves to Chicago, where 10:00 in Berlin is 03:00: quiet hours.
        runner.deliver(customer("America/Chicago", "2026-11-24T12:00:00+00:00"))

        reports = Scheduler(runner).advance(parse_duration("10d"))

    printed = "\n".join(line for report in reports for line in report_lines(report))
    assert (
        "ok     ReviewRequestFunction  <- schedule target ReviewRequestFunction; "
        "held review_request until 2026-11-30 08:00 America/Chicago: quiet hours"
    ) in printed
    assert "sent review_request to alex.rivera@example.com" in printed  # at 08:00 it goes


@pytest.mark.enable_socket
def test_the_demo_gallerys_links_open_under_tailor_serve(local_home: Path, tmp_path: Path) -> None:
    from tailor_local.demo import links

    # A short story of the demo's own files: the catalogue, then Susie's first order.
    folder = tmp_path / "story"
    folder.mkdir()
    steps = []
    for number, name in enumerate(("01-catalog.json", "05-susie-order.json"), start=1):
        (folder / name).write_bytes((REPO_ROOT / "events" / "demo" / name).read_bytes())
        steps.append({"title": f"step {number}", "deliver": [name]})
    story = {"title": "Susie", "start": "2026-10-24T15:00:00Z", "steps": steps}
    (folder / "story.json").write_text(json.dumps(story))
    out, port = tmp_path / "gallery", free_port()
    started = tailor("local", "start", "--port", str(free_port()), home=local_home)
    assert started.returncode == 0, started.stderr
    serve = None
    try:
        played = tailor(
            "demo", "--story", str(folder / "story.json"), "--out", str(out), home=local_home
        )
        assert played.returncode == 0, played.stdout + played.stderr
        assert "`tailor serve` opens the gallery's links" in played.stdout
        (confirmation,) = json.loads((out / "emails" / "index.json").read_text())
        page = (out / "emails" / confirmation["html"]).read_text()
        # The offer and the newsletter invitation, into the function URLs.
        hrefs = [urlsplit(href) for href, _ in links(page) if "Function/" in href]
        assert len(hrefs) >= 2

        serve = subprocess.Popen(  # noqa: S603 - `tailor serve`, as a user starts it
            [sys.executable, "-m", "tailor_local.cli", "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "TAILOR_HOME": str(local_home)},
            cwd=REPO_ROOT,
        )
        answers = [(url.path, get_status(port, f"{url.path}?{url.query}")) for url in hrefs]
    finally:
        if serve is not None:
            serve.terminate()
            serve.wait(timeout=30)
        tailor("local", "stop", home=local_home)

    assert ("/OfferRedirectFunction/", 302) in answers  # the offer is still open at story time
    assert all(status in (200, 302) for _, status in answers), answers


def get_status(port: int, target: str) -> int:
    """The HTTP status `tailor serve` answers `target` with, once it listens (60 s at most)."""
    import http.client
    import time

    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", target)
            status = connection.getresponse().status
            connection.close()
            return status
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise AssertionError(f"tailor serve did not listen on port {port}")
