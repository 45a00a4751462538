"""Every test's `cloud` is the template's freshly provisioned account, whatever ran before.

The account is provisioned once per process and copied for each test (tests/helpers/cloud.py).
The first test writes to every kind of resource the template declares; the second, run next
in the same process, must find the account exactly as the first found it. The module runs
in file order on one worker, as pyproject's `--dist loadfile` has xdist run every module.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from tailor_local.template import REGION, Template

from tests.helpers.mail import Outbox

# What the first test found, for the second to compare with.
_found_by_first: dict[str, Any] = {}


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]


def inventory() -> dict[str, Any]:
    """Everything a test can see of the account, kind by kind of resource."""
    dynamodb, streams = client("dynamodb"), client("dynamodbstreams")
    tables: dict[str, Any] = {}
    for name in dynamodb.list_tables()["TableNames"]:
        stream_arn = dynamodb.describe_table(TableName=name)["Table"].get("LatestStreamArn")
        records = []
        if stream_arn:
            for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"][
                "Shards"
            ]:
                iterator = streams.get_shard_iterator(
                    StreamArn=stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
                records += streams.get_records(ShardIterator=iterator)["Records"]
        tables[name] = {"items": dynamodb.scan(TableName=name)["Items"], "stream": len(records)}

    sqs = client("sqs")
    counts = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    queues = {
        url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=counts)["Attributes"]
        for url in sqs.list_queues().get("QueueUrls", [])
    }

    sesv2 = client("sesv2")
    mail = {
        "sent": [str(m["Message-ID"]) for m in Outbox().messages],
        "identities": sorted(
            i["IdentityName"] for i in sesv2.list_email_identities()["EmailIdentities"]
        ),
    }

    scheduler = client("scheduler")
    schedules = {
        group["Name"]: sorted(
            s["Name"] for s in scheduler.list_schedules(GroupName=group["Name"])["Schedules"]
        )
        for group in scheduler.list_schedule_groups()["ScheduleGroups"]
    }

    s3 = client("s3")
    buckets = {
        bucket["Name"]: [
            o["Key"] for o in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
        ]
        for bucket in s3.list_buckets()["Buckets"]
    }

    secretsmanager = client("secretsmanager")
    secrets = {
        secret["Name"]: secretsmanager.get_secret_value(SecretId=secret["Name"])["SecretString"]
        for secret in secretsmanager.list_secrets()["SecretList"]
    }

    events = client("events")
    rules = {
        bus["Name"]: sorted(r["Name"] for r in events.list_rules(EventBusName=bus["Name"])["Rules"])
        for bus in events.list_event_buses()["EventBuses"]
    }

    return {
        "tables": tables,
        "queues": queues,
        "mail": mail,
        "schedules": schedules,
        "buckets": buckets,
        "secrets": secrets,
        "rules": rules,
    }


def a_key_for(table: dict[str, Any]) -> dict[str, Any]:
    """An item holding just the table's key, of the key's declared types."""
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    samples = {"S": {"S": "written-by-a-test"}, "N": {"N": "7"}, "B": {"B": b"test"}}
    return {k["AttributeName"]: samples[types[k["AttributeName"]]] for k in table["KeySchema"]}


def write_to_every_resource(template: Template) -> None:
    dynamodb = client("dynamodb")
    for name in dynamodb.list_tables()["TableNames"]:
        table = dynamodb.describe_table(TableName=name)["Table"]
        dynamodb.put_item(TableName=name, Item=a_key_for(table))

    events = client("events")
    for bus in events.list_event_buses()["EventBuses"]:
        events.put_rule(
            Name="written-by-a-test", EventBusName=bus["Name"], EventPattern='{"source": ["t"]}'
        )
        # The local tap routes it to its queue.
        events.put_events(
            Entries=[
                {
                    "EventBusName": bus["Name"],
                    "Source": "written.by.a.test",
                    "DetailType": "Test",
                    "Detail": "{}",
                }
            ]
        )

    sqs = client("sqs")
    for url in sqs.list_queues()["QueueUrls"]:
        sqs.send_message(QueueUrl=url, MessageBody="kept")
        sqs.send_message(QueueUrl=url, MessageBody="in flight")
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
        sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=900)

    sesv2 = client("sesv2")
    sender = template.parameters["SenderAddress"]
    raw = f"From: {sender}\r\nTo: alex@example.com\r\nSubject: Hi\r\n\r\nHello\r\n".encode()
    sesv2.send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": ["alex@example.com"]},
        Content={"Raw": {"Data": raw}},
    )
    sesv2.create_email_identity(EmailIdentity="another.example")

    scheduler = client("scheduler")
    for group in scheduler.list_schedule_groups()["ScheduleGroups"]:
        declared = scheduler.list_schedules(GroupName=group["Name"])["Schedules"]
        for schedule in declared[:1]:
            scheduler.delete_schedule(Name=schedule["Name"], GroupName=group["Name"])
        scheduler.create_schedule(
            Name="written-by-a-test",
            GroupName=group["Name"],
            ScheduleExpression="at(2026-12-01T12:00:00)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": "arn:aws:lambda:us-east-1:123456789012:function:F",
                "RoleArn": "arn:aws:iam::123456789012:role/R",
            },
        )

    s3 = client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        s3.put_object(Bucket=bucket["Name"], Key="written-by-a-test", Body=b"x")

    secretsmanager = client("secretsmanager")
    for secret in secretsmanager.list_secrets()["SecretList"]:
        secretsmanager.put_secret_value(SecretId=secret["Name"], SecretString="written")
    secretsmanager.create_secret(Name="written-by-a-test", SecretString=json.dumps({"a": 1}))


def test_a_test_writes_to_every_kind_of_resource(cloud: Template) -> None:
    before = inventory()
    _found_by_first.update(before)

    write_to_every_resource(cloud)

    after = inventory()
    for kind in before:
        assert after[kind] != before[kind], f"nothing was written to the {kind}"


def test_the_next_test_finds_the_account_as_the_first_found_it(cloud: Template) -> None:
    assert _found_by_first, (
        "the first test of this module did not run before this one in this process; "
        "run the module in file order on one worker (pyproject's --dist loadfile)"
    )

    assert inventory() == _found_by_first
