"""Function conventions in lint/cfn_rules fail `make cfn-lint`, saying exactly what to add.

Each test breaks one convention in a small SAM template that otherwise keeps them all, and
lints it as `make cfn-lint` does (cfn-lint with --append-rules lint/cfn_rules).
"""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "lint" / "cfn_rules"

FUNCTION = "OrderConfirmationFunction"
IDEMPOTENCY = {
    "Effect": "Allow",
    "Action": [
        f"dynamodb:{action}" for action in ("GetItem", "PutItem", "UpdateItem", "DeleteItem")
    ],
    "Resource": {"Fn::GetAtt": ["IdempotencyTable", "Arn"]},
}
SES_ARN = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
SEND = {
    "Effect": "Allow",
    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
    "Resource": [
        {"Fn::Sub": SES_ARN + "identity/${SenderIdentity}"},
        {"Fn::Sub": SES_ARN + "configuration-set/${TransactionalConfigurationSet}"},
    ],
    "Condition": {"StringEquals": {"ses:FromAddress": {"Ref": "SenderAddress"}}},
}
FAILED_EVENTS_ARN = {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}

# One function that keeps every convention, as template.yaml writes them.
GOOD: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::Serverless-2016-10-31",
    "Parameters": {
        "SenderAddress": {"Type": "String"},
        "SenderIdentity": {"Type": "String"},
        "LogRetentionDays": {"Type": "Number", "Default": 30},
    },
    "Globals": {
        "Function": {
            "Runtime": "python3.13",
            "Handler": "app.lambda_handler",
            "Layers": [{"Ref": "SharedLayer"}],
            "EventInvokeConfig": {
                "MaximumRetryAttempts": 2,
                "DestinationConfig": {
                    "OnFailure": {"Type": "SQS", "Destination": FAILED_EVENTS_ARN}
                },
            },
        }
    },
    "Resources": {
        "SharedLayer": {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {"ContentUri": "layers/shared/", "CompatibleRuntimes": ["python3.13"]},
        },
        "FailedEventsQueue": {"Type": "AWS::SQS::Queue"},
        "AlertsFailedQueue": {"Type": "AWS::SQS::Queue"},
        "IdempotencyTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            },
        },
        "TransactionalConfigurationSet": {"Type": "AWS::SES::ConfigurationSet"},
        "SchedulerRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "scheduler.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
        FUNCTION: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/order_confirmation/",
                "Environment": {"Variables": {"POWERTOOLS_SERVICE_NAME": "order_confirmation"}},
                "Policies": [{"Statement": [IDEMPOTENCY, SEND]}],
                "Events": {
                    "Canonical": {
                        "Type": "EventBridgeRule",
                        "Properties": {
                            "Pattern": {"detail-type": ["OrderPlaced"]},
                            "RetryPolicy": {
                                "MaximumRetryAttempts": 8,
                                "MaximumEventAgeInSeconds": 3600,
                            },
                            "DeadLetterConfig": {"Arn": FAILED_EVENTS_ARN},
                        },
                    }
                },
            },
        },
        "OrderConfirmationLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": "/aws/lambda/${OrderConfirmationFunction}"},
                "RetentionInDays": {"Ref": "LogRetentionDays"},
            },
        },
    },
}


def conventions(path: Path) -> list[str]:
    """The messages the repo's rules (E9xxx) give for the template at `path`."""
    matches = lint_file(path, config=ManualArgs(append_rules=[str(RULES)]))
    return [match.message for match in matches if match.rule.id.startswith("E9")]


def lint(tmp_path: Path, template: dict[str, Any], code: dict[str, str] | None = None) -> list[str]:
    for name, text in (code or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    return conventions(path)


def good() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def function(template: dict[str, Any], name: str = FUNCTION) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][name]["Properties"]
    return properties


def event(template: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = function(template)["Events"]["Canonical"]["Properties"]
    return settings


def statement(template: dict[str, Any], index: int) -> dict[str, Any]:
    body: dict[str, Any] = function(template)["Policies"][0]["Statement"][index]
    return body


def test_the_sample_function_keeps_every_convention(tmp_path: Path) -> None:
    assert lint(tmp_path, good()) == []


# ------------------------------------------------------------------ E9001 EventBridge rules
def test_an_eventbridge_rule_without_dead_letters_is_named(tmp_path: Path) -> None:
    template = good()
    del event(template)["DeadLetterConfig"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event Canonical (EventBridgeRule) has no DeadLetterConfig; "
        "add DeadLetterConfig: { Arn: !GetAtt FailedEventsQueue.Arn }"
    ]


def test_dead_letters_go_to_the_failed_events_queue_only(tmp_path: Path) -> None:
    template = good()
    event(template)["DeadLetterConfig"] = {"Arn": {"Fn::GetAtt": ["AlertsFailedQueue", "Arn"]}}

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event Canonical (EventBridgeRule) sends dead letters "
        "elsewhere than FailedEventsQueue (the only queue EventBridge may write to); "
        "use DeadLetterConfig: { Arn: !GetAtt FailedEventsQueue.Arn }"
    ]


def test_an_eventbridge_rule_without_retry_policy_is_named(tmp_path: Path) -> None:
    template = good()
    del event(template)["RetryPolicy"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event Canonical (EventBridgeRule) has no RetryPolicy; "
        "add RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 }"
    ]


def test_a_retry_policy_bounds_the_event_age(tmp_path: Path) -> None:
    template = good()
    del event(template)["RetryPolicy"]["MaximumEventAgeInSeconds"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event Canonical (EventBridgeRule) has a RetryPolicy "
        "without MaximumEventAgeInSeconds; add MaximumEventAgeInSeconds: 3600"
    ]


# ------------------------------------------------------------------ E9002 SES sending
def test_sending_without_the_from_address_condition_is_named(tmp_path: Path) -> None:
    template = good()
    del statement(template, 1)["Condition"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: the statement allowing ses:SendEmail and ses:SendRawEmail "
        "does not pin the From address; add Condition: "
        "{ StringEquals: { ses:FromAddress: !Ref SenderAddress } }"
    ]


def test_sending_as_anyone_is_named(tmp_path: Path) -> None:
    template = good()
    statement(template, 1)["Action"] = "ses:Send*"
    statement(template, 1)["Resource"] = "*"

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: the statement allowing ses:SendEmail and ses:SendRawEmail "
        "reaches beyond the sender; its Resource may list only !Sub "
        + SES_ARN
        + "identity/${SenderIdentity} and !Sub "
        + SES_ARN
        + "configuration-set/${TransactionalConfigurationSet} (or MarketingConfigurationSet)"
    ]


def test_sending_without_a_configuration_set_is_named(tmp_path: Path) -> None:
    template = good()
    statement(template, 1)["Resource"].pop()

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: the statement allowing ses:SendEmail and ses:SendRawEmail "
        "lacks a configuration set; add !Sub "
        + SES_ARN
        + "configuration-set/${TransactionalConfigurationSet} "
        "(or MarketingConfigurationSet) to Resource"
    ]


# ------------------------------------------------------------------ E9003 log groups
def test_a_function_without_its_log_group_is_named(tmp_path: Path) -> None:
    template = good()
    del template["Resources"]["OrderConfirmationLogGroup"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: has no log group; add OrderConfirmationLogGroup: "
        "{ Type: AWS::Logs::LogGroup, Properties: { LogGroupName: "
        "!Sub /aws/lambda/${OrderConfirmationFunction}, RetentionInDays: !Ref LogRetentionDays } }"
    ]


def test_a_log_group_that_keeps_logs_its_own_way_is_named(tmp_path: Path) -> None:
    template = good()
    template["Resources"]["OrderConfirmationLogGroup"]["Properties"]["RetentionInDays"] = 3653

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: its log group OrderConfirmationLogGroup does not expire "
        "with the stack's setting; set RetentionInDays: !Ref LogRetentionDays"
    ]


# ------------------------------------------------------------------ E9004 idempotency table
def test_an_idempotency_grant_missing_an_action_is_named(tmp_path: Path) -> None:
    template = good()
    statement(template, 0)["Action"].remove("dynamodb:DeleteItem")

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: the statement on IdempotencyTable lacks dynamodb:DeleteItem; "
        "add it to Action (the idempotency layer needs all four item actions)"
    ]


@pytest.mark.parametrize(
    ("actions", "extra"),
    [
        ([*IDEMPOTENCY["Action"], "dynamodb:Scan"], "dynamodb:Scan"),
        (["dynamodb:*"], "dynamodb:*"),
    ],
)
def test_an_idempotency_grant_with_more_than_it_needs_is_named(
    tmp_path: Path, actions: list[str], extra: str
) -> None:
    template = good()
    statement(template, 0)["Action"] = actions

    assert lint(tmp_path, template) == [
        f"OrderConfirmationFunction: the statement on IdempotencyTable grants {extra}, "
        "which the idempotency layer never uses; remove it from Action"
    ]


LAYER_IDEMPOTENCY = "def once(key):\n    return lambda func: func\n"
# The email module decorates its sender; handlers only call it, however they import it.
LAYER_EMAIL = (
    "from tailor.idempotency import once\n\n\n"
    '@once(key="order_id")\ndef send_order_confirmation(order):\n    return render(order)\n\n\n'
    "def render(order):\n    return str(order)\n"
)
HANDLERS = {
    "module attribute": (
        "from tailor.emails import order_confirmation\n\n\n"
        "def lambda_handler(event, context):\n"
        "    return order_confirmation.send_order_confirmation(event)\n"
    ),
    "imported name": (
        "from tailor.emails.order_confirmation import send_order_confirmation as send\n\n\n"
        "def lambda_handler(event, context):\n    return send(event)\n"
    ),
    "dotted import, through a helper": (
        "import tailor.emails.order_confirmation\n\n\n"
        "def lambda_handler(event, context):\n    return confirm(event)\n\n\n"
        "def confirm(event):\n"
        "    return tailor.emails.order_confirmation.send_order_confirmation(event)\n"
    ),
}


def code(handler: str) -> dict[str, str]:
    return {
        "layers/shared/tailor/__init__.py": "",
        "layers/shared/tailor/emails/__init__.py": "",
        "layers/shared/tailor/idempotency.py": LAYER_IDEMPOTENCY,
        "layers/shared/tailor/emails/order_confirmation.py": LAYER_EMAIL,
        "functions/order_confirmation/app.py": handler,
    }


@pytest.mark.parametrize("handler", HANDLERS.values(), ids=HANDLERS.keys())
def test_code_that_uses_once_without_the_grant_is_named(tmp_path: Path, handler: str) -> None:
    template = good()
    function(template)["Policies"][0]["Statement"].remove(IDEMPOTENCY)

    assert lint(tmp_path, template, code(handler)) == [
        "OrderConfirmationFunction: its code uses tailor.idempotency.once or email_once but it "
        "has no grant on IdempotencyTable; add to its Policies' Statement: - Effect: Allow, "
        "Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem], "
        "Resource: !GetAtt IdempotencyTable.Arn"
    ]


def test_code_that_uses_once_with_the_grant_passes(tmp_path: Path) -> None:
    assert lint(tmp_path, good(), code(HANDLERS["module attribute"])) == []


def test_a_grant_the_code_never_uses_is_named(tmp_path: Path) -> None:
    # It imports the module that holds a guarded sender, but calls only its renderer.
    handler = (
        "from tailor.emails import order_confirmation\n\n\n"
        "def lambda_handler(event, context):\n    return order_confirmation.render(event)\n"
    )

    assert lint(tmp_path, good(), code(handler)) == [
        "OrderConfirmationFunction: its code never uses tailor.idempotency.once or email_once, "
        "yet it is granted IdempotencyTable; remove that statement"
    ]


def test_code_whose_email_is_once_by_its_send_record_needs_the_grant_too(tmp_path: Path) -> None:
    layer = LAYER_EMAIL.replace("import once", "import email_once").replace("@once", "@email_once")
    files = {
        **code(HANDLERS["imported name"]),
        "layers/shared/tailor/idempotency.py": LAYER_IDEMPOTENCY + "\n\nemail_once = once\n",
        "layers/shared/tailor/emails/order_confirmation.py": layer,
    }
    assert lint(tmp_path, good(), files) == []

    template = good()
    function(template)["Policies"][0]["Statement"].remove(IDEMPOTENCY)
    problems = lint(tmp_path, template, files)
    assert [p.split(";")[0] for p in problems] == [
        "OrderConfirmationFunction: its code uses tailor.idempotency.once or email_once but it "
        "has no grant on IdempotencyTable"
    ]


# ------------------------------------------------------------------ E9005 asynchronous failures
def test_a_function_that_ignores_the_globals_on_failure_destination_is_named(
    tmp_path: Path,
) -> None:
    template = good()
    template["Resources"][FUNCTION]["IgnoreGlobals"] = ["EventInvokeConfig"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: has no EventInvokeConfig, so failed asynchronous "
        "invocations are lost; keep the Globals' one (no IgnoreGlobals) or add "
        "EventInvokeConfig: { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: "
        "{ Type: SQS, Destination: !GetAtt FailedEventsQueue.Arn } } }"
    ]


def test_an_invoke_config_without_on_failure_destination_is_named(tmp_path: Path) -> None:
    template = good()
    del template["Globals"]["Function"]["EventInvokeConfig"]["DestinationConfig"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: its EventInvokeConfig has no on-failure destination; add "
        "DestinationConfig: { OnFailure: { Type: SQS, Destination: !GetAtt "
        "FailedEventsQueue.Arn } }"
    ]


# ------------------------------------------------------------------ E9006 streams and queues
def with_stream(template: dict[str, Any], **drop: bool) -> dict[str, Any]:
    stream = {
        "Stream": {"Fn::GetAtt": ["CatalogTable", "StreamArn"]},
        "StartingPosition": "LATEST",
        "MaximumRetryAttempts": 5,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "DestinationConfig": {
            "OnFailure": {
                "Type": "SQS",
                "Destination": {"Fn::GetAtt": ["AlertsFailedQueue", "Arn"]},
            },
        },
    }
    for key in drop:
        del stream[key]
    template["Resources"]["CatalogTable"] = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    }
    function(template)["Events"]["CatalogStream"] = {"Type": "DynamoDB", "Properties": stream}
    return template


def test_a_stream_source_that_keeps_its_conventions_passes(tmp_path: Path) -> None:
    assert lint(tmp_path, with_stream(good())) == []


def test_a_stream_source_without_failure_destination_or_item_failures_is_named(
    tmp_path: Path,
) -> None:
    template = with_stream(good(), DestinationConfig=True, FunctionResponseTypes=True)

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event CatalogStream (DynamoDB) retries its whole batch for "
        "one bad record; add FunctionResponseTypes: [ReportBatchItemFailures]",
        "OrderConfirmationFunction: event CatalogStream (DynamoDB) drops batches that exhaust "
        "their retries; add DestinationConfig: { OnFailure: { Type: SQS, "
        "Destination: !GetAtt <its failed queue>.Arn } }",
    ]


def test_a_stream_source_that_retries_forever_is_named(tmp_path: Path) -> None:
    template = with_stream(good(), MaximumRetryAttempts=True)

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event CatalogStream (DynamoDB) retries a failing batch "
        "until its records expire, blocking the shard; add MaximumRetryAttempts: 5"
    ]


def with_queue(template: dict[str, Any], timeout: int, **queue: Any) -> dict[str, Any]:
    template["Resources"]["AlertsFanoutQueue"] = {"Type": "AWS::SQS::Queue", "Properties": queue}
    function(template)["Timeout"] = timeout
    function(template)["Events"]["Changes"] = {
        "Type": "SQS",
        "Properties": {
            "Queue": {"Fn::GetAtt": ["AlertsFanoutQueue", "Arn"]},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    }
    return template


REDRIVE = {
    "deadLetterTargetArn": {"Fn::GetAtt": ["AlertsFailedQueue", "Arn"]},
    "maxReceiveCount": 5,
}


def test_a_queue_source_that_keeps_its_conventions_passes(tmp_path: Path) -> None:
    template = with_queue(good(), 120, VisibilityTimeout=720, RedrivePolicy=REDRIVE)

    assert lint(tmp_path, template) == []


def test_a_queue_source_without_dead_letter_queue_is_named(tmp_path: Path) -> None:
    template = with_queue(good(), 120, VisibilityTimeout=720)

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event Changes (SQS) reads AlertsFanoutQueue, which has no "
        "dead-letter queue; add to AlertsFanoutQueue: RedrivePolicy: { deadLetterTargetArn: "
        "!GetAtt <its failed queue>.Arn, maxReceiveCount: 5 }"
    ]


def test_a_queue_that_shows_messages_again_while_the_function_runs_is_named(
    tmp_path: Path,
) -> None:
    # The function's timeout was raised, the queue's visibility timeout was not.
    template = with_queue(good(), 300, VisibilityTimeout=720, RedrivePolicy=REDRIVE)

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: event Changes (SQS) reads AlertsFanoutQueue, whose "
        "VisibilityTimeout (720 s) is under six times the function's Timeout (300 s); "
        "set VisibilityTimeout: 1800 on AlertsFanoutQueue"
    ]


# ------------------------------------------------------------------ E9007 service names
def test_a_function_without_service_name_is_named(tmp_path: Path) -> None:
    template = good()
    del function(template)["Environment"]

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: has no POWERTOOLS_SERVICE_NAME; add to its "
        "Environment.Variables: POWERTOOLS_SERVICE_NAME: <what it does, e.g. order_confirmation>"
    ]


def test_a_copied_function_keeping_the_service_name_is_named(tmp_path: Path) -> None:
    template = good()
    copied = copy.deepcopy(template["Resources"][FUNCTION])
    copied["Properties"]["CodeUri"] = "functions/order_copy/"
    template["Resources"]["OrderCopyFunction"] = copied
    template["Resources"]["OrderCopyLogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": {"Fn::Sub": "/aws/lambda/${OrderCopyFunction}"},
            "RetentionInDays": {"Ref": "LogRetentionDays"},
        },
    }

    assert lint(tmp_path, template) == [
        "OrderCopyFunction: POWERTOOLS_SERVICE_NAME order_confirmation is already "
        "OrderConfirmationFunction's; give it its own"
    ]


# ------------------------------------------------------------------ E9009 one name per function
def test_a_function_named_apart_from_its_folder_is_named(tmp_path: Path) -> None:
    template = good()
    function(template)["CodeUri"] = "functions/order_receipt/"

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: its code is in functions/order_receipt/; name it "
        "OrderReceiptFunction, or move the code to the folder its name says"
    ]


def test_a_log_group_named_apart_from_its_function_is_named(tmp_path: Path) -> None:
    template = good()
    resources = template["Resources"]
    resources["ReceiptLogGroup"] = resources.pop("OrderConfirmationLogGroup")

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: name its log group OrderConfirmationLogGroup"
    ]


# ------------------------------------------------------------------ E9008 scheduler role
CREATE_SCHEDULE = {
    "Effect": "Allow",
    "Action": ["scheduler:CreateSchedule"],
    "Resource": {"Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:*"},
}


def test_creating_schedules_without_passing_the_role_is_named(tmp_path: Path) -> None:
    template = good()
    function(template)["Policies"][0]["Statement"].append(CREATE_SCHEDULE)

    assert lint(tmp_path, template) == [
        "OrderConfirmationFunction: creates schedules but may not pass SchedulerRole to them; "
        "add to its Policies' Statement: - Effect: Allow, Action: [iam:PassRole], "
        "Resource: !GetAtt SchedulerRole.Arn"
    ]


@pytest.mark.parametrize("resource", ["*", {"Fn::GetAtt": ["SchedulerRole", "Arn"]}])
def test_passing_any_role_but_the_scheduler_role_is_named(tmp_path: Path, resource: Any) -> None:
    template = good()
    passes = {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": resource}
    function(template)["Policies"][0]["Statement"] += [CREATE_SCHEDULE, passes]

    expected = [
        "OrderConfirmationFunction: may pass roles other than SchedulerRole; limit "
        "iam:PassRole to Resource: !GetAtt SchedulerRole.Arn",
        "OrderConfirmationFunction: creates schedules but may not pass SchedulerRole to them; "
        "add to its Policies' Statement: - Effect: Allow, Action: [iam:PassRole], "
        "Resource: !GetAtt SchedulerRole.Arn",
    ]
    assert lint(tmp_path, template) == (expected if resource == "*" else [])
