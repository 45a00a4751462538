"""template.yaml as the local cloud reads it: resources, functions, rules and environments.

Tests and the `tailor` command both build their world from this module, so what runs
locally is what the template declares: the same tables, the same rule patterns, the same
environment variables, resolved from the same intrinsic functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cfn_tools import load_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"

STACK_NAME = "tailor-local"
REGION = "us-east-1"
ACCOUNT = "123456789012"

# Parameters a local run needs that have no default in the template.
LOCAL_PARAMETERS = {
    "ShopName": "Oklahoma Outfitters",
    "ShopBaseUrl": "https://shop.example.com",
    "SenderAddress": "orders@shop.example.com",
    "SenderIdentity": "shop.example.com",
}


# What the local commands run with on top of the template's defaults: the support desk
# receives mail for the example shop, so inbound mail, acknowledgements and the SLA digest
# work out of the box. `--parameter Name=Value` overrides any of them.
LOCAL_PROFILE = {
    "ReceivingDomain": "shop.example.com",
    "SupportLeadAddress": "lead@shop.example.com",
    "SupportTimezone": "America/Chicago",
}


def local_template(
    overrides: Mapping[str, str] | None = None, urls: Mapping[str, str] | None = None
) -> Template:
    """template.yaml as the local commands run it: LOCAL_PROFILE, then `overrides`."""
    return Template(parameters={**LOCAL_PROFILE, **(overrides or {})}, urls=urls)


class TemplateError(ValueError):
    """template.yaml declares something the local cloud cannot resolve."""


@dataclass(frozen=True)
class Rule:
    name: str
    function_id: str
    bus: str
    pattern: Mapping[str, Any]


@dataclass(frozen=True)
class StreamMapping:
    function_id: str
    source_id: str
    kind: str  # "DynamoDB" or "SQS"
    batch_size: int
    report_failures: bool
    retry_attempts: int | None
    bisect: bool
    filters: list[Mapping[str, Any]] = field(default_factory=list)
    name: str = ""
    on_failure: str | None = None  # logical id of the on-failure destination queue
    enabled: bool = True


@dataclass(frozen=True)
class Schedule:
    """A SAM ScheduleV2 event: an EventBridge Scheduler schedule invoking its function."""

    name: str
    group: str
    function_id: str
    expression: str
    timezone: str
    input: str | None
    enabled: bool


@dataclass(frozen=True)
class ReceiptRule:
    """An SES receipt rule: mail to its recipients runs its actions in order."""

    name: str
    recipients: tuple[str, ...]
    actions: tuple[Mapping[str, Any], ...]
    enabled: bool


@dataclass(frozen=True)
class AsyncConfig:
    """How Lambda handles an asynchronous invocation that fails (EventInvokeConfig)."""

    retry_attempts: int
    on_failure: str | None  # logical id of the on-failure destination queue, if any


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    timeout: int
    has_url: bool


class Template:
    def __init__(
        self,
        path: Path = TEMPLATE_PATH,
        parameters: Mapping[str, str] | None = None,
        urls: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path
        self.raw: dict[str, Any] = load_yaml(path.read_text())
        self.parameters = self._parameters(parameters or {})
        self.urls = dict(urls or {})

    # ------------------------------------------------------------------ reading
    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.raw.get("Resources", {}))

    def of_type(self, resource_type: str) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.resources.items()
            if v.get("Type") == resource_type and self.condition(v.get("Condition"))
        }

    def _parameters(self, overrides: Mapping[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for name, spec in self.raw.get("Parameters", {}).items():
            if name in overrides:
                values[name] = str(overrides[name])
            elif "Default" in spec:
                values[name] = str(spec["Default"])
            elif name in LOCAL_PARAMETERS:
                values[name] = LOCAL_PARAMETERS[name]
            else:
                raise TemplateError(f"parameter {name} has no default; pass a value for it")
        return values

    def condition(self, name: str | None) -> bool:
        if name is None:
            return True
        conditions = self.raw.get("Conditions", {})
        if name not in conditions:
            raise TemplateError(f"unknown condition {name}")
        return bool(self.resolve(conditions[name]))

    # ------------------------------------------------------------------ names
    def physical_name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        props = resource.get("Properties") or {}
        kind = resource["Type"]
        if kind == "AWS::SES::ConfigurationSet" and "Name" in props:
            return str(self.resolve(props["Name"]))
        if kind in ("AWS::Events::EventBus", "AWS::Scheduler::ScheduleGroup") and "Name" in props:
            return str(self.resolve(props["Name"]))
        return logical_id

    def arn(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        name = self.physical_name(logical_id)
        prefix = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:"
        return {
            "AWS::DynamoDB::Table": prefix.format("dynamodb") + f"table/{name}",
            "AWS::SQS::Queue": prefix.format("sqs") + name,
            "AWS::SecretsManager::Secret": prefix.format("secretsmanager") + f"secret:{name}",
            "AWS::Events::EventBus": prefix.format("events") + f"event-bus/{name}",
            "AWS::Serverless::Function": prefix.format("lambda") + f"function:{name}",
            "AWS::Serverless::LayerVersion": prefix.format("lambda") + f"layer:{name}:1",
        }.get(kind, prefix.format("local") + name)

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::StackName": STACK_NAME,
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": "",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name not in self.resources:
            raise TemplateError(f"!Ref {name}: no such parameter or resource")
        kind = self.resources[name]["Type"]
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        if kind in ("AWS::SecretsManager::Secret", "AWS::Serverless::LayerVersion"):
            return self.arn(name)
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        if logical_id.endswith("FunctionUrl") and attribute == "FunctionUrl":
            function_id = logical_id[: -len("Url")]
            return self.urls.get(function_id, f"http://127.0.0.1:3000/{function_id}/")
        if logical_id not in self.resources:
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: no such resource")
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute == "QueueName":
            return logical_id
        if attribute == "StreamArn":
            return self.arn(logical_id) + "/stream/local"
        raise TemplateError(f"!GetAtt {logical_id}.{attribute} is not supported locally")

    # ------------------------------------------------------------------ intrinsics
    def resolve(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((key, arg),) = value.items()
                if key == "Ref":
                    return self.ref(arg)
                if key == "Fn::GetAtt":
                    parts = arg.split(".", 1) if isinstance(arg, str) else arg
                    return self.get_att(parts[0], parts[1])
                if key == "Fn::Sub":
                    return self._sub(arg)
                if key == "Fn::If":
                    name, yes, no = arg
                    return self.resolve(yes if self.condition(name) else no)
                if key == "Fn::Equals":
                    left, right = (self.resolve(a) for a in arg)
                    return str(left) == str(right)
                if key == "Fn::Not":
                    return not self.resolve(arg[0])
                if key == "Fn::And":
                    return all(self.resolve(a) for a in arg)
                if key == "Fn::Or":
                    return any(self.resolve(a) for a in arg)
                if key == "Condition":
                    return self.condition(arg)
                if key == "Fn::Join":
                    sep, items = arg
                    return sep.join(str(self.resolve(i)) for i in items)
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return self.ref(name)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    # ------------------------------------------------------------------ functions
    @cached_property
    def globals(self) -> dict[str, Any]:
        return dict(self.raw.get("Globals", {}).get("Function", {}))

    def functions(self) -> dict[str, Function]:
        return dict(self._functions)

    @cached_property
    def _functions(self) -> dict[str, Function]:
        found = {}
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            props = resource.get("Properties") or {}
            env = dict(self.globals.get("Environment", {}).get("Variables", {}))
            env.update((props.get("Environment") or {}).get("Variables", {}))
            found[logical_id] = Function(
                logical_id=logical_id,
                code_dir=self.path.parent / str(props.get("CodeUri", "")),
                handler=str(props.get("Handler") or self.globals.get("Handler")),
                environment={k: str(self.resolve(v)) for k, v in env.items()},
                timeout=int(props.get("Timeout") or self.globals.get("Timeout") or 3),
                has_url="FunctionUrlConfig" in props,
            )
        return found

    def function(self, logical_id: str) -> Function:
        functions = self.functions()
        if logical_id not in functions:
            known = ", ".join(sorted(functions))
            raise TemplateError(f"no function {logical_id!r} in template.yaml (known: {known})")
        return functions[logical_id]

    def function_for_arn(self, arn: str) -> Function | None:
        """The template function a Lambda ARN (optionally qualified) names, if any."""
        parts = arn.split(":")
        if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
            return None
        by_name = {self.physical_name(f): fn for f, fn in self._functions.items()}
        return by_name.get(parts[6])

    @cached_property
    def bus_name(self) -> str:
        """The bus Tailor listens on: the EventBusName output, else the one its rules use."""
        output = (self.raw.get("Outputs") or {}).get("EventBusName")
        if output and "Value" in output:
            return str(self.resolve(output["Value"]))
        buses = sorted({rule.bus for rule in self.rules()})
        return buses[0] if len(buses) == 1 else "default"

    def async_config(self, function_id: str) -> AsyncConfig:
        """Retries and on-failure destination of asynchronous invocations (Globals merged)."""
        props = (self.resources[function_id].get("Properties") or {}).get("EventInvokeConfig")
        config = {**(self.globals.get("EventInvokeConfig") or {}), **(props or {})}
        destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        return AsyncConfig(
            retry_attempts=int(config.get("MaximumRetryAttempts", 2)),
            on_failure=_logical_id(destination),
        )

    def rules(self) -> list[Rule]:
        return list(self._rules)

    @cached_property
    def _rules(self) -> list[Rule]:
        found = []
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            for event_name, event in (
                (resource.get("Properties") or {}).get("Events") or {}
            ).items():
                if event.get("Type") != "EventBridgeRule":
                    continue
                props = event["Properties"]
                found.append(
                    Rule(
                        name=f"{logical_id}{event_name}",
                        function_id=logical_id,
                        bus=str(self.resolve(props.get("EventBusName", "default"))),
                        pattern=self.resolve(props["Pattern"]),
                    )
                )
        return found

    def stream_mappings(self) -> list[StreamMapping]:
        return list(self._stream_mappings)

    @cached_property
    def _stream_mappings(self) -> list[StreamMapping]:
        found = []
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            events = (resource.get("Properties") or {}).get("Events") or {}
            for event_name, event in events.items():
                kind = event.get("Type")
                if kind not in ("DynamoDB", "SQS"):
                    continue
                props = event["Properties"]
                source_id = _logical_id(props["Stream"] if kind == "DynamoDB" else props["Queue"])
                if source_id is None:
                    raise TemplateError(
                        f"{logical_id}.{event_name}: the {kind} source must be a !GetAtt of a "
                        "resource in this template"
                    )
                destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                    "Destination"
                )
                found.append(
                    StreamMapping(
                        function_id=logical_id,
                        source_id=str(source_id),
                        kind=kind,
                        batch_size=int(props.get("BatchSize", 100 if kind == "DynamoDB" else 10)),
                        report_failures="ReportBatchItemFailures"
                        in (props.get("FunctionResponseTypes") or []),
                        retry_attempts=props.get("MaximumRetryAttempts"),
                        bisect=bool(props.get("BisectBatchOnFunctionError", False)),
                        filters=list((props.get("FilterCriteria") or {}).get("Filters") or []),
                        name=f"{logical_id}{event_name}",
                        on_failure=_logical_id(destination),
                        enabled=bool(self.resolve(props.get("Enabled", True))),
                    )
                )
        return found

    def schedules(self) -> list[Schedule]:
        """The ScheduleV2 events of the template's functions."""
        found = []
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            events = (resource.get("Properties") or {}).get("Events") or {}
            for event_name, event in events.items():
                if event.get("Type") != "ScheduleV2":
                    continue
                props = self.resolve(event.get("Properties") or {})
                payload = props.get("Input")
                found.append(
                    Schedule(
                        name=str(props.get("Name") or f"{logical_id}{event_name}")[:64],
                        group=str(props.get("GroupName") or "default"),
                        function_id=logical_id,
                        expression=str(props["ScheduleExpression"]),
                        timezone=str(props.get("ScheduleExpressionTimezone") or "UTC"),
                        input=payload
                        if isinstance(payload, str) or payload is None
                        else json.dumps(payload),
                        enabled=str(props.get("State", "ENABLED")).upper() == "ENABLED",
                    )
                )
        return found

    def receipt_rules(self) -> list[ReceiptRule]:
        """The SES receipt rules, in the order SES applies them (`After` chains)."""
        rules: dict[str, tuple[ReceiptRule, str | None]] = {}
        for resource in self.of_type("AWS::SES::ReceiptRule").values():
            props = self.resolve(resource.get("Properties") or {})
            rule = props.get("Rule") or {}
            name = str(rule.get("Name") or f"rule{len(rules)}")
            rules[name] = (
                ReceiptRule(
                    name=name,
                    recipients=tuple(str(r) for r in rule.get("Recipients") or []),
                    actions=tuple(rule.get("Actions") or []),
                    enabled=bool(rule.get("Enabled", True)),
                ),
                props.get("After") or None,
            )
        ordered: list[ReceiptRule] = []
        placed: set[str] = set()
        while len(ordered) < len(rules):
            ready = [
                name
                for name, (_, after) in rules.items()
                if name not in placed and (after is None or after in placed or after not in rules)
            ]
            if not ready:
                raise TemplateError("SES receipt rules name each other in a loop with `After`")
            for name in ready:
                ordered.append(rules[name][0])
                placed.add(name)
        return ordered


def _logical_id(reference: Any) -> str | None:
    """The logical id in a `!GetAtt X.Arn` or `!Ref X`, else None."""
    if not isinstance(reference, Mapping):
        return None
    if "Fn::GetAtt" in reference:
        target = reference["Fn::GetAtt"]
        return str(target.split(".")[0] if isinstance(target, str) else target[0])
    if "Ref" in reference:
        return str(reference["Ref"])
    return None
