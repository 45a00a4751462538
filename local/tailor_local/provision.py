"""Create what template.yaml declares in a local AWS (moto in-process or moto server).

Tables with their keys, indexes, streams and TTL; queues; secrets; the event buses and
their rules; SES configuration sets and the sender identity; S3 buckets; scheduler groups and
the functions' ScheduleV2 schedules. Only resource
types the functions touch at run time are created; the rest (alarms, log groups, IAM) have no
local behaviour to reproduce.

Every bus also gets a tap: a catch-all rule whose target is an internal queue. Events that a
function publishes (events:PutEvents) land there, and the local runner routes them through
the template's own rules, as EventBridge would.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import cache
from typing import Any

import boto3

from tailor_local.patterns import PatternError, validate
from tailor_local.template import ACCOUNT, REGION, Template

TAP_RULE = "tailor-local-tap"
# Every event EventBridge builds carries version "0": the pattern matches them all.
TAP_PATTERN = {"version": ["0"]}
# Queue attributes worth reproducing locally (the rest are about cost, encryption, policy).
QUEUE_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
)


def tap_queue_name(bus: str) -> str:
    """The internal queue that collects what is published on `bus` (bus names may hold `/`)."""
    return "tailor-local-tap-" + hashlib.sha256(bus.encode()).hexdigest()[:12]


def tap_buses(template: Template) -> list[str]:
    """The buses a tap listens on: the template's and the default bus."""
    return sorted({rule.bus for rule in template.rules()} | {template.bus_name, "default"})


@cache
def _session() -> boto3.session.Session:
    # One session for every provisioning: a new one reloads each service model from disk.
    return boto3.session.Session()


def _client(service: str, endpoint_url: str | None) -> Any:
    return _session().client(service, region_name=REGION, endpoint_url=endpoint_url)  # type: ignore[call-overload]


def provision(template: Template, endpoint_url: str | None = None) -> None:
    """Create every runtime resource of the template; safe to call on an empty account."""
    dynamodb = _client("dynamodb", endpoint_url)
    for logical_id, resource in template.of_type("AWS::DynamoDB::Table").items():
        props = template.resolve(resource.get("Properties") or {})
        request: dict[str, Any] = {
            "TableName": template.physical_name(logical_id),
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        dynamodb.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(
                TableName=request["TableName"],
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )

    sqs = _client("sqs", endpoint_url)
    queues = template.of_type("AWS::SQS::Queue")
    for logical_id in queues:
        sqs.create_queue(QueueName=template.physical_name(logical_id))
    for logical_id, resource in queues.items():
        props = template.resolve(resource.get("Properties") or {})
        attributes = {
            name: json.dumps(props[name]) if isinstance(props[name], dict) else str(props[name])
            for name in QUEUE_ATTRIBUTES
            if name in props
        }
        if attributes:
            url = sqs.get_queue_url(QueueName=template.physical_name(logical_id))["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)

    secretsmanager = _client("secretsmanager", endpoint_url)
    for logical_id in template.of_type("AWS::SecretsManager::Secret"):
        secretsmanager.create_secret(
            Name=template.physical_name(logical_id), SecretString=secrets.token_urlsafe(48)
        )

    check_patterns(template)
    events = _client("events", endpoint_url)
    buses = {rule.bus for rule in template.rules()}
    for bus in sorted(buses - {"default"}):
        events.create_event_bus(Name=bus)
    for rule in template.rules():
        events.put_rule(
            Name=rule.name, EventBusName=rule.bus, EventPattern=json.dumps(rule.pattern)
        )
    for bus in tap_buses(template):
        queue = tap_queue_name(bus)
        sqs.create_queue(QueueName=queue)
        events.put_rule(Name=TAP_RULE, EventBusName=bus, EventPattern=json.dumps(TAP_PATTERN))
        events.put_targets(
            Rule=TAP_RULE,
            EventBusName=bus,
            Targets=[{"Id": "tap", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"}],
        )

    scheduler = _client("scheduler", endpoint_url)
    for logical_id, resource in template.of_type("AWS::Scheduler::ScheduleGroup").items():
        props = template.resolve(resource.get("Properties") or {})
        scheduler.create_schedule_group(Name=str(props.get("Name") or logical_id))
    for schedule in template.schedules():
        target: dict[str, Any] = {
            "Arn": template.arn(schedule.function_id),
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/tailor-local-scheduler",
        }
        if schedule.input is not None:
            target["Input"] = schedule.input
        scheduler.create_schedule(
            Name=schedule.name,
            GroupName=schedule.group,
            ScheduleExpression=schedule.expression,
            ScheduleExpressionTimezone=schedule.timezone,
            FlexibleTimeWindow={"Mode": "OFF"},
            State="ENABLED" if schedule.enabled else "DISABLED",
            Target=target,
        )

    sesv2 = _client("sesv2", endpoint_url)
    for logical_id in template.of_type("AWS::SES::ConfigurationSet"):
        sesv2.create_configuration_set(ConfigurationSetName=template.physical_name(logical_id))
    for parameter in ("SenderIdentity", "SenderAddress"):
        if parameter in template.parameters:
            sesv2.create_email_identity(EmailIdentity=template.parameters[parameter])

    # S3 buckets (the support desk's mail bucket), named as `!Ref` resolves them locally.
    s3 = _client("s3", endpoint_url)
    for logical_id in template.of_type("AWS::S3::Bucket"):
        s3.create_bucket(Bucket=template.ref(logical_id))


def check_patterns(template: Template) -> None:
    """Refuse, before anything is created, a rule or stream filter EventBridge would reject."""
    for rule in template.rules():
        try:
            validate(rule.pattern)
        except PatternError as error:
            raise PatternError(f"rule {rule.name} of {rule.function_id}: {error}") from None
    for mapping in template.stream_mappings():
        for criterion in mapping.filters:
            try:
                validate(json.loads(str(criterion.get("Pattern") or "{}")))
            except ValueError as error:  # malformed JSON too
                raise PatternError(
                    f"filter of {mapping.name or mapping.function_id}: {error}"
                ) from None
