"""The local cloud's DynamoDB keeps AWS's semantics where it is made faster: a transaction
is all or nothing (items and stream), a parsed expression is reused only for the same
expression with the same names and values, an update's tree is walked afresh for each
item, and items are read back exactly as written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError
from tailor import aws, transactions
from tailor_local.template import Template


@pytest.fixture
def profiles(cloud: Template) -> Any:
    table = aws.table(cloud.physical_name("ProfilesTable"))
    table.put_item(Item={"email": "kept@example.com", "version": 1, "note": "before"})
    return table


def _update_note(table: Any, email: str, note: str, version: int) -> dict[str, Any]:
    return transactions.update(
        table.name,
        {
            "Key": {"email": email},
            "UpdateExpression": "SET note = :n ADD version :one",
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":n": note, ":one": 1, ":v": version},
        },
    )


def test_a_committed_transaction_makes_every_write(profiles: Any) -> None:
    created = transactions.put(
        profiles.name,
        {
            "Item": {"email": "new@example.com"},
            "ConditionExpression": "attribute_not_exists(email)",
        },
    )

    codes = transactions.write_together(
        [created, _update_note(profiles, "kept@example.com", "after", 1)]
    )

    assert codes is None
    kept = profiles.get_item(Key={"email": "kept@example.com"})["Item"]
    assert (kept["note"], kept["version"]) == ("after", 2)
    assert "Item" in profiles.get_item(Key={"email": "new@example.com"})


def test_one_item_written_twice_is_refused_and_nothing_is_written(profiles: Any) -> None:
    writes = [
        transactions.put(profiles.name, {"Item": {"email": "new@example.com"}}),
        _update_note(profiles, "kept@example.com", "after", 1),
        _update_note(profiles, "kept@example.com", "again", 2),
    ]

    with pytest.raises(ClientError, match="ValidationException"):
        transactions.write_together(writes)

    assert "Item" not in profiles.get_item(Key={"email": "new@example.com"})
    assert profiles.get_item(Key={"email": "kept@example.com"})["Item"]["note"] == "before"


def test_a_condition_failing_cancels_the_writes_before_and_after_it(profiles: Any) -> None:
    profiles.put_item(Item={"email": "second@example.com", "version": 3, "note": "before"})
    writes = [
        _update_note(profiles, "kept@example.com", "after", 1),
        _update_note(profiles, "second@example.com", "after", 2),  # stored version is 3
        transactions.put(profiles.name, {"Item": {"email": "third@example.com"}}),
    ]

    codes = transactions.write_together(writes)

    assert codes == ["None", transactions.CONDITION_FAILED, "None"]
    notes = {i["email"]: i.get("note") for i in profiles.scan()["Items"]}
    assert notes == {"kept@example.com": "before", "second@example.com": "before"}


def test_a_cancelled_transaction_on_a_streamed_table_leaves_no_stream_record(
    cloud: Template,
) -> None:
    catalog = aws.table(cloud.physical_name("CatalogTable"))
    streams = aws.client("dynamodbstreams")

    def records() -> list[Any]:
        arn = aws.client("dynamodb").describe_table(TableName=catalog.name)["Table"][
            "LatestStreamArn"
        ]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        return list(streams.get_records(ShardIterator=iterator)["Records"])

    before = len(records())
    writes = [
        transactions.put(catalog.name, {"Item": {"product_id": "p1", "title": "Oxford"}}),
        transactions.put(
            catalog.name,
            {"Item": {"product_id": "p2"}, "ConditionExpression": "attribute_exists(product_id)"},
        ),
    ]

    assert transactions.write_together(writes) == ["None", transactions.CONDITION_FAILED]
    assert len(records()) == before
    assert catalog.scan()["Items"] == []


def test_the_same_condition_with_other_values_is_judged_on_its_values(profiles: Any) -> None:
    def set_note(version: int) -> bool:
        try:
            profiles.update_item(
                Key={"email": "kept@example.com"},
                UpdateExpression="SET note = :n",
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":n": f"v{version}", ":v": version},
            )
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return False
        return True

    assert [set_note(2), set_note(1), set_note(2)] == [False, True, False]
    assert profiles.get_item(Key={"email": "kept@example.com"})["Item"]["note"] == "v1"


def test_a_repeated_filtered_query_reads_the_same_items(profiles: Any) -> None:
    profiles.put_item(Item={"email": "other@example.com", "version": 2, "note": "x"})

    def scan() -> list[str]:
        found = profiles.scan(
            FilterExpression="#v = :v",
            ProjectionExpression="email, #v",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":v": 2},
        )["Items"]
        return sorted(str(i["email"]) for i in found)

    assert scan() == scan() == ["other@example.com"]


def test_one_update_expression_applied_to_many_items_writes_each_its_own(profiles: Any) -> None:
    """The update's tree is copied per item: one item's values never leak into the next."""
    for number in range(3):
        profiles.update_item(
            Key={"email": f"fan{number}@example.com"},
            UpdateExpression="SET note = if_not_exists(note, :n), tags = list_append("
            "if_not_exists(tags, :none), :t) ADD version :one REMOVE gone",
            ExpressionAttributeValues={":n": f"n{number}", ":t": [number], ":none": [], ":one": 1},
        )
    profiles.update_item(
        Key={"email": "fan1@example.com"},
        UpdateExpression="SET note = if_not_exists(note, :n), tags = list_append("
        "if_not_exists(tags, :none), :t) ADD version :one REMOVE gone",
        ExpressionAttributeValues={":n": "later", ":t": [9], ":none": [], ":one": 1},
    )

    items = {
        number: profiles.get_item(Key={"email": f"fan{number}@example.com"})["Item"]
        for number in range(3)
    }
    assert {n: (i["note"], i["tags"], i["version"]) for n, i in items.items()} == {
        0: ("n0", [0], 1),
        1: ("n1", [1, 9], 2),
        2: ("n2", [2], 1),
    }


def test_items_read_back_exactly_as_written_binary_and_nested_included(profiles: Any) -> None:
    item = {
        "email": "nested@example.com",
        "name": "Zoë \u202eevil",
        "count": 12,
        "price": Decimal("199.50"),
        "flags": {"a": True, "b": None},
        "sizes": ["12", {"eu": 46}],
        "tags": {"x", "y"},
        "blob": Binary(b"\x00\xffraw"),
        "deep": {"inner": {"blob": Binary(b"\x01")}},
    }
    profiles.put_item(Item=item)

    single = profiles.get_item(Key={"email": "nested@example.com"})["Item"]
    batch = profiles.meta.client.batch_get_item(
        RequestItems={profiles.name: {"Keys": [{"email": "nested@example.com"}]}}
    )["Responses"][profiles.name]
    page = profiles.scan(
        FilterExpression="email = :e", ExpressionAttributeValues={":e": item["email"]}
    )

    assert single == batch[0] == page["Items"][0] == item


def test_local_ses_takes_recipients_from_the_header_block_only(cloud: Template) -> None:
    from moto.ses.models import ses_backends

    raw = (
        "From: Shop <orders@shop.example.com>\r\n"
        "To: fan@example.com,\r\n second@example.com\r\n"
        "Subject: hi\r\n"
        "\r\n"
        "Cc: leak@example.com\r\n"
        "\r\n"
        "Bcc: leak@example.com\r\n"
    )
    aws.client("sesv2").send_email(
        FromEmailAddress="orders@shop.example.com",
        Destination={"ToAddresses": ["fan@example.com"]},
        Content={"Raw": {"Data": raw.encode()}},
    )

    sent = ses_backends["123456789012"]["us-east-1"].sent_messages[-1]
    assert sent.destinations == ["fan@example.com", "fan@example.com", "second@example.com"]
    assert sent.source == "orders@shop.example.com"
