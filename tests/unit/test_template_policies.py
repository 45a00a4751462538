"""The stack keeps the shop's data and limits what a flood on its public links can take.

Read from template.yaml itself, as CloudFormation would deploy it: which tables and buckets
outlive the stack, what a function behind a public URL may use of the account's
concurrency, and where the mail bucket's access logs go.
"""

from __future__ import annotations

from typing import Any

from tailor.email_types import EMAIL_TYPES
from tailor_local.template import Template

STORAGE_TYPES = ("AWS::DynamoDB::Table", "AWS::S3::Bucket")

# Tables and buckets that go with the stack, each with its reason. Everything else that
# stores data is retained: a new table or bucket must be added here to be deleted.
TRANSIENT = {
    # Exactly-once records that expire after IDEMPOTENCY_DAYS (a week); losing them at
    # worst lets an event replayed after the stack's deletion run again.
    "IdempotencyTable",
}

# Customers' data and consent evidence: never on the transient list.
CUSTOMER_DATA = {
    "ProfilesTable",
    "ConsentLedgerTable",
    "TicketsTable",
    "AftercareTable",
    "InterestsTable",
    "MailBucket",
}

LOG_DELIVERY = "logging.s3.amazonaws.com"


def storage(template: Template) -> dict[str, dict[str, Any]]:
    """Every table and bucket, whatever its condition (a conditional one is deployed too)."""
    return {
        logical_id: resource
        for logical_id, resource in template.resources.items()
        if resource["Type"] in STORAGE_TYPES
    }


def policies(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    return resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")


def test_every_table_and_bucket_outlives_the_stack_unless_listed_transient(
    template: Template,
) -> None:
    not_retained = {
        logical_id: policies(resource)
        for logical_id, resource in storage(template).items()
        if logical_id not in TRANSIENT and policies(resource) != ("Retain", "Retain")
    }
    assert not_retained == {}


def test_transient_storage_is_deleted_on_purpose(template: Template) -> None:
    found = storage(template)
    assert {name: policies(found[name]) for name in TRANSIENT if name in found} == {
        name: ("Delete", "Delete") for name in TRANSIENT
    }


def test_customer_data_and_consent_evidence_are_retained(template: Template) -> None:
    found = storage(template)
    assert found.keys() >= CUSTOMER_DATA
    assert CUSTOMER_DATA.isdisjoint(TRANSIENT)
    assert {name: policies(found[name]) for name in CUSTOMER_DATA} == {
        name: ("Retain", "Retain") for name in CUSTOMER_DATA
    }


def test_retained_tables_can_be_restored_to_a_point_in_time(template: Template) -> None:
    retained_tables = {
        logical_id: resource["Properties"]
        for logical_id, resource in storage(template).items()
        if resource["Type"] == "AWS::DynamoDB::Table" and logical_id not in TRANSIENT
    }
    assert "ProfilesTable" in retained_tables
    assert {
        logical_id: (props.get("PointInTimeRecoverySpecification") or {}).get(
            "PointInTimeRecoveryEnabled"
        )
        for logical_id, props in retained_tables.items()
    } == dict.fromkeys(retained_tables, True)


# ---------------------------------------------------------------------- public links


def public_url_functions(template: Template) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template.resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        and "FunctionUrlConfig" in resource["Properties"]
    }


def reserved(template: Template, props: dict[str, Any]) -> object:
    return template.resolve(props.get("ReservedConcurrentExecutions"))


def test_every_public_url_function_has_a_small_concurrency_ceiling(template: Template) -> None:
    functions = public_url_functions(template)
    assert {"OfferRedirectFunction", "PreferencesFunction", "PrivateSaleLinkFunction"} <= set(
        functions
    )
    default = template.raw["Parameters"]["PublicLinkConcurrency"]["Default"]
    assert 0 < default <= 50
    assert {name: reserved(template, props) for name, props in functions.items()} == {
        name: str(default) for name in functions
    }


def test_public_link_concurrency_follows_the_parameter(template: Template) -> None:
    functions = public_url_functions(template)
    mine = Template(parameters={"PublicLinkConcurrency": "3"})
    unreserved = Template(parameters={"PublicLinkConcurrency": "0"})
    assert {name: reserved(mine, props) for name, props in functions.items()} == {
        name: "3" for name in functions
    }
    # 0 leaves the property out (AWS::NoValue) rather than throttling every request.
    assert {name: reserved(unreserved, props) for name, props in functions.items()} == {
        name: "" for name in functions
    }


# ---------------------------------------------------------------------- access logs


def log_writers(template: Template, bucket_id: str) -> list[dict[str, Any]]:
    """The statements of `bucket_id`'s policies that let S3 deliver access logs into it."""
    statements = []
    for resource in template.resources.values():
        if resource["Type"] != "AWS::S3::BucketPolicy":
            continue
        props = resource["Properties"]
        if props["Bucket"] != {"Ref": bucket_id}:
            continue
        for statement in template.resolve(props["PolicyDocument"])["Statement"]:
            if statement["Effect"] == "Allow" and statement["Principal"] == {
                "Service": LOG_DELIVERY
            }:
                statements.append(statement)
    return statements


def test_mail_bucket_access_is_logged_to_a_retained_private_bucket(template: Template) -> None:
    buckets = storage(template)
    logging = buckets["MailBucket"]["Properties"]["LoggingConfiguration"]
    target_id = logging["DestinationBucketName"]["Ref"]
    target = buckets[target_id]
    props = template.resolve(target["Properties"])

    assert policies(target) == ("Retain", "Retain")
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    expiry = [
        rule["ExpirationInDays"]
        for rule in props["LifecycleConfiguration"]["Rules"]
        if rule["Status"] == "Enabled" and "ExpirationInDays" in rule and not rule.get("Prefix")
    ]
    assert expiry == [template.parameters["SupportMailRetentionDays"]]

    # S3 may write the mail bucket's logs under their prefix, and nothing else's.
    assert log_writers(template, target_id) == [
        {
            "Sid": "S3WritesMailAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": LOG_DELIVERY},
            "Action": "s3:PutObject",
            "Resource": f"{template.get_att(target_id, 'Arn')}/{logging['LogFilePrefix']}*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": template.ref("AWS::AccountId")},
                "ArnLike": {"aws:SourceArn": template.get_att("MailBucket", "Arn")},
            },
        }
    ]


def test_every_bucket_logs_its_access_or_is_a_log_destination(template: Template) -> None:
    buckets = {
        logical_id: resource
        for logical_id, resource in storage(template).items()
        if resource["Type"] == "AWS::S3::Bucket"
    }
    destinations = {
        resource["Properties"]["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
        for resource in buckets.values()
        if "LoggingConfiguration" in resource["Properties"]
    }
    unlogged = sorted(
        logical_id
        for logical_id, resource in buckets.items()
        if "LoggingConfiguration" not in resource["Properties"] and logical_id not in destinations
    )
    assert unlogged == []
    assert destinations and all(log_writers(template, d) for d in destinations)


def test_every_function_that_sends_customer_email_may_keep_it_for_the_copy_preview(
    template: Template,
) -> None:
    """`tailor.samples.remember` keeps each sender's last email for the console's preview:
    every declared sender has the one policy allowing that object, and nothing more."""
    senders = {s for declared in EMAIL_TYPES.values() for s in declared.senders}
    functions = template.resources

    lacking = [s for s in sorted(senders) if "CopyPreviewPolicy" not in _policy_refs(functions[s])]

    assert lacking == []
    statements = functions["CopyPreviewPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (["s3:PutObject"], {"Fn::Sub": "${MailBucket.Arn}/copy/*/last-event/*"})
    ]


def _policy_refs(function: dict[str, Any]) -> set[str]:
    listed = function["Properties"].get("Policies", [])
    return {p["Ref"] for p in listed if isinstance(p, dict) and "Ref" in p}
