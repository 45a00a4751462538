"""The AWS API calls functions make: recorded per invocation, and replayed without AWS.

While the local cloud runs a function, a botocore hook notes each call it makes (service,
operation, HTTP status and the parsed answer), so `make bench` and the tests can count what
one email costs in calls. The same answers can then be handed back, in order per operation,
by a `before-call` hook: the function runs again exactly as it did, on an in-memory AWS with
no latency at all (what `make bench` times as the function's own CPU).
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers
from botocore.awsrequest import AWSResponse


@dataclass(frozen=True)
class Call:
    service: str  # botocore's service name: dynamodb, sesv2, sqs, events, scheduler, ...
    operation: str
    status: int
    response: dict[str, Any] = field(repr=False, compare=False)
    items: int = 1  # the items a batch or transaction carried (DynamoDB bills per item)
    per_container: bool = False  # made when a container starts, not per email (see below)
    kept: bool = False  # an email kept for the console's preview (one customer in 50)
    eventual: bool = False  # an eventually consistent DynamoDB read (billed half a unit)

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"


@dataclass
class Invoked:
    """One invocation: what the function was given and the calls it made."""

    function_id: str
    event: Any = field(repr=False)
    environment: dict[str, str]
    calls: list[Call] = field(default_factory=list)
    email_types: list[str] = field(default_factory=list)  # one per send SES accepted
    log_bytes: int = 0

    def counted(self) -> Counter[str]:
        return Counter(call.name for call in self.calls)


_invocations: list[Invoked] = []  # the running invocation (innermost last)
_observers: list[list[Invoked]] = []
_replays: list[Replay] = []


@contextmanager
def invocation(function_id: str, event: Any, environment: dict[str, str]) -> Iterator[Invoked]:
    """Note the calls made inside the block; observers see the invocation when it ends."""
    current = Invoked(function_id, event, dict(environment))
    _invocations.append(current)
    try:
        yield current
    finally:
        _invocations.remove(current)
        for seen in _observers:
            seen.append(current)


@contextmanager
def observed() -> Iterator[list[Invoked]]:
    """Every invocation that ends inside the block, in order."""
    seen: list[Invoked] = []
    _observers.append(seen)
    try:
        yield seen
    finally:
        _observers.remove(seen)


class Replay:
    """Recorded answers handed back in order, per operation, in place of AWS.

    Each answer is copied when the replay is made (the caller rewrites what it is handed),
    so a replay made before a timed invocation leaves the copying out of its time."""

    def __init__(self, calls: Iterable[Call]) -> None:
        self._answers: dict[str, deque[tuple[int, dict[str, Any]]]] = defaultdict(deque)
        for call in calls:
            self._answers[call.name].append((call.status, copy.deepcopy(call.response)))

    def answer(self, name: str) -> tuple[AWSResponse, dict[str, Any]]:
        queue = self._answers.get(name)
        # A call the recording lacks (the local cloud never answered it) succeeds, empty.
        status, response = queue.popleft() if queue else (200, {})
        http = AWSResponse("https://replayed.invalid/", status, {}, None)  # type: ignore[arg-type]
        return http, response


@contextmanager
def replaying(calls: Iterable[Call] | Replay) -> Iterator[Replay]:
    """Inside the block, every AWS call is answered from `calls` (sessions created after
    this module was imported; `tailor.aws` creates its own lazily)."""
    replay = calls if isinstance(calls, Replay) else Replay(calls)
    _replays.append(replay)
    try:
        yield replay
    finally:
        _replays.remove(replay)


def _before_call(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
    if not _replays:
        return None
    return _replays[-1].answer(f"{model.service_model.service_name}.{model.name}")


_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem"})


def _count_items(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    """Note how many items a batch or transaction carries (DynamoDB bills per item), and
    whether a read is eventually consistent (half a read unit)."""
    if _invocations:
        if model.name in _READS:
            requests = (params.get("RequestItems") or {params.get("TableName"): params}).values()
            context["tailor_eventual"] = not any(
                isinstance(r, dict) and r.get("ConsistentRead") for r in requests
            )
        if "TransactItems" in params:
            context["tailor_items"] = len(params["TransactItems"])
        elif isinstance(params.get("RequestItems"), dict):
            context["tailor_items"] = sum(
                len(request.get("Keys") or []) if isinstance(request, dict) else len(request)
                for request in params["RequestItems"].values()
            )


def _note_key(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """Note which object an S3 call reads (the copy overrides are read per container)."""
    if _invocations:
        context["tailor_key"] = str(params.get("Key") or params.get("Prefix") or "")


def _received(parsed_response: Any, context: dict[str, Any], **_: Any) -> None:
    """The answer as it came off the wire: later hooks (boto3's DynamoDB resource) rewrite
    it in place into Python values, and a replay must hand back the wire's form."""
    if _invocations and isinstance(parsed_response, dict):
        context["tailor_answer"] = copy.deepcopy(parsed_response)


def _after_call(http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
    if not _invocations:
        return
    service = model.service_model.service_name
    _invocations[-1].calls.append(
        Call(
            service,
            model.name,
            int(getattr(http_response, "status_code", 200)),
            context.get("tailor_answer") or {},
            int(context.get("tailor_items", 1)),
            _per_container(service, model.name, str(context.get("tailor_key", ""))),
            "/last-event/" in str(context.get("tailor_key", "")),
            bool(context.get("tailor_eventual")),
        )
    )


def _install_hooks() -> None:
    """Register the hooks on every botocore session created from now on."""
    handlers = botocore.handlers.BUILTIN_HANDLERS
    if any(getattr(h[1], "__module__", "") == __name__ for h in handlers):
        return
    handlers.append(("before-call", _before_call))
    handlers.append(("before-parameter-build.dynamodb", _count_items))
    handlers.append(("before-parameter-build.s3", _note_key))
    handlers.append(("response-received", _received))
    handlers.append(("after-call", _after_call))


_install_hooks()


# What a container reads when it starts and keeps (the signing keys for an hour, the shop's
# copy and canned overrides for five minutes): paid per container start, not per email, so
# they are counted apart and priced by `tailor_local.costs` per start. (The local cloud
# starts a new container whenever another function ran in between: `tailor_local.invoke`.)
PER_CONTAINER = frozenset({"secretsmanager.GetSecretValue", "ssm.GetParameter"})
_OVERRIDE_READS = frozenset({"GetObject", "ListObjectsV2"})
_OVERRIDE_PREFIXES = ("copy/", "canned/")


def _per_container(service: str, operation: str, key: str) -> bool:
    if f"{service}.{operation}" in PER_CONTAINER:
        return True
    return service == "s3" and operation in _OVERRIDE_READS and key.startswith(_OVERRIDE_PREFIXES)


def per_email(
    seen: Iterable[Invoked], measure: Callable[[Call], float] = lambda call: 1
) -> dict[str, dict[str, float]]:
    """The calls one email of each type costs, by operation: each invocation's calls shared
    equally among the emails it sent (a batch of alerts amortises its reads), summed over
    the invocations that sent the type and divided by the emails of the type they sent.
    Calls per container start (`PER_CONTAINER`) are left out, and so is the write that keeps
    an email for the console's preview: it is made for one customer in
    `tailor.samples.KEEP_ONE_IN`, chosen by address, and the story's few emails are no
    sample of that (the bill adds its share to every email instead). `measure` counts each call
    (once, or by the items it carried)."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    emails: Counter[str] = Counter()
    for invoked in seen:
        emails.update(invoked.email_types)
        for email_type in invoked.email_types:
            for call in invoked.calls:
                if not (call.per_container or call.kept):
                    totals[email_type][call.name] += measure(call) / len(invoked.email_types)
    return {
        email_type: {name: n / emails[email_type] for name, n in sorted(counted.items())}
        for email_type, counted in totals.items()
    }


def per_start(seen: Iterable[Invoked]) -> dict[str, dict[str, float]]:
    """The calls a container of each function makes when it starts, by operation: the mean
    over the function's invocations that made any (those that started a container)."""
    made: dict[str, Counter[str]] = defaultdict(Counter)
    starts: Counter[str] = Counter()
    for invoked in seen:
        at_start = Counter(call.name for call in invoked.calls if call.per_container)
        if at_start:
            made[invoked.function_id].update(at_start)
            starts[invoked.function_id] += 1
    return {
        function_id: {name: n / starts[function_id] for name, n in sorted(counted.items())}
        for function_id, counted in made.items()
    }
