"""`make bench`: the figures later performance work is judged by, as ratios from one run.

Cold start: each template function's init phase (a fresh interpreter importing its handler
module, with its template environment, as Lambda's init does) against the floor every Python
function pays: `import boto3` and creating one SES client. Medians of several rounds, each
round measuring the floor and every function, so load on the machine affects both alike.

Warm path: one order confirmation in a warm function (parse, profile, recommend, render,
compose MIME, send to a stub SES client; DynamoDB on in-process moto) against rendering the
same email alone. Ratios, not milliseconds, are what compare across machines.

Alerts at scale: a restock with many size-12 subscribers drained through the local cloud
(catalog stream, fan-out queue, delivery queue, sender), per email sent, against the floor
each email cannot avoid in the same cloud: rendering it and one SES SendEmail call.

    python -m tailor_local.bench [--runs 5] [--warm 30] [--subscribers 2000]
                                 [--out bench/results.json]
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


DRAIN_PRODUCT = "8123456789012"
DRAIN_SIZE = "44112233445567"
DRAIN_NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # midday in Chicago: no quiet hours


@dataclass(frozen=True)
class Drain:
    subscribers: int
    sent: int
    seconds: float
    floor_ms: float  # render one alert + one SES SendEmail, per email

    @property
    def per_email_ms(self) -> float:
        return self.seconds * 1000 / self.sent


def _drain_event(detail_type: str, moment: datetime, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"bench-{detail_type}-{moment.timestamp()}",
        "detail-type": detail_type,
        "source": "com.example.shop",
        "account": "123456789012",
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def _oxford(units: int, moment: datetime) -> dict[str, Any]:
    variant = {"variant_id": DRAIN_SIZE, "title": "12", "size": "12", "inventory": units}
    variant["price"] = {"amount": "199.00", "currency": "USD"}
    return _drain_event(
        "ProductUpdated",
        moment,
        {
            "product_id": DRAIN_PRODUCT,
            "handle": "classic-oxford",
            "title": "Classic Oxford",
            "product_type": "Shoes",
            "status": "active",
            "url": "https://shop.example.com/products/classic-oxford",
            "updated_at": moment.isoformat(),
            "variants": [variant],
        },
    )


def seed_subscribers(template: Template, count: int) -> None:
    """`count` size-12 subscribers of the Oxford with profiles and consent, in bulk."""
    from tailor import aws
    from tailor.alerts.store import Subscription, stamp, subscription_item
    from tailor.profiles import Consent, Profile

    asked = DRAIN_NOW - timedelta(days=1)
    consent = {"back_in_stock": Consent(state="subscribed", source="bench", updated_at=asked)}
    profiles = aws.table(template.physical_name("ProfilesTable"))
    interests = aws.table(template.physical_name("InterestsTable"))
    with profiles.batch_writer() as people, interests.batch_writer() as requests:
        for number in range(count):
            email = f"fan{number:05d}@example.com"
            profile = Profile(email=email, sizes={"shoes": "12"}, consent=consent)
            people.put_item(Item=profile.model_dump(mode="json", exclude_none=True))
            since = stamp(asked + timedelta(milliseconds=number))
            subscription = Subscription(email, DRAIN_PRODUCT, DRAIN_SIZE, since, "12")
            requests.put_item(Item=subscription_item(subscription))


def drain(template: Template, subscribers: int, floor_rounds: int = 50) -> Drain:
    """A restock with `subscribers` waiting, drained end to end on in-process moto."""
    from moto.ses.models import ses_backends
    from tailor import aws
    from tailor.render import renderer

    from tailor_local.cloud import open_cloud
    from tailor_local.runner import Runner

    saved = os.environ.get("TAILOR_NOW")
    os.environ["TAILOR_NOW"] = DRAIN_NOW.isoformat()
    try:
        with open_cloud(template, ephemeral=True) as cloud:
            runner = Runner(template, cloud)
            runner.deliver(_oxford(0, DRAIN_NOW - timedelta(minutes=2)))
            seed_subscribers(template, subscribers)
            with recorded_renders() as renders:
                start = time.perf_counter()
                runner.deliver(_oxford(subscribers, DRAIN_NOW - timedelta(minutes=1)))
                seconds = time.perf_counter() - start
            outbox = ses_backends["123456789012"]["us-east-1"].sent_messages
            sent = len({tuple(message.destinations) for message in outbox})
            if sent != subscribers or len(outbox) != subscribers:
                raise RuntimeError(f"{subscribers} subscribers, {len(outbox)} emails sent")
            email_type, context = renders[-1]
            raw = outbox[-1].raw_data
            ses = aws.client("sesv2")
            rounds = []
            for _ in range(floor_rounds):
                begin = time.perf_counter()
                renderer().render(email_type, context)
                ses.send_email(
                    FromEmailAddress=template.parameters["SenderAddress"],
                    Destination={"ToAddresses": ["floor@example.com"]},
                    Content={"Raw": {"Data": raw}},
                )
                rounds.append(time.perf_counter() - begin)
    finally:
        if saved is None:
            os.environ.pop("TAILOR_NOW", None)
        else:
            os.environ["TAILOR_NOW"] = saved
    return Drain(subscribers, sent, seconds, _ms(rounds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tailor_local.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per figure")
    parser.add_argument("--warm", type=int, default=30, help="warm confirmations to time")
    parser.add_argument("--subscribers", type=int, default=2000, help="waiting for the restock")
    parser.add_argument("--out", type=Path, default=RESULTS, help="bench/results.json")
    args = parser.parse_args(argv)

    template = Template()
    print(f"Cold starts: {args.runs} fresh interpreters per function ...", flush=True)
    floor, cold = cold_starts(template, args.runs)
    print(f"Warm path: {args.warm} order confirmations ...", flush=True)
    warm, render = warm_path(template, args.warm)
    print(f"Alerts at scale: a restock with {args.subscribers} subscribers ...", flush=True)
    crowd = drain(template, args.subscribers)

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
    print()
    print(
        table(
            [
                ["floor: render one alert + one SES call", f"{crowd.floor_ms:.2f}", "1.00"],
                [
                    f"restock drained, per email ({crowd.sent} sent)",
                    f"{crowd.per_email_ms:.2f}",
                    f"{crowd.per_email_ms / crowd.floor_ms:.2f}",
                ],
            ],
            ["alerts at scale (local cloud)", "ms", "x floor"],
        )
    )
    print(
        f"{crowd.sent / crowd.seconds:.0f} emails a second on one core: 10,000 subscribers"
        f" in about {10_000 * crowd.per_email_ms / 1000:.0f} s"
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
        "alerts_at_scale": {
            "what": "a restock with N size-12 subscribers drained end to end, in-process moto",
            "subscribers": crowd.subscribers,
            "seconds": round(crowd.seconds, 2),
            "emails_per_second": round(crowd.sent / crowd.seconds, 1),
            "per_email_ms": round(crowd.per_email_ms, 3),
            "floor_ms": round(crowd.floor_ms, 3),
            "floor": "render one back-in-stock email + one SES SendEmail to the same cloud",
            "ratio_to_floor": round(crowd.per_email_ms / crowd.floor_ms, 3),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
