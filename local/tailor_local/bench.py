"""`make bench`: the figures later performance work is judged by, as ratios from one run.

The demo story first, on an ephemeral local cloud, with every AWS call each invocation
makes recorded with its answer (`tailor_local.calls`): the story sends every email type, so
each type and each function it invokes has a sample event and the AWS answers to go with it.

Cold start: per template function, a fresh interpreter imports its handler module with its
template environment (Lambda's init phase), then invokes it once on its sample event with
every AWS call answered from the recording, the tailor package loaded from a copy built as
the layer is (templates and modules compiled by `tailor.build`); against the floor every
Python function pays, `import boto3` and one SES client, then one SendEmail answered the
same way, each in CPU time. Medians of several rounds, each measuring the floor and every
function, so load weighs on both alike.

AWS calls per email: by operation, per email type, a batch's calls shared by its emails.

Warm CPU per email: the sample invocation replayed in a warm function with AWS answered from
memory (no moto, no latency), against rendering the same email alone. The event and the
answers are copied for each round before its clock starts: the function's time only.

Alerts at scale: a restock with many size-12 subscribers drained through the local cloud
(catalog stream, fan-out queue, delivery queue, sender), per email sent, against the floor
each email cannot avoid in the same cloud: rendering it and one SES SendEmail call.

The bill: `tailor_local.costs` prices what was measured; `bench/cost-basis.json` and the
README's "What it costs" tables are rewritten from it.

    python -m tailor_local.bench [--runs 3] [--warm 20] [--subscribers 500]
                                 [--out bench/results.json] [--readme README.md]
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tailor.samples import KEEP_ONE_IN

from tailor_local import calls, costs
from tailor_local.calls import Invoked
from tailor_local.cloud import LOCAL_AWS_ENVIRONMENT, Cloud, command_template
from tailor_local.console import table
from tailor_local.demo import load_story
from tailor_local.template import REPO_ROOT, Template

RESULTS = REPO_ROOT / "bench" / "results.json"
# One fresh interpreter gives both cold-start figures: the init phase (the handler module
# imported, as Lambda's init does), then init plus the first invocation on its sample event,
# every AWS call answered from the story's recording (botocore's before-call hook: no
# network, no moto). The floor does the same with boto3 alone: import it and create one SES
# client, then one SendEmail answered the same way. Timings, in CPU time (a cold start is
# all CPU, and CPU time is what other work on a shared machine does not stretch), print as
# the last line.
COLD = """
import collections, importlib.util, json, pickle, sys, time
with open(sys.argv[1], "rb") as job_file:
    job = pickle.load(job_file)
_start = time.process_time()
if job["path"]:
    spec = importlib.util.spec_from_file_location("handler_module", job["path"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
else:
    import boto3
    ses = boto3.client("sesv2", region_name="us-east-1")
init = time.process_time() - _start
if job["calls"] is not None:
    import botocore.handlers
    from botocore.awsrequest import AWSResponse
    answers = collections.defaultdict(collections.deque)
    for name, status, response in job["calls"]:
        answers[name].append((status, response))
    def answer(model, **_):
        name = model.service_model.service_name + "." + model.name
        status, response = answers[name].popleft() if answers[name] else (200, {})
        return AWSResponse("https://replayed.invalid/", status, {}, None), response
    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", answer))
    if job["path"]:
        class Context:
            function_name = job["function"]
            memory_limit_in_mb = 512
            function_version = "$LATEST"
            aws_request_id = "bench"
            invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
            log_group_name = log_stream_name = "bench"
            def get_remaining_time_in_millis(self):
                return 30000
        getattr(module, job["attribute"])(job["event"], Context())
    else:
        ses.meta.events.register("before-call", answer)
        ses.send_email(
            FromEmailAddress="shop@example.com",
            Destination={"ToAddresses": ["floor@example.com"]},
            Content={"Simple": {"Subject": {"Data": "floor"}, "Body": {"Text": {"Data": "x"}}}},
        )
print(json.dumps([init, time.process_time() - _start]))
"""
NOWHERE = "http://127.0.0.1:9"  # the discard port: a call nothing answers fails at once
FLOOR_SEND = [("sesv2.SendEmail", 200, {"MessageId": "floor"})]
SHOPIFY = REPO_ROOT / "events" / "shopify"


@contextmanager
def built_layer() -> Iterator[Path]:
    """The directory to put on PYTHONPATH for the tailor package as the layer ships it:
    copied, then compiled by `tailor.build` as layers/shared/Makefile does in sam build."""
    import tailor

    with tempfile.TemporaryDirectory(prefix="tailor-layer-") as layer:
        package = Path(layer) / "tailor"
        shutil.copytree(Path(tailor.__file__).parent, package, symlinks=False)
        for cached in list(package.rglob("__pycache__")):
            shutil.rmtree(cached)
        build = "import sys, pathlib, tailor.build; tailor.build.build(pathlib.Path(sys.argv[1]))"
        subprocess.run(  # noqa: S603 - our own interpreter (whatever its version)
            [sys.executable, "-c", build, str(package)],
            env={**os.environ, "PYTHONPATH": layer},
            capture_output=True,
            check=True,
        )
        yield Path(layer)


def fresh_interpreter(job: dict[str, Any], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds of init, and of init plus the first invocation, in a new interpreter
    (its own start-up and reading the job excluded)."""
    with tempfile.NamedTemporaryFile(suffix=".pickle") as job_file:
        pickle.dump(job, job_file)
        job_file.flush()
        result = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", COLD, job_file.name],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO_ROOT,
            timeout=120,
            check=False,
        )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the measured code failed ({job['function']}): {last}")
    init, total = json.loads(result.stdout.strip().splitlines()[-1])
    return float(init), float(total)


@dataclass(frozen=True)
class ColdStart:
    init_ms: float
    first_invoke_ms: float | None  # None: the story never invokes the function


def cold_starts(
    template: Template,
    samples: dict[str, Invoked],
    runs: int,
    only: tuple[str, ...] = (),
) -> tuple[ColdStart, dict[str, ColdStart]]:
    """Medians of the floor and of each function, measured round by round (the floor, then
    every function, `runs` times), so a machine busier at one moment than at another weighs
    on floor and functions alike."""
    with built_layer() as layer:
        # Nothing may reach a network: a call the recording cannot answer fails at once.
        base = {**os.environ, **LOCAL_AWS_ENVIRONMENT, "AWS_ENDPOINT_URL": NOWHERE}
        base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(layer), base.get("PYTHONPATH")]))
        return _cold_starts(template, samples, runs, only, base)


def _cold_starts(
    template: Template,
    samples: dict[str, Invoked],
    runs: int,
    only: tuple[str, ...],
    base: dict[str, str],
) -> tuple[ColdStart, dict[str, ColdStart]]:
    floor_job = {"function": "floor", "path": "", "calls": FLOOR_SEND}
    jobs: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    for function_id, function in sorted(template.functions().items()):
        if only and function_id not in only:
            continue
        module_name, _, attribute = function.handler.rpartition(".")
        sample = samples.get(function_id)
        job = {
            "function": function_id,
            "path": str(function.code_dir / (module_name.replace(".", "/") + ".py")),
            "attribute": attribute,
            "event": sample.event if sample else None,
            "calls": [(c.name, c.status, c.response) for c in sample.calls] if sample else None,
        }
        declared = {k: v for k, v in function.environment.items() if v}
        env = {**base, **declared, "AWS_LAMBDA_FUNCTION_NAME": function_id}
        jobs[function_id] = (job, {**env, **(sample.environment if sample else {})})
    floor: list[tuple[float, float]] = []
    measured: dict[str, list[tuple[float, float]]] = {function_id: [] for function_id in jobs}
    for _ in range(runs):
        floor.append(fresh_interpreter(floor_job, base))
        for function_id, (job, env) in jobs.items():
            measured[function_id].append(fresh_interpreter(job, env))
    return _cold(floor, True), {
        function_id: _cold(times, function_id in samples) for function_id, times in measured.items()
    }


def _cold(times: list[tuple[float, float]], invoked: bool) -> ColdStart:
    return ColdStart(
        _ms([init for init, _ in times]), _ms([total for _, total in times]) if invoked else None
    )


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


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


def play_story(template: Template, stored: dict[str, Any] | None = None) -> list[Invoked]:
    """The demo story on an ephemeral cloud: every invocation, with the AWS calls it made.
    The story shows every email type (each declares its demo step), so every type is here.
    What it left in the tables kept long goes in `stored` (see `stored_basis`)."""
    from tailor_local.cloud import open_cloud
    from tailor_local.demo import Player

    story = load_story()
    with open_cloud(template, ephemeral=True) as cloud, calls.observed() as seen:
        player = Player(story, cloud, template)
        for number, step in enumerate(story.steps, start=1):
            player.play(step, number)
        if stored is not None:
            stored.update(stored_basis(cloud, seen))
    return seen


def stored_basis(cloud: Cloud, seen: list[Invoked]) -> dict[str, Any]:
    """The bytes DynamoDB bills for what the story kept long: per email of each type, its
    click-tracking record in the results table (kept `MESSAGE_DAYS`); per customer (one
    profile each), their profile and consent ledger, kept for good."""
    overhead = costs.load(costs.PRICES)["aws"]["dynamodb_storage_overhead_bytes_per_item"]

    def sizes(logical_id: str) -> list[tuple[dict[str, Any], int]]:
        pages = cloud.client("dynamodb").get_paginator("scan")
        name = cloud.template.physical_name(logical_id)
        items = [item for page in pages.paginate(TableName=name) for item in page["Items"]]
        return [(item, costs.item_bytes(item) + overhead) for item in items]

    sent = Counter(email_type for invoked in seen for email_type in invoked.email_types)
    messages: Counter[str] = Counter()
    for item, size in sizes("ResultsTable"):
        if item["pk"]["S"].startswith("msg#"):
            messages[item["email_type"]["S"]] += size
    profiles = sizes("ProfilesTable")
    return {
        "message_bytes_per_email": {
            email_type: round(messages[email_type] / count) for email_type, count in sent.items()
        },
        "bytes_per_customer": {
            table: round(sum(size for _, size in sizes(table)) / len(profiles))
            for table in ("ProfilesTable", "ConsentLedgerTable")
        },
    }


def sample_files(template: Template, seen: list[Invoked]) -> list[Invoked]:
    """Invocations of the functions the story never runs, from the sample events and mail
    under events/ (delivered in order on a fresh cloud, until each such function has run)."""
    from tailor_local.cloud import open_cloud
    from tailor_local.events import EventFileError, load
    from tailor_local.runner import Runner

    missing = set(template.functions()) - {invoked.function_id for invoked in seen}
    extra: list[Invoked] = []
    if not missing:
        return extra
    with open_cloud(template, ephemeral=True) as cloud, calls.observed() as invoked:
        runner = Runner(template, cloud)
        files = sorted((REPO_ROOT / "events").rglob("*"))
        skipped = {"demo", "schemas"}  # the story played already; JSON Schemas, not events
        for path in [f for f in files if f.suffix in (".json", ".eml")]:
            if skipped & set(path.relative_to(REPO_ROOT / "events").parts):
                continue
            try:
                items = load(path)
            except EventFileError:
                continue  # not an event file (a schema, say)
            before = len(invoked)
            for item in items:
                if item.mail is not None:
                    runner.receive_mail(item.mail, item.origin)
                else:
                    runner.deliver(item.event, item.bus, item.origin)
            ran = {i.function_id for i in invoked[before:]}
            extra += [i for i in invoked[before:] if i.function_id in missing]
            missing -= ran
            if not missing:
                break
    return extra


def samples_by_function(seen: list[Invoked]) -> dict[str, Invoked]:
    """Each function's first invocation in the story: its sample event and AWS answers."""
    first: dict[str, Invoked] = {}
    for invoked in seen:
        first.setdefault(invoked.function_id, invoked)
    return first


def samples_by_type(seen: list[Invoked]) -> dict[str, Invoked]:
    """For each email type, the first invocation that sent one."""
    first: dict[str, Invoked] = {}
    for invoked in seen:
        for email_type in invoked.email_types:
            first.setdefault(email_type, invoked)
    return first


@dataclass(frozen=True)
class WarmCPU:
    invocation_ms: float  # the function's CPU per email, AWS answered from memory
    render_ms: float  # rendering the same email(s) alone, per email

    @property
    def ratio(self) -> float:
        return self.invocation_ms / self.render_ms


def warm_cpu(template: Template, invoked: Invoked, rounds: int) -> WarmCPU:
    """CPU time of one warm invocation replayed on recorded AWS answers (zero latency), per
    email, against rendering the same emails alone. One of each in turn, medians."""
    from tailor.render import renderer

    from tailor_local.invoke import FakeContext, captured_output, environment, handler

    function = template.function(invoked.function_id)
    emails = max(1, len(invoked.email_types))
    offline = {**LOCAL_AWS_ENVIRONMENT, "AWS_ENDPOINT_URL": NOWHERE, **invoked.environment}
    with environment(function, offline, warm=WARM), captured_output():
        handle = handler(function)

        def run(event: Any, replay: calls.Replay) -> None:
            with calls.replaying(replay):
                handle(event, FakeContext(function.logical_id, 30))

        def inputs() -> tuple[Any, calls.Replay]:
            """A fresh event and answers, made before the clock starts: copying them is
            the replay's work, not the function's."""
            return copy.deepcopy(invoked.event), calls.Replay(invoked.calls)

        with recorded_renders() as renders:
            run(*inputs())  # warms up (clients, templates, caches), as a warm container is
        render = renderer().render
        timings, rendering = [], []
        for _ in range(rounds):
            given = inputs()
            start = time.process_time()
            run(*given)
            timings.append(time.process_time() - start)
            start = time.process_time()
            for email_type, context in renders:
                render(email_type, context)
            rendering.append(time.process_time() - start)
    return WarmCPU(_ms(timings) / emails, _ms(rendering) / emails)


WARM = object()  # the warm-container token for replayed invocations


DRAIN_PRODUCT = "8123456789012"
DRAIN_SIZE = "44112233445567"
DRAIN_NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # midday in Chicago: no quiet hours


@dataclass(frozen=True)
class Drain:
    subscribers: int
    sent: int
    seconds: float
    floor_ms: float  # render one alert + one SES SendEmail, per email
    calls: int = 0  # AWS calls of every function the restock ran (stream, fan-out, sender)

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
            with recorded_renders() as renders, calls.observed() as invoked:
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
    made = sum(len(each.calls) for each in invoked)
    return Drain(subscribers, sent, seconds, _ms(rounds), made)


def cost_basis(
    template: Template,
    seen: list[Invoked],
    warm: dict[str, WarmCPU],
    prices: dict[str, Any],
    cold: dict[str, ColdStart],
) -> dict[str, dict[str, Any]]:
    """What one email of each type uses, and what a container of its function uses when
    it starts, as `tailor_local.costs` prices them."""
    calls_per_email = calls.per_email(seen)
    # What DynamoDB bills: per item of a batch or transaction, half for an eventual read.
    items_per_email = calls.per_email(seen, lambda call: call.items / (2 if call.eventual else 1))
    calls_per_start = calls.per_start(seen)
    basis: dict[str, dict[str, Any]] = {}
    for email_type, sample in samples_by_type(seen).items():
        senders = [invoked for invoked in seen if email_type in invoked.email_types]
        emails = sum(invoked.email_types.count(email_type) for invoked in senders)
        # Billed wall time: the CPU measured with AWS at zero latency (on one core; Lambda
        # gives a function a share of a vCPU in proportion to its memory, a whole one from
        # `lambda_full_vcpu_mb`), plus one typical round trip per call of a warm container,
        # rounded up to the millisecond for the invocation, shared per email.
        latency = prices["assumed_latency_ms"]
        warm_calls = [call for call in sample.calls if not (call.per_container or call.kept)]
        waits = sum(latency.get(call.service, latency["default"]) for call in warm_calls)
        properties = template.deployed["Resources"][sample.function_id]["Properties"]
        memory = int(properties.get("MemorySize", 128))
        slower = max(1.0, prices["lambda_full_vcpu_mb"] / memory)
        in_sample = len(sample.email_types)
        cpu = warm[email_type].invocation_ms * in_sample * slower
        billed = math.ceil(cpu + waits) / in_sample
        # One customer in KEEP_ONE_IN has their emails kept for the console's preview.
        made = dict(calls_per_email.get(email_type, {}))
        made["s3.PutObject"] = made.get("s3.PutObject", 0) + 1 / KEEP_ONE_IN
        basis[email_type] = {
            "function": sample.function_id,
            "init_ms": round(cold[sample.function_id].init_ms),
            "calls_per_start": _rounded(calls_per_start.get(sample.function_id, {})),
            "calls_per_email": _rounded(made),
            "items_per_email": _rounded(items_per_email.get(email_type, {})),
            "billed_ms_per_email": round(billed, 3),
            "memory_mb": memory,
            "invocations_per_email": round(len(senders) / emails, 4),
            "log_bytes_per_email": round(sum(i.log_bytes for i in senders) / emails),
        }
    return basis


def _rounded(counted: dict[str, float]) -> dict[str, float]:
    return {name: round(n, 4) for name, n in counted.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tailor_local.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="fresh interpreters per figure")
    parser.add_argument("--warm", type=int, default=20, help="warm invocations timed per type")
    parser.add_argument("--subscribers", type=int, default=500, help="waiting for the restock")
    parser.add_argument("--out", type=Path, default=RESULTS, help="bench/results.json")
    parser.add_argument("--readme", type=Path, default=REPO_ROOT / "README.md")
    args = parser.parse_args(argv)

    # The story's parameters (its shop's support address, say) for every figure alike.
    template = command_template(load_story().parameters, ephemeral=True)
    print("The demo story, every AWS call recorded ...", flush=True)
    stored: dict[str, Any] = {}
    seen = play_story(template, stored)
    print(f"Cold starts: {args.runs} fresh interpreters per function ...", flush=True)
    floor, cold = cold_starts(
        template, samples_by_function(seen + sample_files(template, seen)), args.runs
    )
    print(f"Warm CPU: {args.warm} replayed invocations per email type ...", flush=True)
    by_type = samples_by_type(seen)
    warm = {name: warm_cpu(template, sample, args.warm) for name, sample in by_type.items()}
    print(f"Alerts at scale: a restock with {args.subscribers} subscribers ...", flush=True)
    crowd = drain(template, args.subscribers)
    prices = costs.load(costs.PRICES)
    basis = cost_basis(template, seen, warm, prices, cold)
    costs.BASIS.write_text(json.dumps(basis, indent=2, sort_keys=True) + "\n")
    costs.STORED.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
    the_bill = costs.measured_bill(prices)
    costs.rewrite_readme(args.readme, the_bill)

    print()
    rows = [["floor: boto3 + one SES client (+ one SendEmail)", f"{floor.init_ms:.1f}", "1.00"]]
    rows[0].append(f"{floor.first_invoke_ms or 0:.1f}")
    rows[0].append("1.00")
    for name, cold_start in cold.items():
        first = cold_start.first_invoke_ms
        rows.append(
            [
                name,
                f"{cold_start.init_ms:.1f}",
                f"{cold_start.init_ms / floor.init_ms:.2f}",
                f"{first:.1f}" if first else "not in the story",
                f"{first / (floor.first_invoke_ms or 1):.2f}" if first else "",
            ]
        )
    print(table(rows, ["cold start", "init CPU ms", "x floor", "+ first invoke", "x floor"]))
    print()
    per_email = calls.per_email(seen)
    rows = [
        [
            name,
            f"{sum(counted.values()):.2f}",
            ", ".join(f"{op} {n:g}" for op, n in counted.items()),
        ]
        for name, counted in per_email.items()
    ]
    print(table(rows, ["AWS calls per email", "calls", "by operation"]))
    print()
    rows = [
        [name, ", ".join(f"{op} {n:g}" for op, n in counted.items())]
        for name, counted in calls.per_start(seen).items()
    ]
    print(table(rows, ["AWS calls per container start", "by operation"]))
    print()
    rows = [
        [name, f"{cpu.render_ms:.2f}", f"{cpu.invocation_ms:.2f}", f"{cpu.ratio:.2f}"]
        for name, cpu in warm.items()
    ]
    print(table(rows, ["warm CPU per email (AWS stubbed)", "render ms", "function ms", "x render"]))
    print()
    print(
        f"Alerts at scale: {crowd.sent} subscribers drained in {crowd.seconds:.1f} s, "
        f"{crowd.sent / crowd.seconds:.0f} emails a second: 10,000 in about "
        f"{10_000 * crowd.per_email_ms / 1000:.0f} s (floor: render + one SES call, "
        f"{crowd.floor_ms:.2f} ms an email; the drain {crowd.per_email_ms:.2f} ms); "
        f"{crowd.calls / crowd.sent:.2f} AWS calls an email, stream and fan-out included"
    )
    print()
    print(costs.readme_tables(the_bill))
    results = {
        "cold_start": {
            name: {
                "init_ratio": round(cold_start.init_ms / floor.init_ms, 3),
                "first_invoke_ratio": round(cold_start.first_invoke_ms / floor.first_invoke_ms, 3)
                if cold_start.first_invoke_ms and floor.first_invoke_ms
                else None,
            }
            for name, cold_start in cold.items()
        },
        "aws_calls": {
            name: {"per_email": round(sum(counted.values()), 3)}
            for name, counted in per_email.items()
        },
        "warm_cpu": {name: {"ratio": round(cpu.ratio, 3)} for name, cpu in warm.items()},
        "alerts": {
            "emails_per_second": round(crowd.sent / crowd.seconds, 1),
            "seconds_for_10000": round(10_000 * crowd.per_email_ms / 1000, 1),
        },
        "cost": {
            "per_1000_emails_usd": {
                name: round(cost.total * 1000, 5) for name, cost in the_bill.per_type.items()
            },
            "overhead_vs_ses_percent": round(the_bill.overhead_vs_ses_percent, 2),
            "overhead_vs_ses_percent_by_shop": {
                str(customers): round(the_bill.overhead_percent(customers), 2)
                for customers in costs.SHOP_SIZES
            },
            "monthly_usd": {
                str(customers): round(the_bill.monthly(customers), 2)
                for customers in costs.SHOP_SIZES
            },
            "monthly_fixed_usd": {
                str(customers): {
                    part: round(usd, 2) for part, usd in the_bill.fixed(customers).items()
                }
                for customers in costs.SHOP_SIZES
            },
            "custom_metrics": len(the_bill.stack.metrics) if the_bill.stack else 0,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {args.out}, {costs.BASIS.name} and the README's costs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
