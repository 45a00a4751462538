"""template.yaml as the local cloud reads it: resources, functions, rules and environments.

Tests and the `tailor` command both build their world from this module, so what runs
locally is what the template declares: the same tables, the same rule patterns, the same
environment variables, resolved from the same intrinsic functions.

The SAM transform itself (Globals merged into each function, each function event expanded
into its rule, event source mapping or schedule, function URLs, EventInvokeConfig) is done
by aws-sam-translator, the library CloudFormation's AWS::Serverless transform and the SAM
CLI use; this module reads the plain CloudFormation it produces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, ClassVar

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
    "ShopTimezone": "America/Chicago",
    # Marketing mail carries the shop's postal address (the shop is in Tulsa).
    "ShopPostalAddress": "120 E 4th St, Tulsa, OK 74103, USA",
}


# What the local commands run with on top of the template's defaults: the support desk
# receives mail for the example shop, so inbound mail, acknowledgements and the SLA digest
# work out of the box. `--parameter Name=Value` overrides any of them.
LOCAL_PROFILE = {
    "ReceivingDomain": "shop.example.com",
    "SupportLeadAddress": "lead@shop.example.com",
    "SupportTimezone": "America/Chicago",
    # Who may sign in to the console at /console/ (the sign-in link lands in the outbox).
    "StaffAddresses": "maria@shop.example.com",
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
    # Parameter values preferred to the template's own defaults (overrides still win): the
    # test suite keeps links as the templates write them (ClickTracking=false).
    preferred_defaults: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        path: Path = TEMPLATE_PATH,
        parameters: Mapping[str, str] | None = None,
        urls: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path
        self._text = path.read_text()
        self.raw: dict[str, Any] = json.loads(_parsed(self._text))
        self.parameters = self._parameters(parameters or {})
        self.urls = dict(urls or {})

    # ------------------------------------------------------------------ reading
    @property
    def resources(self) -> dict[str, Any]:
        """The resources as the template declares them (SAM types included)."""
        return dict(self.raw.get("Resources", {}))

    def of_type(self, resource_type: str) -> dict[str, Any]:
        return _of_type(self.resources, resource_type, self.condition)

    @cached_property
    def deployed(self) -> dict[str, Any]:
        """The plain CloudFormation the SAM transform makes of the template, read-only."""
        return _transformed(self._text, tuple(sorted(self.parameters.items())))

    def _deployed_of_type(self, resource_type: str) -> dict[str, Any]:
        return _of_type(self.deployed.get("Resources") or {}, resource_type, self.condition)

    def _resource(self, logical_id: str) -> dict[str, Any]:
        """A declared resource, else one the SAM transform made (a function's URL, say)."""
        resource = self.raw.get("Resources", {}).get(logical_id)
        if resource is None:
            resource = (self.deployed.get("Resources") or {}).get(logical_id)
        if resource is None:
            raise TemplateError(f"no resource {logical_id} in the template")
        return dict(resource)

    def _parameters(self, overrides: Mapping[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for name, spec in self.raw.get("Parameters", {}).items():
            if name in overrides:
                values[name] = str(overrides[name])
            elif name in self.preferred_defaults:
                values[name] = self.preferred_defaults[name]
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
        conditions = self.raw.get("Conditions") or {}
        if name not in conditions:
            # One the SAM transform added for a resource it made.
            conditions = self.deployed.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"unknown condition {name}")
        return bool(self.resolve(conditions[name]))

    # ------------------------------------------------------------------ names
    def physical_name(self, logical_id: str) -> str:
        resource = self._resource(logical_id)
        props = resource.get("Properties") or {}
        kind = resource["Type"]
        if kind == "AWS::SES::ConfigurationSet" and "Name" in props:
            return str(self.resolve(props["Name"]))
        if kind in ("AWS::Events::EventBus", "AWS::Scheduler::ScheduleGroup") and "Name" in props:
            return str(self.resolve(props["Name"]))
        return logical_id

    def arn(self, logical_id: str) -> str:
        kind = self._resource(logical_id)["Type"]
        name = self.physical_name(logical_id)
        prefix = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:"
        return {
            "AWS::DynamoDB::Table": prefix.format("dynamodb") + f"table/{name}",
            "AWS::SQS::Queue": prefix.format("sqs") + name,
            "AWS::SecretsManager::Secret": prefix.format("secretsmanager") + f"secret:{name}",
            "AWS::Events::EventBus": prefix.format("events") + f"event-bus/{name}",
            "AWS::Serverless::Function": prefix.format("lambda") + f"function:{name}",
            "AWS::Lambda::Function": prefix.format("lambda") + f"function:{name}",
            "AWS::Serverless::LayerVersion": prefix.format("lambda") + f"layer:{name}:1",
            "AWS::Lambda::LayerVersion": prefix.format("lambda") + f"layer:{name}:1",
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
        try:
            kind = self._resource(name)["Type"]
        except TemplateError:
            raise TemplateError(f"!Ref {name}: no such parameter or resource") from None
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        if kind in (
            "AWS::SecretsManager::Secret",
            "AWS::Serverless::LayerVersion",
            "AWS::Lambda::LayerVersion",
        ):
            return self.arn(name)
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        try:
            resource = self._resource(logical_id)
        except TemplateError:
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: no such resource") from None
        if resource["Type"] == "AWS::Lambda::Url" and attribute == "FunctionUrl":
            function_id = _logical_id(resource["Properties"]["TargetFunctionArn"])
            return self.urls.get(str(function_id), f"http://127.0.0.1:3000/{function_id}/")
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
    def functions(self) -> dict[str, Function]:
        return dict(self._functions)

    @cached_property
    def _functions(self) -> dict[str, Function]:
        with_url = {
            _logical_id(url["Properties"]["TargetFunctionArn"])
            for url in self._deployed_of_type("AWS::Lambda::Url").values()
        }
        found = {}
        for logical_id, resource in self._deployed_of_type("AWS::Lambda::Function").items():
            props = resource.get("Properties") or {}
            variables = (props.get("Environment") or {}).get("Variables") or {}
            found[logical_id] = Function(
                logical_id=logical_id,
                code_dir=self.path.parent / _local_code_path(props.get("Code") or {}),
                handler=str(props.get("Handler")),
                environment={k: str(self.resolve(v)) for k, v in variables.items()},
                timeout=int(self.resolve(props.get("Timeout", 3))),
                has_url=logical_id in with_url,
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

    def _target_function(self, arn: Any) -> str | None:
        """The template function an ARN (`!GetAtt F.Arn`, `!Ref F`) names, if any."""
        logical_id = _logical_id(arn)
        return logical_id if logical_id in self._functions else None

    @cached_property
    def bus_name(self) -> str:
        """The bus Tailor listens on: the EventBusName output, else the one its rules use."""
        output = (self.raw.get("Outputs") or {}).get("EventBusName")
        if output and "Value" in output:
            return str(self.resolve(output["Value"]))
        buses = sorted({rule.bus for rule in self.rules()})
        return buses[0] if len(buses) == 1 else "default"

    def async_config(self, function_id: str) -> AsyncConfig:
        """Retries and on-failure destination of asynchronous invocations (EventInvokeConfig)."""
        config: Mapping[str, Any] = {}
        for resource in self._deployed_of_type("AWS::Lambda::EventInvokeConfig").values():
            props = resource.get("Properties") or {}
            if _logical_id(props.get("FunctionName")) == function_id:
                config = props
        destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        return AsyncConfig(
            retry_attempts=int(self.resolve(config.get("MaximumRetryAttempts", 2))),
            on_failure=_logical_id(destination),
        )

    def rules(self) -> list[Rule]:
        return list(self._rules)

    @cached_property
    def _rules(self) -> list[Rule]:
        """One Rule per function an EventBridge rule targets."""
        found = []
        for logical_id, resource in self._deployed_of_type("AWS::Events::Rule").items():
            props = resource.get("Properties") or {}
            if "EventPattern" not in props:
                continue  # a scheduled rule: nothing on the bus reaches it
            for target in props.get("Targets") or []:
                function_id = self._target_function(target.get("Arn"))
                if function_id is None:
                    continue
                found.append(
                    Rule(
                        name=str(self.resolve(props.get("Name", logical_id))),
                        function_id=function_id,
                        bus=str(self.resolve(props.get("EventBusName", "default"))),
                        pattern=self.resolve(props["EventPattern"]),
                    )
                )
        return found

    def stream_mappings(self) -> list[StreamMapping]:
        return list(self._stream_mappings)

    @cached_property
    def _stream_mappings(self) -> list[StreamMapping]:
        found = []
        for logical_id, resource in self._deployed_of_type(
            "AWS::Lambda::EventSourceMapping"
        ).items():
            props = resource.get("Properties") or {}
            function_id = _logical_id(props.get("FunctionName"))
            source_id = _logical_id(props.get("EventSourceArn"))
            source_type = self.raw["Resources"].get(source_id, {}).get("Type")
            kind = {"AWS::DynamoDB::Table": "DynamoDB", "AWS::SQS::Queue": "SQS"}.get(
                str(source_type)
            )
            if function_id is None or kind is None:
                raise TemplateError(
                    f"{logical_id}: the event source must be a !GetAtt of a DynamoDB table or "
                    "SQS queue in this template"
                )
            destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                "Destination"
            )
            retry_attempts = props.get("MaximumRetryAttempts")
            found.append(
                StreamMapping(
                    function_id=function_id,
                    source_id=str(source_id),
                    kind=kind,
                    batch_size=int(
                        self.resolve(props.get("BatchSize", 100 if kind == "DynamoDB" else 10))
                    ),
                    report_failures="ReportBatchItemFailures"
                    in (props.get("FunctionResponseTypes") or []),
                    retry_attempts=None
                    if retry_attempts is None
                    else int(self.resolve(retry_attempts)),
                    bisect=bool(self.resolve(props.get("BisectBatchOnFunctionError", False))),
                    filters=self.resolve((props.get("FilterCriteria") or {}).get("Filters") or []),
                    name=logical_id,
                    on_failure=_logical_id(destination),
                    enabled=bool(self.resolve(props.get("Enabled", True))),
                )
            )
        return found

    def schedules(self) -> list[Schedule]:
        """The EventBridge Scheduler schedules that invoke the template's functions."""
        found = []
        for logical_id, resource in self._deployed_of_type("AWS::Scheduler::Schedule").items():
            props = self.resolve(resource.get("Properties") or {})
            target = resource["Properties"]["Target"]
            function_id = self._target_function(target.get("Arn"))
            if function_id is None:
                continue
            payload = props["Target"].get("Input")
            found.append(
                Schedule(
                    name=str(props.get("Name") or logical_id),
                    group=str(props.get("GroupName") or "default"),
                    function_id=function_id,
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


def _of_type(
    resources: Mapping[str, Any], resource_type: str, condition: Callable[[str | None], bool]
) -> dict[str, Any]:
    return {
        k: v
        for k, v in resources.items()
        if v.get("Type") == resource_type and condition(v.get("Condition"))
    }


# The SAM transform accepts only S3 code locations; a local path travels to the function's
# Code as the key in this made-up bucket, and comes back from there.
LOCAL_CODE_BUCKET = "tailor-local-code"


def _local_code_path(code: Mapping[str, Any]) -> str:
    if code.get("S3Bucket") == LOCAL_CODE_BUCKET:
        return str(code["S3Key"])
    return ""  # inline code: it lives in the template


def _with_s3_code(document: dict[str, Any]) -> dict[str, Any]:
    """The template with its local code paths written as the S3 URIs the transform requires."""
    sections = [(document.get("Globals") or {}).get("Function") or {}]
    for resource in (document.get("Resources") or {}).values():
        if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion"):
            sections.append(resource.get("Properties") or {})
    for props in sections:
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://{LOCAL_CODE_BUCKET}/{props[key]}"
    return document


@lru_cache(maxsize=8)
def _parsed(text: str) -> str:
    """The template's text as JSON: parsing YAML is most of a Template's cost, so once.

    An unquoted date (a policy's `Version: 2012-10-17`) is a string to CloudFormation.
    """
    return json.dumps(load_yaml(text), default=str)


@lru_cache(maxsize=32)
def _transformed(text: str, parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """What the SAM transform makes of the template given these parameter values.

    Cached per template text and values: the local cloud provisions the template per test.
    """
    # samtranslator takes a second to import: only a process that transforms pays for it.
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    document = _with_s3_code(json.loads(_parsed(text)))
    values = {
        **dict(parameters),
        "AWS::AccountId": ACCOUNT,
        "AWS::Region": REGION,
        "AWS::StackName": STACK_NAME,
        "AWS::Partition": "aws",
    }
    # No managed policies to look up: their names stay names, and no network is needed.
    translator = Translator({}, Parser(), boto_session=boto3.Session(region_name=REGION))
    try:
        transformed: dict[str, Any] = translator.translate(document, parameter_values=values)
    except InvalidDocumentException as error:
        causes = "; ".join(cause.message for cause in error.causes)
        raise TemplateError(f"the SAM transform rejects the template: {causes}") from None
    finally:
        translator.metrics.publish()  # to nowhere; unpublished ones are warned about
    return transformed
