"""Create what template.yaml declares in a local AWS (moto in-process or moto server).

Tables with their keys, indexes, streams and TTL; queues; secrets; the event buses and
their rules; SES configuration sets and the sender identity. Only resource types the
functions touch at run time are created; the rest (alarms, log groups, IAM) have no local
behaviour to reproduce.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import boto3

from tailor_local.template import REGION, Template


def _client(service: str, endpoint_url: str | None) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint_url)  # type: ignore[call-overload]


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
    for logical_id in template.of_type("AWS::SQS::Queue"):
        sqs.create_queue(QueueName=template.physical_name(logical_id))

    secretsmanager = _client("secretsmanager", endpoint_url)
    for logical_id in template.of_type("AWS::SecretsManager::Secret"):
        secretsmanager.create_secret(
            Name=template.physical_name(logical_id), SecretString=secrets.token_urlsafe(48)
        )

    events = _client("events", endpoint_url)
    buses = {rule.bus for rule in template.rules()}
    for bus in sorted(buses - {"default"}):
        events.create_event_bus(Name=bus)
    for rule in template.rules():
        events.put_rule(
            Name=rule.name, EventBusName=rule.bus, EventPattern=json.dumps(rule.pattern)
        )

    sesv2 = _client("sesv2", endpoint_url)
    for logical_id in template.of_type("AWS::SES::ConfigurationSet"):
        sesv2.create_configuration_set(ConfigurationSetName=template.physical_name(logical_id))
    sesv2.create_email_identity(EmailIdentity=template.parameters["SenderIdentity"])
    sesv2.create_email_identity(EmailIdentity=template.parameters["SenderAddress"])
