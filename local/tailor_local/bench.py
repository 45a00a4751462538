"""`make bench`: the figures later performance work is judged by, as ratios from one run.

Cold start: each template function's init phase (a fresh interpreter importing its handler
module, with its template environment, as Lambda's init does) against the floor every Python
function pays: `import boto3` and creating one SES client. Medians of several rounds, each
round measuring the floor and every function, so load on the machine affects both alike.

Warm path: one order confirmation in a warm function (parse, profile, recommend, render,
compose MIME, send to a stub SES client; DynamoDB on in-process moto) against rendering the
same email alone. Ratios, not milliseconds, are what compare across machines.

    python -m tailor_local.bench [--runs 5] [--warm 30] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tailor_local.cloud import LOCAL_AWS_ENVIRONMENT
from tailor_local.console import table
from tailor_local.template import REPO_ROOT, Function, Template

RESULTS = REPO_ROOT / "bench" / "results.json"
FLOOR_CODE = "import boto3\nboto3.client('sesv2', region_name='us-east-1')\n"
INIT_CODE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("handler_module", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""
TIMED = """
import json, time
_start = time.perf_counter()
{code}
print(json.dumps(time.perf_counter() - _start))
"""
SHOPIFY = REPO_ROOT / "events" / "shopify"


def fresh_interpreter(code: str, env: dict[str, str], *args: str) -> float:
    """Seconds `code` takes in a new interpreter (its own start-up excluded)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", TIMED.format(code=code), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the measured code failed: {last}")
    return float(result.stdout.strip().splitlines()[-1])


def cold_starts(template: Template, runs: int) -> tuple[float, dict[str, float]]:
    """Median ms of the floor and of each function's init, measured round by round (the
    floor, then every function, `runs` times), so a machine busier at one moment than at
    another weighs on floor and functions alike."""
    base = {**os.environ, **LOCAL_AWS_ENVIRONMENT}
    base.pop("AWS_ENDPOINT_URL", None)
    measured: dict[str, tuple[dict[str, str], str]] = {}
    for function_id, function in sorted(template.functions().items()):
        module = function.handler.rpartition(".")[0].replace(".", "/") + ".py"
        env = {**base, **function.environment, "AWS_LAMBDA_FUNCTION_NAME": function_id}
        measured[function_id] = (env, str(function.code_dir / module))
    floor: list[float] = []
    samples: dict[str, list[float]] = {function_id: [] for function_id in measured}
    for _ in range(runs):
        floor.append(fresh_interpreter(FLOOR_CODE, base))
        for function_id, (env, path) in measured.items():
            samples[function_id].append(fresh_interpreter(INIT_CODE, env, path))
    return _ms(floor), {function_id: _ms(times) for function_id, times in samples.items()}


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


class StubSES:
    """Accepts every send, as fast as can be: the warm path without SES's round trip."""

    def __init__(self) -> None:
        self.sent = 0

    def send_email(self, **_: Any) -> dict[str, str]:
        self.sent += 1
        return {"MessageId": f"stub-{self.sent}"}


@contextmanager
def stub_ses() -> Iterator[StubSES]:
    from tailor import aws

    stub = StubSES()
    real = aws.client

    def client(service: str) -> Any:
        return stub if service == "sesv2" else real(service)

    client.cache_clear = real.cache_clear  # type: ignore[attr-defined]
    aws.client = client  # type: ignore[assignment]
    try:
        yield stub
    finally:
        aws.client = real


@contextmanager
def recorded_renders() -> Iterator[list[tuple[str, Any]]]:
    """Remember what the renderer was asked to render (to time rendering alone)."""
    from tailor.render import Renderer

    calls: list[tuple[str, Any]] = []
    real = Renderer.render

    def render(self: Renderer, email_type: str, context: Any) -> Any:
        calls.append((email_type, context))
        return real(self, email_type, context)

    Renderer.render = render  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        Renderer.render = real  # type: ignore[method-assign]


def orders(count: int) -> Iterator[dict[str, Any]]:
    """Distinct orders of shoes (idempotency would turn a repeated order into a no-op)."""
    original = json.loads((SHOPIFY / "orders-create.json").read_text())
    now = datetime.now(UTC).isoformat()
    for number in range(count):
        event = copy.deepcopy(original)
        payload = event["detail"]["payload"]
        payload["id"] = 7_000_000 + number
        payload["name"] = f"#{7000 + number}"
        payload.update(created_at=now, processed_at=now)
        yield event


def warm_path(template: Template, iterations: int) -> tuple[float, float]:
    """Median ms of one warm order confirmation, and of rendering the same email alone."""
    from tailor.render import renderer

    from tailor_local.cloud import open_cloud
    from tailor_local.events import load
    from tailor_local.invoke import FakeContext, captured_output, environment, handler
    from tailor_local.runner import Runner

    with open_cloud(template, ephemeral=True) as cloud:
        runner = Runner(template, cloud)
        for name in ("products-create.json", "products-update.json"):
            for item in load(SHOPIFY / name):
                runner.deliver(item.event)
        function: Function = template.function("OrderConfirmationFunction")
        with environment(function), captured_output(), stub_ses() as stub:
            handle = handler(function)
            events = list(orders(iterations + 1))
            with recorded_renders() as renders:
                handle(events[0], FakeContext(function.logical_id, function.timeout))  # warms up
            email_type, email_context = renders[-1]
            render = renderer().render
            timings, rendering = [], []
            for event in events[1:]:  # one of each in turn, as in cold_starts
                context = FakeContext(function.logical_id, function.timeout)
                start = time.perf_counter()
                handle(event, context)
                timings.append(time.perf_counter() - start)
                start = time.perf_counter()
                render(email_type, email_context)
                rendering.append(time.perf_counter() - start)
            if stub.sent != len(events):
                raise RuntimeError(f"expected {len(events)} sends to the stub, got {stub.sent}")
    return _ms(timings), _ms(rendering)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tailor_local.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per figure")
    parser.add_argument("--warm", type=int, default=30, help="warm confirmations to time")
    parser.add_argument("--out", type=Path, default=RESULTS, help="bench/results.json")
    args = parser.parse_args(argv)

    template = Template()
    print(f"Cold starts: {args.runs} fresh interpreters per function ...", flush=True)
    floor, cold = cold_starts(template, args.runs)
    print(f"Warm path: {args.warm} order confirmations ...", flush=True)
    warm, render = warm_path(template, args.warm)

    rows = [["floor: import boto3 + one SES client", f"{floor:.1f}", "1.00"]]
    rows += [[name, f"{ms:.1f}", f"{ms / floor:.2f}"] for name, ms in cold.items()]
    print()
    print(table(rows, ["cold start (init phase)", "median ms", "x floor"]))
    print()
    print(
        table(
            [
                ["render the confirmation alone", f"{render:.2f}", "1.00"],
                ["warm order confirmation", f"{warm:.2f}", f"{warm / render:.2f}"],
            ],
            ["warm path", "median ms", "x render"],
        )
    )
    results = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "runs": args.runs,
        "floor": {"what": "import boto3; boto3.client('sesv2')", "median_ms": round(floor, 2)},
        "cold_start": {
            name: {"median_ms": round(ms, 2), "ratio_to_floor": round(ms / floor, 3)}
            for name, ms in cold.items()
        },
        "warm": {
            "what": "one Shopify orders/create through OrderConfirmationFunction, SES stubbed",
            "iterations": args.warm,
            "order_confirmation_ms": round(warm, 3),
            "render_alone_ms": round(render, 3),
            "ratio_to_render": round(warm / render, 3),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
