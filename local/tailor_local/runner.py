"""Deliver events to the template's functions the way AWS would, and report what happened.

An event goes through the template's own EventBridge rules (its bus, its patterns, matched
with EventBridge semantics by `patterns.py`) to the functions they target. EventBridge
invokes Lambda asynchronously: a handler that raises is retried as the function's
EventInvokeConfig says, then the failure lands on its on-failure destination. Afterwards
everything the invocations set in motion is drained until the cloud is quiet: events the
functions published (caught by the tap rule on each bus), DynamoDB streams and SQS queues.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC
from typing import Any

from tailor_local import calls, inbound, streams
from tailor_local.cloud import Cloud
from tailor_local.invoke import Outcome, run_handler
from tailor_local.outbox import recording
from tailor_local.patterns import matcher
from tailor_local.provision import tap_buses, tap_queue_name
from tailor_local.reports import Invocation, Report, event_label
from tailor_local.schedules import Clock, target_input
from tailor_local.template import ACCOUNT, REGION, Function, Template

# Re-exported: callers have long imported the records from here.
__all__ = ["Invocation", "Report", "Runner", "event_label"]

# Draining stops after this many rounds even if work keeps appearing (a loop of events).
MAX_ROUNDS = 100
# The largest SQS message body; a failure record over it keeps a summary of its event.
SQS_MAX_BYTES = 256 * 1024
ERROR_MESSAGE_CHARS = 4096


class Runner:
    def __init__(self, template: Template, cloud: Cloud, clock: Clock | None = None) -> None:
        self.template = template
        self.cloud = cloud
        self.clock = clock or Clock(cloud.state)
        self._report: Report | None = None
        self.cache: dict[str, str] = {}  # lookups that hold while the cloud lives

    # ------------------------------------------------------------------ entry points
    def deliver(self, event: dict[str, Any], bus: str | None = None, origin: str = "") -> Report:
        """Route one event through the rules, then drain everything it set in motion."""
        bus = bus or self.template.bus_name
        report = Report(str(event.get("id") or ""), event_label(event), bus, origin)
        with self.reporting(report):
            report.rules = [rule.name for rule in self._route(event, bus, via="")]
            self.drain()
        return report

    def invoke_once(
        self,
        function: Function,
        event: Any,
        origin: str = "",
        trigger: str = "direct invocation",
        drain: bool = False,
    ) -> Report:
        """A synchronous invocation (`tailor invoke`, a function URL), optionally drained."""
        event_id = str(event.get("id") or "") if isinstance(event, dict) else ""
        report = Report(event_id, event_label(event), None, origin)
        with self.reporting(report):
            self.invoke_sync(function, event, trigger)
            if drain:
                self.drain()
        return report

    def receive_mail(self, raw: bytes, origin: str = "") -> Report:
        """SES receives a message: the template's receipt rules run, then everything drains."""
        return inbound.receive(self, raw, origin)

    def fire_target(self, target: dict[str, Any], label: str, event_id: str) -> Report:
        """Deliver a schedule's target with its input, as EventBridge Scheduler would."""
        report = Report(event_id, label, None)
        with self.reporting(report):
            arn = str(target.get("Arn", ""))
            payload = target_input(target)
            function = self.template.function_for_arn(arn)
            if function is not None:
                self.invoke_async(function, payload, f"schedule target {function.logical_id}")
            elif arn.startswith("arn:aws:sqs:"):
                queue = arn.rsplit(":", 1)[-1]
                body = target.get("Input") or "{}"
                self.cloud.client("sqs").send_message(
                    QueueUrl=self.cloud.queue_url(queue), MessageBody=body
                )
            elif ":event-bus/" in arn:
                parameters = target.get("EventBridgeParameters") or {}
                event = self._envelope(
                    parameters.get("DetailType", "Scheduled Event"),
                    parameters.get("Source", "aws.scheduler"),
                    payload,
                )
                bus = arn.rsplit("event-bus/", 1)[-1]
                report.rules = [rule.name for rule in self._route(event, bus, via="")]
            else:
                report.failures.append(
                    f"{label}: target {arn or '(none)'} is not a function, queue or bus of "
                    "this template; nothing ran"
                )
            self.drain()
        return report

    # ------------------------------------------------------------------ routing
    def _route(self, event: dict[str, Any], bus: str, via: str) -> list[Any]:
        match = matcher(event)
        matched = [
            rule for rule in self.template.rules() if rule.bus == bus and match(rule.pattern)
        ]
        if not matched:
            self.current.unmatched.append(f"{via}{event_label(event)} on bus {bus}")
        functions = self.template.functions()
        for rule in matched:
            self.invoke_async(functions[rule.function_id], event, f"{via}rule {rule.name}")
        return matched

    # ------------------------------------------------------------------ invoking
    def invoke_async(self, function: Function, event: Any, trigger: str) -> Invocation:
        """Lambda's asynchronous invocation: retries, then the on-failure destination."""
        config = self.template.async_config(function.logical_id)
        invocation = self.invoke_sync(function, event, trigger, record=False)
        while not invocation.outcome.ok and invocation.attempts <= config.retry_attempts:
            retry = self.invoke_sync(function, event, trigger, record=False)
            invocation.outcome = retry.outcome
            invocation.sends.extend(retry.sends)
            invocation.attempts += 1
        if not invocation.outcome.ok:
            if config.on_failure:
                self._dead_letter(config.on_failure, function, event, invocation)
                invocation.dead_letter = config.on_failure
            where = f"; sent to {invocation.dead_letter}" if invocation.dead_letter else ""
            self.current.failures.append(
                f"{function.logical_id} ({trigger}) failed after {invocation.attempts} "
                f"attempt(s): {invocation.outcome.reason}{where}"
            )
        self.current.invocations.append(invocation)
        return invocation

    def invoke_sync(
        self, function: Function, event: Any, trigger: str, record: bool = True
    ) -> Invocation:
        environment = self.clock.environment()
        with (
            recording(function.logical_id, self.current.event_id) as sends,
            calls.invocation(function.logical_id, event, environment) as made,
        ):
            outcome = run_handler(function, event, environment, warm=self.cloud.token)
            made.email_types = [send.email_type or "unknown" for send in sends.sends]
            made.log_bytes = len(outcome.logs.encode())
        for send in sends.sends:
            self.cloud.journal.add(
                {
                    "ses_message_id": send.ses_message_id,
                    "email_type": send.email_type
                    or function.environment.get("POWERTOOLS_SERVICE_NAME", "email"),
                    "function": function.logical_id,
                    "source_event_id": send.event_id,
                }
            )
        invocation = Invocation(
            function.logical_id, trigger, outcome, sends=list(sends.sends), event=event
        )
        if record:
            self.current.invocations.append(invocation)
        return invocation

    def _dead_letter(
        self, queue: str, function: Function, event: Any, invocation: Invocation
    ) -> None:
        """The invocation record Lambda sends to an on-failure destination."""
        record = {
            "version": "1.0",
            "timestamp": self.clock.now().isoformat(),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.template.arn(function.logical_id) + ":$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": invocation.attempts,
            },
            "requestPayload": event,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": invocation.outcome.error_payload(),
        }
        size = len(json.dumps(record, default=str).encode())
        if size > SQS_MAX_BYTES:
            record.update(_summarised(event, invocation.outcome, size))
            self.current.notes.append(
                f"the failure record of {function.logical_id} was {size:,} bytes, over SQS's "
                f"{SQS_MAX_BYTES:,}; {queue} got it with the event summarised"
            )
        self.send_to_queue(queue, record)

    def send_to_queue(self, queue: str, body: Any) -> None:
        self.cloud.client("sqs").send_message(
            QueueUrl=self.cloud.queue_url(queue), MessageBody=json.dumps(body, default=str)
        )

    # ------------------------------------------------------------------ draining
    def drain(self) -> None:
        """Until quiet: route published events, feed stream and queue records to functions."""
        for _ in range(MAX_ROUNDS):
            busy = self._drain_taps()
            for mapping in self.template.stream_mappings():
                if mapping.enabled:
                    busy += streams.drain(self, mapping)
            if not busy:
                return
        self.current.failures.append(
            f"still busy after {MAX_ROUNDS} rounds of draining: functions keep feeding each "
            "other (an event loop?); stopped"
        )

    def _drain_taps(self) -> int:
        sqs = self.cloud.client("sqs")
        routed = 0
        for bus in tap_buses(self.template):
            url = self.cloud.queue_url(tap_queue_name(bus))
            while True:
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                if not messages:
                    break
                for message in messages:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    event = json.loads(message["Body"])
                    event.pop("ingestion-time", None)
                    self._route(event, bus, via=f"published {event_label(event)} -> ")
                    routed += 1
        return routed

    # ------------------------------------------------------------------ helpers
    @property
    def current(self) -> Report:
        if self._report is None:
            raise RuntimeError("no event is being delivered")
        return self._report

    def reporting(self, report: Report) -> _Reporting:
        return _Reporting(self, report)

    def _envelope(self, detail_type: str, source: str, detail: Any) -> dict[str, Any]:
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": source,
            "account": ACCOUNT,
            "time": self.clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [],
            "detail": detail,
        }


def _summarised(event: Any, outcome: Outcome, size: int) -> dict[str, Any]:
    """What replaces the payloads of a failure record too large for SQS: the event's identity
    (to find it again) and the error's first words."""
    envelope = event if isinstance(event, dict) else {}
    identity = {k: envelope[k] for k in ("id", "detail-type", "source", "time") if k in envelope}
    error = outcome.error_payload()
    message = str(error["errorMessage"] or "")
    if len(message) > ERROR_MESSAGE_CHARS:
        message = message[:ERROR_MESSAGE_CHARS] + f"... ({len(message):,} characters)"
    return {
        "requestPayload": {**identity, "truncated": True, "recordBytes": size},
        "responsePayload": {
            **error,
            "errorMessage": message,
            "stackTrace": [line[:ERROR_MESSAGE_CHARS] for line in error["stackTrace"][-3:]],
        },
    }


class _Reporting:
    """Makes `report` the one that invocations and failures are attributed to meanwhile."""

    def __init__(self, runner: Runner, report: Report) -> None:
        self.runner = runner
        self.report = report
        self.saved: Report | None = None

    def __enter__(self) -> Report:
        self.saved, self.runner._report = self.runner._report, self.report
        return self.report

    def __exit__(self, *_: object) -> None:
        self.runner._report = self.saved
