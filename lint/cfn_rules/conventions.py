"""Tailor's function conventions as cfn-lint rules: `cfn-lint template.yaml -a lint/cfn_rules`.

Every function in template.yaml repeats the same few blocks (retry and dead-letter settings,
a log group, the SES statement, the idempotency grant...). These rules fail the lint when a
function forgets one, and each message names the function and the exact YAML to add.

cfn-lint 1.x does not run the SAM transform: it merges `Globals` into each
`AWS::Serverless::Function` and lints the SAM resources as written, so these rules read the
raw SAM properties (with Globals already merged in). cfn-lint loads this file on its own
(not as part of a package), so everything it needs lives here.
"""

import ast
import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from cfnlint.rules import CloudFormationLintRule, RuleMatch

FUNCTION = "AWS::Serverless::Function"
FAILED_EVENTS_QUEUE = "FailedEventsQueue"
IDEMPOTENCY_TABLE = "IdempotencyTable"
IDEMPOTENCY_ACTIONS = frozenset(
    {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
)
SES_SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")
SES_ARN = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
# SAM's two spellings of an EventBridge rule event (CloudWatchEvent is the older one).
EVENTBRIDGE_EVENTS = frozenset({"EventBridgeRule", "CloudWatchEvent"})
STREAM_EVENTS = frozenset({"DynamoDB", "Kinesis"})
LAMBDA_DEFAULT_TIMEOUT = 3

Where = list[str | int]


# ------------------------------------------------------------------ reading the template
def functions(cfn: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each SAM function's logical id and properties (Globals merged in)."""
    for name, resource in _resources(cfn).items():
        if isinstance(resource, dict) and resource.get("Type") == FUNCTION:
            properties = resource.get("Properties")
            yield name, properties if isinstance(properties, dict) else {}


def _resources(cfn: Any) -> dict[str, Any]:
    resources = cfn.template.get("Resources")
    return resources if isinstance(resources, dict) else {}


def events(properties: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each event source of a function: its name, Type and Properties."""
    declared = properties.get("Events")
    if not isinstance(declared, dict):
        return
    for name, event in declared.items():
        if isinstance(event, dict):
            event_properties = event.get("Properties")
            yield (
                name,
                str(event.get("Type", "")),
                event_properties if isinstance(event_properties, dict) else {},
            )


def log_groups(cfn: Any, function: str) -> list[tuple[str, dict[str, Any]]]:
    """The log groups (logical id, properties) named !Sub /aws/lambda/${function}."""
    return [
        (group, resource.get("Properties") or {})
        for group, resource in _resources(cfn).items()
        if isinstance(resource, dict)
        and resource.get("Type") == "AWS::Logs::LogGroup"
        and _sub_text(_get(resource, "Properties", "LogGroupName"))
        == f"/aws/lambda/${{{function}}}"
    ]


class Problem(NamedTuple):
    """Where a function breaks a convention, and what to add or change."""

    path: Where
    message: str


@dataclass(frozen=True)
class Statement:
    path: Where
    body: dict[str, Any]

    @property
    def allows(self) -> bool:
        return self.body.get("Effect") == "Allow"

    @property
    def actions(self) -> list[str]:
        return [str(action) for action in _as_list(self.body.get("Action"))]

    @property
    def resources(self) -> list[Any]:
        return _as_list(self.body.get("Resource"))

    def grants(self, action: str) -> bool:
        """Whether an allowed action (wildcards included, case-insensitive) covers `action`."""
        return self.allows and any(
            fnmatch.fnmatch(action.lower(), pattern.lower()) for pattern in self.actions
        )


def statements(name: str, properties: dict[str, Any]) -> Iterator[Statement]:
    """The statements of a function's inline policies (`Policies: - Statement: [...]`)."""
    policies = properties.get("Policies")
    if not isinstance(policies, list):
        return
    for index, policy in enumerate(policies):
        if not isinstance(policy, dict):
            continue
        for position, body in enumerate(_as_list(policy.get("Statement"))):
            if isinstance(body, dict):
                path: Where = ["Resources", name, "Properties", "Policies", index]
                yield Statement([*path, "Statement", position], body)


def referenced_ids(value: Any) -> set[str]:
    """Logical ids a value points at through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= referenced_ids(item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(target, str):
                    found.add(target.split(".")[0])
            elif key == "Fn::Sub":
                template = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(template, str):
                    found |= {ref.split(".")[0] for ref in re.findall(r"\$\{([^}!]+)\}", template)}
                found |= referenced_ids(inner[1:] if isinstance(inner, list) else [])
            else:
                found |= referenced_ids(inner)
    return found


def _sub_text(value: Any) -> str:
    """The template string of a `!Sub`, or "" for anything else."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        text = inner[0] if isinstance(inner, list) and inner else inner
        return text if isinstance(text, str) else ""
    return ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _number(value: Any, default: int) -> int | None:
    """A literal whole number (absent: the default); None for a Ref or anything unresolved."""
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _is_ref(value: Any, logical_id: str) -> bool:
    return isinstance(value, dict) and value.get("Ref") == logical_id


def _points_at(value: Any, logical_id: str) -> bool:
    return logical_id in referenced_ids(value)


class TailorRule:
    """A rule over every SAM function: subclasses say what one function lacks.

    A mixin, not a CloudFormationLintRule itself: cfn-lint instantiates every subclass of
    that class it finds in this file, and this one is no rule of its own.
    """

    source_url = "lint/cfn_rules/conventions.py"
    tags: ClassVar[list[str]] = ["tailor", "conventions"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        return [
            RuleMatch(path, f"{name}: {problem}")
            for name, properties in functions(cfn)
            for path, problem in self.problems(cfn, name, properties)
        ]

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        raise NotImplementedError


# ------------------------------------------------------------------ the rules
class EventBridgeRetriesAndDeadLetters(TailorRule, CloudFormationLintRule):
    """Without them a rule retries for 24 hours and then drops the event without a trace."""

    id = "E9001"
    shortdesc = "EventBridge rule events retry a bounded time, then dead-letter"
    description = (
        "Every EventBridgeRule event of a function has RetryPolicy (MaximumRetryAttempts "
        f"and MaximumEventAgeInSeconds) and a DeadLetterConfig on {FAILED_EVENTS_QUEUE}."
    )

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        for event, kind, settings in events(properties):
            if kind not in EVENTBRIDGE_EVENTS:
                continue
            path: Where = ["Resources", name, "Properties", "Events", event]
            where = f"event {event} ({kind})"
            retry = settings.get("RetryPolicy")
            if not isinstance(retry, dict):
                yield Problem(
                    path,
                    f"{where} has no RetryPolicy; add RetryPolicy: "
                    "{ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 }",
                )
            else:
                for key, example in (
                    ("MaximumRetryAttempts", 8),
                    ("MaximumEventAgeInSeconds", 3600),
                ):
                    if key not in retry:
                        yield Problem(
                            [*path, "Properties", "RetryPolicy"],
                            f"{where} has a RetryPolicy without {key}; add {key}: {example}",
                        )
            dead_letters = settings.get("DeadLetterConfig")
            add = f"DeadLetterConfig: {{ Arn: !GetAtt {FAILED_EVENTS_QUEUE}.Arn }}"
            if not isinstance(dead_letters, dict):
                yield Problem(path, f"{where} has no DeadLetterConfig; add {add}")
            elif not _points_at(dead_letters.get("Arn"), FAILED_EVENTS_QUEUE):
                # FailedEventsQueuePolicy lets EventBridge write to that queue only.
                yield Problem(
                    [*path, "Properties", "DeadLetterConfig"],
                    f"{where} sends dead letters elsewhere than {FAILED_EVENTS_QUEUE} "
                    f"(the only queue EventBridge may write to); use {add}",
                )


class SesSendingLimitedToSender(TailorRule, CloudFormationLintRule):
    """A function may send only as the shop's sender, through one of its configuration sets."""

    id = "E9002"
    shortdesc = "SES sending is limited to the sender identity and a configuration set"
    description = (
        "Every statement allowing ses:SendEmail or ses:SendRawEmail names only the sender "
        "identity and configuration set ARNs, with Condition StringEquals ses:FromAddress "
        "!Ref SenderAddress."
    )

    IDENTITY = SES_ARN + "identity/${SenderIdentity}"
    CONFIGURATION_SET = SES_ARN + "configuration-set/${%s}"

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        for statement in statements(name, properties):
            granted = [action for action in SES_SEND_ACTIONS if statement.grants(action)]
            if not granted:
                continue
            what = f"the statement allowing {' and '.join(granted)}"
            texts = [_sub_text(resource) for resource in statement.resources]
            identities = [text for text in texts if text == self.IDENTITY]
            sets = [text for text in texts if _is_configuration_set(text)]
            if len(identities) + len(sets) != len(texts):
                yield Problem(
                    [*statement.path, "Resource"],
                    f"{what} reaches beyond the sender; its Resource may list only "
                    f"!Sub {self.IDENTITY} and !Sub "
                    f"{self.CONFIGURATION_SET % 'TransactionalConfigurationSet'} "
                    "(or MarketingConfigurationSet)",
                )
            else:
                if not identities:
                    yield Problem(
                        [*statement.path, "Resource"],
                        f"{what} lacks the sender identity; add !Sub {self.IDENTITY} to Resource",
                    )
                if not sets:
                    yield Problem(
                        [*statement.path, "Resource"],
                        f"{what} lacks a configuration set; add !Sub "
                        f"{self.CONFIGURATION_SET % 'TransactionalConfigurationSet'} "
                        "(or MarketingConfigurationSet) to Resource",
                    )
            from_address = _get(statement.body, "Condition", "StringEquals", "ses:FromAddress")
            if not _is_ref(from_address, "SenderAddress"):
                yield Problem(
                    statement.path,
                    f"{what} does not pin the From address; add Condition: "
                    "{ StringEquals: { ses:FromAddress: !Ref SenderAddress } }",
                )


def _is_configuration_set(text: str) -> bool:
    prefix = re.escape(SES_ARN + "configuration-set/")
    return bool(re.fullmatch(prefix + r"\$\{\w+ConfigurationSet\}", text))


class LogGroupWithRetention(TailorRule, CloudFormationLintRule):
    """Lambda's own log group keeps logs forever; ours expire after LogRetentionDays."""

    id = "E9003"
    shortdesc = "Every function has its log group with the stack's retention"
    description = (
        "Every function has an AWS::Logs::LogGroup named !Sub /aws/lambda/${Function} "
        "with RetentionInDays: !Ref LogRetentionDays."
    )

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        expected = f"/aws/lambda/${{{name}}}"
        groups = log_groups(cfn, name)
        if not groups:
            suggested = name.removesuffix("Function") + "LogGroup"
            yield Problem(
                ["Resources", name],
                f"has no log group; add {suggested}: {{ Type: AWS::Logs::LogGroup, "
                f"Properties: {{ LogGroupName: !Sub {expected}, "
                "RetentionInDays: !Ref LogRetentionDays } }",
            )
        for group, group_properties in groups:
            if not _is_ref(group_properties.get("RetentionInDays"), "LogRetentionDays"):
                yield Problem(
                    ["Resources", group, "Properties"],
                    f"its log group {group} does not expire with the stack's setting; "
                    "set RetentionInDays: !Ref LogRetentionDays",
                )


class IdempotencyGrantExact(TailorRule, CloudFormationLintRule):
    """The records of `tailor.idempotency` (Powertools' idempotency records and the send
    records of `email_once`) are read, claimed, completed and released."""

    id = "E9004"
    shortdesc = "The idempotency table is granted exactly the four item actions"
    description = (
        f"A statement on {IDEMPOTENCY_TABLE} names only that table and grants exactly "
        + ", ".join(sorted(IDEMPOTENCY_ACTIONS))
        + "; a function whose code reaches tailor.idempotency.once or email_once has that "
        + "statement."
    )

    STATEMENT = (
        "- Effect: Allow, Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem, "
        f"dynamodb:DeleteItem], Resource: !GetAtt {IDEMPOTENCY_TABLE}.Arn"
    )

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        granted = False
        for statement in statements(name, properties):
            if not statement.allows or not _points_at(statement.resources, IDEMPOTENCY_TABLE):
                continue
            granted = True
            others = sorted(referenced_ids(statement.resources) - {IDEMPOTENCY_TABLE})
            if others:
                yield Problem(
                    [*statement.path, "Resource"],
                    f"the statement on {IDEMPOTENCY_TABLE} also names {', '.join(others)}; "
                    f"give {IDEMPOTENCY_TABLE} a statement of its own: {self.STATEMENT}",
                )
            missing = sorted(a for a in IDEMPOTENCY_ACTIONS if not statement.grants(a))
            extra = sorted(set(statement.actions) - IDEMPOTENCY_ACTIONS)  # wildcards too
            if missing:
                yield Problem(
                    [*statement.path, "Action"],
                    f"the statement on {IDEMPOTENCY_TABLE} lacks {', '.join(missing)}; "
                    "add it to Action (the idempotency layer needs all four item actions)",
                )
            if extra:
                yield Problem(
                    [*statement.path, "Action"],
                    f"the statement on {IDEMPOTENCY_TABLE} grants {', '.join(extra)}, "
                    "which the idempotency layer never uses; remove it from Action",
                )
        uses = _uses_once(cfn, properties)
        if uses and not granted:
            yield Problem(
                ["Resources", name, "Properties", "Policies"],
                f"its code uses tailor.idempotency.once or email_once but it has no grant on "
                f"{IDEMPOTENCY_TABLE}; add to its Policies' Statement: {self.STATEMENT}",
            )
        elif uses is False and granted:
            yield Problem(
                ["Resources", name, "Properties", "Policies"],
                f"its code never uses tailor.idempotency.once or email_once, yet it is granted "
                f"{IDEMPOTENCY_TABLE}; remove that statement",
            )


class AsyncFailuresHaveADestination(TailorRule, CloudFormationLintRule):
    """An asynchronous invocation that keeps failing is otherwise dropped after two retries.

    Any function can be invoked asynchronously (EventBridge, Scheduler, SES receipt rules),
    so every one keeps the Globals' EventInvokeConfig, or an equivalent of its own.
    """

    id = "E9005"
    shortdesc = "Asynchronous invocations that fail land on a queue"
    description = (
        "Every function has EventInvokeConfig with MaximumRetryAttempts and "
        "DestinationConfig.OnFailure (Type and Destination), as the Globals give it."
    )

    ADD = (
        "EventInvokeConfig: { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: "
        f"{{ Type: SQS, Destination: !GetAtt {FAILED_EVENTS_QUEUE}.Arn }} }} }}"
    )

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        config = properties.get("EventInvokeConfig")
        path: Where = ["Resources", name, "Properties"]
        if not isinstance(config, dict):
            yield Problem(
                path,
                "has no EventInvokeConfig, so failed asynchronous invocations are lost; "
                f"keep the Globals' one (no IgnoreGlobals) or add {self.ADD}",
            )
            return
        on_failure = _get(config, "DestinationConfig", "OnFailure")
        if not isinstance(on_failure, dict) or not {"Type", "Destination"} <= on_failure.keys():
            yield Problem(
                [*path, "EventInvokeConfig"],
                "its EventInvokeConfig has no on-failure destination; add DestinationConfig: "
                f"{{ OnFailure: {{ Type: SQS, Destination: !GetAtt {FAILED_EVENTS_QUEUE}.Arn }} "
                "}",
            )
        if "MaximumRetryAttempts" not in config:
            yield Problem(
                [*path, "EventInvokeConfig"],
                "its EventInvokeConfig leaves retries to the default; add MaximumRetryAttempts: 2",
            )


class PolledSourcesReportFailuresAndDeadLetter(TailorRule, CloudFormationLintRule):
    """One bad record must neither fail its whole batch nor block the stream or queue."""

    id = "E9006"
    shortdesc = "Stream and queue event sources report item failures and dead-letter"
    description = (
        "SQS, DynamoDB and Kinesis events have FunctionResponseTypes: [ReportBatchItemFailures]; "
        "stream events have MaximumRetryAttempts and DestinationConfig.OnFailure; "
        "an SQS event's queue has a RedrivePolicy and a VisibilityTimeout of at least six "
        "times the function's Timeout."
    )

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        for event, kind, settings in events(properties):
            if kind not in STREAM_EVENTS | {"SQS"}:
                continue
            path: Where = ["Resources", name, "Properties", "Events", event, "Properties"]
            where = f"event {event} ({kind})"
            if "ReportBatchItemFailures" not in _as_list(settings.get("FunctionResponseTypes")):
                yield Problem(
                    path,
                    f"{where} retries its whole batch for one bad record; "
                    "add FunctionResponseTypes: [ReportBatchItemFailures]",
                )
            if kind in STREAM_EVENTS:
                yield from self._stream_problems(path, where, settings)
            else:
                timeout = _number(properties.get("Timeout"), LAMBDA_DEFAULT_TIMEOUT)
                yield from self._queue_problems(cfn, path, where, settings, timeout)

    @staticmethod
    def _stream_problems(path: Where, where: str, settings: dict[str, Any]) -> Iterator[Problem]:
        if "MaximumRetryAttempts" not in settings:
            yield Problem(
                path,
                f"{where} retries a failing batch until its records expire, blocking the "
                "shard; add MaximumRetryAttempts: 5",
            )
        if not _get(settings, "DestinationConfig", "OnFailure", "Destination"):
            yield Problem(
                path,
                f"{where} drops batches that exhaust their retries; add DestinationConfig: "
                "{ OnFailure: { Type: SQS, Destination: !GetAtt <its failed queue>.Arn } }",
            )

    @staticmethod
    def _queue_problems(
        cfn: Any, path: Where, where: str, settings: dict[str, Any], timeout: int | None
    ) -> Iterator[Problem]:
        queues = referenced_ids(settings.get("Queue"))
        resources = _resources(cfn)
        for queue in sorted(queues & resources.keys()):
            queue_properties = _get(resources[queue], "Properties") or {}
            if not _get(queue_properties, "RedrivePolicy", "deadLetterTargetArn"):
                yield Problem(
                    path,
                    f"{where} reads {queue}, which has no dead-letter queue; add to {queue}: "
                    "RedrivePolicy: { deadLetterTargetArn: !GetAtt <its failed queue>.Arn, "
                    "maxReceiveCount: 5 }",
                )
            # Lambda's advice: a message must stay hidden while the function and its retries
            # of the batch run, or a second poller receives it too.
            visible_after = _number(queue_properties.get("VisibilityTimeout"), 30)
            if timeout is not None and visible_after is not None and visible_after < 6 * timeout:
                yield Problem(
                    path,
                    f"{where} reads {queue}, whose VisibilityTimeout ({visible_after} s) is "
                    f"under six times the function's Timeout ({timeout} s); set "
                    f"VisibilityTimeout: {6 * timeout} on {queue}",
                )


class PowertoolsServiceName(TailorRule, CloudFormationLintRule):
    """Logs and metrics are told apart by service; a copied function would share its name."""

    id = "E9007"
    shortdesc = "Every function sets its own POWERTOOLS_SERVICE_NAME"
    description = (
        "Every function's Environment.Variables sets POWERTOOLS_SERVICE_NAME, "
        "and no two functions share one."
    )

    def match(self, cfn: Any) -> list[RuleMatch]:
        self._owners: dict[str, str] = {}
        return list(super().match(cfn))

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        service = _get(properties, "Environment", "Variables", "POWERTOOLS_SERVICE_NAME")
        path: Where = ["Resources", name, "Properties"]
        if not service:
            yield Problem(
                path,
                "has no POWERTOOLS_SERVICE_NAME; add to its Environment.Variables: "
                "POWERTOOLS_SERVICE_NAME: <what it does, e.g. order_confirmation>",
            )
        elif isinstance(service, str):
            first = self._owners.setdefault(service, name)
            if first != name:
                yield Problem(
                    [*path, "Environment", "Variables", "POWERTOOLS_SERVICE_NAME"],
                    (f"POWERTOOLS_SERVICE_NAME {service} is already {first}'s; give it its own"),
                )


class NamedAfterItsFolder(TailorRule, CloudFormationLintRule):
    """One name per function: `tailor invoke X`, its logs and its code folder must agree."""

    id = "E9009"
    shortdesc = "A function's logical id and log group are named after its code folder"
    description = (
        "A function whose CodeUri is functions/<name>/ is <Name>Function (snake_case to "
        "CamelCase), and its log group is <Name>LogGroup."
    )

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        folder = re.fullmatch(r"functions/(\w+)/?", str(properties.get("CodeUri", "")))
        if folder is None:
            return
        stem = "".join(word.capitalize() for word in folder.group(1).split("_"))
        if name != f"{stem}Function":
            yield Problem(
                ["Resources", name],
                f"its code is in {folder.group(0)}; name it {stem}Function, or move the "
                "code to the folder its name says",
            )
            return
        for group, _ in log_groups(cfn, name):
            if group != f"{stem}LogGroup":
                yield Problem(["Resources", group], f"name its log group {stem}LogGroup")


class SchedulesPassTheSchedulerRole(TailorRule, CloudFormationLintRule):
    """Creating a schedule that runs as SchedulerRole needs iam:PassRole on that role."""

    id = "E9008"
    shortdesc = "A function that creates schedules may pass SchedulerRole, and only it"
    description = (
        "A function allowed scheduler:CreateSchedule is allowed iam:PassRole on SchedulerRole; "
        "iam:PassRole names SchedulerRole only."
    )

    ADD = "- Effect: Allow, Action: [iam:PassRole], Resource: !GetAtt SchedulerRole.Arn"

    def problems(self, cfn: Any, name: str, properties: dict[str, Any]) -> Iterator[Problem]:
        creates = False
        passes = False
        for statement in statements(name, properties):
            creates = creates or statement.grants("scheduler:CreateSchedule")
            if not statement.grants("iam:PassRole"):
                continue
            if referenced_ids(statement.resources) == {"SchedulerRole"} and all(
                isinstance(resource, dict) for resource in statement.resources
            ):
                passes = True
            else:
                yield Problem(
                    [*statement.path, "Resource"],
                    "may pass roles other than SchedulerRole; limit iam:PassRole to "
                    "Resource: !GetAtt SchedulerRole.Arn",
                )
        if creates and not passes:
            yield Problem(
                ["Resources", name, "Properties", "Policies"],
                "creates schedules but may not pass SchedulerRole to them; add to its "
                f"Policies' Statement: {self.ADD}",
            )


# ------------------------------------------------------------------ does the code use once?
# The decorators that write records to the idempotency table.
ONCE = frozenset({("tailor.idempotency", "once"), ("tailor.idempotency", "email_once")})


def _uses_once(cfn: Any, properties: dict[str, Any]) -> bool | None:
    """Whether the handler can reach `tailor.idempotency.once` or `email_once`; None if its
    code is not here.

    Starting at the handler, every name a definition mentions (calls, decorators,
    annotations, a class's whole body) is followed into the function's own directory and
    its layers. Over-approximate by design: a name mentioned is a name used.
    """
    base = Path(cfn.filename).parent if getattr(cfn, "filename", None) else None
    code_uri, handler = properties.get("CodeUri"), properties.get("Handler")
    if base is None or not isinstance(code_uri, str) or not isinstance(handler, str):
        return None
    module, _, entry = handler.rpartition(".")
    places = (base / code_uri, *_layer_roots(cfn, base, properties))
    roots = tuple(place.resolve() for place in places)
    if _find(roots, module) is None:
        return None
    return _Code(roots).reaches((module, entry), ONCE)


def _layer_roots(cfn: Any, base: Path, properties: dict[str, Any]) -> Iterator[Path]:
    resources = _resources(cfn)
    for layer in referenced_ids(properties.get("Layers")):
        content = _get(resources.get(layer), "Properties", "ContentUri")
        if isinstance(content, str):
            yield base / content


Symbol = tuple[str, str]


@dataclass
class _Module:
    definitions: dict[str, list[ast.AST]] = field(default_factory=dict)
    imports: dict[str, Symbol | str] = field(default_factory=dict)


@dataclass
class _Code:
    roots: tuple[Path, ...]

    def reaches(self, start: Symbol, goals: frozenset[Symbol]) -> bool:
        seen: set[Symbol] = set()
        todo = [start]
        while todo:
            symbol = todo.pop()
            if symbol in goals:
                return True
            if symbol not in seen:
                seen.add(symbol)
                todo.extend(self._mentions(symbol))
        return False

    def _mentions(self, symbol: Symbol) -> Iterator[Symbol]:
        module_name, name = symbol
        module = _parse(self.roots, module_name)
        if module is None:
            return
        if name in module.imports:  # a re-export: follow it to where it is defined
            yield from self._resolve(module, (name,))
            return
        for node in module.definitions.get(name, []):
            for chain in _name_chains(node):
                yield from self._resolve(module, chain)
                if chain[0] in module.definitions:
                    yield (module_name, chain[0])

    def _resolve(self, module: _Module, chain: tuple[str, ...]) -> Iterator[Symbol]:
        """The symbol a dotted name from `module` stands for, if it was imported."""
        target = module.imports.get(chain[0])
        if isinstance(target, tuple):
            yield target
            return
        rest = chain[1:]
        # `from tailor import feedback` then `feedback.handle`, or `import tailor.x` then
        # `tailor.x.handle`: descend through submodules to the attribute they hold.
        while isinstance(target, str) and rest:
            inner = f"{target}.{rest[0]}"
            if _find(self.roots, inner) is None:
                yield (target, rest[0])
                return
            target, rest = inner, rest[1:]


def _name_chains(node: ast.AST) -> Iterator[tuple[str, ...]]:
    """Every dotted name in a definition: `a.b.c` gives ("a", "b", "c"), `x` gives ("x",)."""
    for inner in ast.walk(node):
        chain: list[str] = []
        while isinstance(inner, ast.Attribute):
            chain.insert(0, inner.attr)
            inner = inner.value
        if isinstance(inner, ast.Name):
            yield (inner.id, *chain)


@cache
def _parse(roots: tuple[Path, ...], module_name: str) -> _Module | None:
    source = _find(roots, module_name)
    if source is None:
        return None
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    package = module_name if source.name == "__init__.py" else module_name.rpartition(".")[0]
    module = _Module()
    for node in _top_level(tree.body):
        if isinstance(node, ast.ImportFrom):
            origin = _absolute(package, node.module, node.level)
            for alias in node.names:
                local = alias.asname or alias.name
                submodule = f"{origin}.{alias.name}"
                found = _find(roots, submodule) is not None
                module.imports[local] = submodule if found else (origin, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.imports[alias.asname] = alias.name
                else:  # `import a.b` binds `a`
                    top = alias.name.split(".")[0]
                    module.imports[top] = top
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            module.definitions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for inner in ast.walk(target):
                    if isinstance(inner, ast.Name):
                        module.definitions.setdefault(inner.id, []).append(node)
    return module


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A module's statements, looking into `if TYPE_CHECKING:`, `try:` and the like."""
    for node in body:
        if isinstance(node, ast.If | ast.Try | ast.With):
            yield from _top_level(node.body)
            yield from _top_level(getattr(node, "orelse", []))
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)
        else:
            yield node


def _absolute(package: str, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{module}" if module else base


def _find(roots: tuple[Path, ...], module_name: str) -> Path | None:
    if not module_name:
        return None
    relative = Path(*module_name.split("."))
    for root in roots:
        for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None
