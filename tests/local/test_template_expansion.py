"""The local cloud's functions, rules, stream mappings and schedules are the SAM transform's.

template.py hands the template to aws-sam-translator (what CloudFormation's
AWS::Serverless-2016-10-31 transform runs) and reads the plain CloudFormation it makes.
These tests hold that reading to what the template says in SAM's own terms: Globals merged
into each function, one rule per EventBridgeRule event, one mapping per DynamoDB or SQS
event, one schedule per ScheduleV2 event, each named `<Function><Event>`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from tailor_local.template import (
    LOCAL_PROFILE,
    REPO_ROOT,
    TEMPLATE_PATH,
    Template,
    TemplateError,
)

FIXTURES = Path(__file__).parent / "fixtures"

# What the hand-written SAM resolution that template.py had before the transform made of
# fixtures/template.yaml, captured from it unchanged.
HAND_RESOLVED = json.loads((FIXTURES / "template_expansion.json").read_text())


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value.relative_to(REPO_ROOT))
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def expansion(template: Template) -> dict[str, Any]:
    functions = template.functions()
    return {
        "rules": plain(template.rules()),
        "stream_mappings": plain(template.stream_mappings()),
        "schedules": plain(template.schedules()),
        "functions": plain(functions),
        "async_configs": {f: plain(template.async_config(f)) for f in sorted(functions)},
        "bus_name": template.bus_name,
    }


def test_fixture_template_expands_exactly_as_the_hand_resolution_did() -> None:
    assert expansion(Template(FIXTURES / "template.yaml")) == HAND_RESOLVED


# ---------------------------------------------------------------------- template.yaml
# Expected values read from the SAM template as written, so they follow template.yaml as
# it changes: what SAM's documentation says each event and Globals section becomes.


def sam_events(template: Template, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (function_id, event_id, event.get("Properties") or {})
        for function_id, resource in template.of_type("AWS::Serverless::Function").items()
        for event_id, event in ((resource.get("Properties") or {}).get("Events") or {}).items()
        if event["Type"] == kind
    ]


@pytest.fixture(
    scope="module",
    params=[
        {},
        {"parameters": LOCAL_PROFILE, "urls": {"PreferencesFunction": "http://127.0.0.1:9/p/"}},
    ],
    ids=["defaults", "local-profile"],
)
def real(request: pytest.FixtureRequest) -> Template:
    return Template(TEMPLATE_PATH, **request.param)


def test_each_eventbridge_rule_event_is_one_rule_on_its_bus(real: Template) -> None:
    expected = [
        {
            "name": f"{function_id}{event_id}",
            "function_id": function_id,
            "bus": real.resolve(props.get("EventBusName", "default")),
            "pattern": real.resolve(props["Pattern"]),
        }
        for function_id, event_id, props in sam_events(real, "EventBridgeRule")
    ]
    assert len(expected) > 20
    assert plain(real.rules()) == expected


def test_each_stream_and_queue_event_is_one_mapping(real: Template) -> None:
    expected = []
    for kind in ("DynamoDB", "SQS"):
        for function_id, event_id, props in sam_events(real, kind):
            source = props["Stream" if kind == "DynamoDB" else "Queue"]["Fn::GetAtt"]
            on_failure = (props.get("DestinationConfig") or {}).get("OnFailure")
            expected.append(
                {
                    "name": f"{function_id}{event_id}",
                    "function_id": function_id,
                    "source_id": source[0] if isinstance(source, list) else source.split(".")[0],
                    "kind": kind,
                    "batch_size": props.get("BatchSize", 100 if kind == "DynamoDB" else 10),
                    "report_failures": "ReportBatchItemFailures"
                    in props.get("FunctionResponseTypes", []),
                    "retry_attempts": props.get("MaximumRetryAttempts"),
                    "bisect": props.get("BisectBatchOnFunctionError", False),
                    "filters": (props.get("FilterCriteria") or {}).get("Filters", []),
                    "on_failure": on_failure["Destination"]["Fn::GetAtt"][0]
                    if on_failure
                    else None,
                    "enabled": real.resolve(props.get("Enabled", True)),
                }
            )
    assert expected
    key = lambda mapping: mapping["name"]  # noqa: E731
    assert sorted(plain(real.stream_mappings()), key=key) == sorted(expected, key=key)


def test_each_schedule_v2_event_is_one_schedule(real: Template) -> None:
    expected = [
        {
            "name": props.get("Name", f"{function_id}{event_id}"),
            "group": props.get("GroupName", "default"),
            "function_id": function_id,
            "expression": props["ScheduleExpression"],
            "timezone": real.resolve(props.get("ScheduleExpressionTimezone", "UTC")),
            "input": props.get("Input"),
            "enabled": props.get("State", "ENABLED") == "ENABLED",
        }
        for function_id, event_id, props in sam_events(real, "ScheduleV2")
    ]
    assert expected
    assert plain(real.schedules()) == expected


def test_functions_get_globals_merged_under_their_own_settings(real: Template) -> None:
    defaults = real.raw["Globals"]["Function"]
    expected = {}
    for function_id, resource in real.of_type("AWS::Serverless::Function").items():
        props = resource["Properties"]
        variables = {
            **defaults["Environment"]["Variables"],
            **(props.get("Environment") or {}).get("Variables", {}),
        }
        expected[function_id] = {
            "logical_id": function_id,
            "code_dir": str(Path(props["CodeUri"])),
            "handler": props.get("Handler", defaults["Handler"]),
            "environment": {name: str(real.resolve(v)) for name, v in variables.items()},
            "timeout": props.get("Timeout", defaults["Timeout"]),
            "has_url": "FunctionUrlConfig" in props,
        }
    assert sum(f["has_url"] for f in expected.values()) >= 3
    assert plain(real.functions()) == expected


def test_function_urls_resolve_to_where_the_local_cloud_serves_them() -> None:
    served = Template(urls={"PreferencesFunction": "http://127.0.0.1:9/p/"})
    assert served.get_att("PreferencesFunctionUrl", "FunctionUrl") == "http://127.0.0.1:9/p/"
    assert served.get_att("PrivateSaleLinkFunctionUrl", "FunctionUrl") == (
        "http://127.0.0.1:3000/PrivateSaleLinkFunction/"
    )


def test_async_invocations_follow_the_global_event_invoke_config(real: Template) -> None:
    config = real.raw["Globals"]["Function"]["EventInvokeConfig"]
    destination = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"]
    for function_id in real.functions():
        assert plain(real.async_config(function_id)) == {
            "retry_attempts": config["MaximumRetryAttempts"],
            "on_failure": destination[0] if isinstance(destination, list) else destination,
        }


# ---------------------------------------------------------------------- cost and errors


def test_the_transform_runs_once_per_template_text_and_parameter_values() -> None:
    first, again = Template(), Template()
    assert first.deployed is again.deployed
    other = Template(parameters={"PublicLinkConcurrency": "3"})
    assert other.deployed is not first.deployed


def test_a_template_the_sam_transform_rejects_is_refused_naming_the_problem(
    tmp_path: Path,
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  BrokenFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: functions/broken/\n"
        "      Handler: app.lambda_handler\n"
        "      Runtime: python3.13\n"
        "      Events:\n"
        "        Nightly:\n"
        "          Type: ScheduleV2\n"
        "          Properties: {Input: '{}'}\n"
    )
    with pytest.raises(TemplateError, match=r"BrokenFunction.*ScheduleExpression"):
        Template(path).rules()


def test_an_unquoted_date_is_read_as_the_string_cloudformation_sees(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  ReaderFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: functions/reader/\n"
        "      Handler: app.lambda_handler\n"
        "      Runtime: python3.13\n"
        "      Policies:\n"
        "        - Version: 2012-10-17\n"
        "          Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]\n"
    )
    template = Template(path)
    assert template.function("ReaderFunction").code_dir == tmp_path / "functions/reader"
    assert (
        template.deployed["Resources"]["ReaderFunctionRole"]["Properties"]["Policies"][0][
            "PolicyDocument"
        ]["Version"]
        == "2012-10-17"
    )
