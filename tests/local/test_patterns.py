"""EventBridge event-pattern matching on the local cloud.

Patterns and events come from the Amazon EventBridge user guide (content filtering, arrays,
null values) and Event Ruler's README, plus Shopify events delivered through EventBridge.
"""

from __future__ import annotations

import copy
import json
from typing import Any, cast

import pytest
from tailor_local.patterns import PatternError, matches, validate

EC2_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
    },
}

NULL_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
    "detail-type": "EC2 Instance Launch Successful",
    "source": "aws.autoscaling",
    "account": "123456789012",
    "time": "2015-11-11T21:31:47Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"eventVersion": "", "responseElements": None},
}

EMPLOYEES_EVENT: dict[str, Any] = {
    "employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"},
    ]
}

SHOPIFY_ORDERS_CREATE: dict[str, Any] = {
    "version": "0",
    "id": "0b4d5e6f-1111-2222-3333-444455556666",
    "detail-type": "shopifyWebhook",
    "source": "aws.partner/shopify.com/1234567/tailor",
    "account": "123456789012",
    "time": "2024-05-01T12:00:00Z",
    "region": "eu-west-1",
    "resources": [],
    "detail": {
        "payload": {"id": 820982911946154508, "email": "jon@example.com"},
        "metadata": {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": "tailor-demo.myshopify.com",
        },
    },
}

SHOPIFY_TOPIC_PATTERN: dict[str, Any] = {
    "detail-type": ["shopifyWebhook"],
    "detail": {"metadata": {"X-Shopify-Topic": ["orders/create"]}},
}


def with_detail(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``event`` with some ``detail`` fields replaced."""
    changed = copy.deepcopy(event)
    changed["detail"].update(changes)
    return changed


def without_detail(event: dict[str, Any], *names: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    for name in names:
        del changed["detail"][name]
    return changed


def shopify_topic(topic: str) -> dict[str, Any]:
    event = copy.deepcopy(SHOPIFY_ORDERS_CREATE)
    event["detail"]["metadata"]["X-Shopify-Topic"] = topic
    return event


def case(pattern: dict[str, Any], event: dict[str, Any], expected: bool, name: str) -> Any:
    return pytest.param(pattern, event, expected, id=name)


EXACT_CASES = [
    case({"source": ["aws.ec2"]}, EC2_EVENT, True, "string"),
    case({"source": ["AWS.EC2"]}, EC2_EVENT, False, "string-is-case-sensitive"),
    case({"source": ["aws.ec2", "aws.fargate"]}, EC2_EVENT, True, "any-value-of-the-array"),
    case({"source": ["aws.s3", "aws.fargate"]}, EC2_EVENT, False, "no-value-of-the-array"),
    case(
        {
            "detail-type": ["EC2 Instance State-change Notification"],
            "detail": {"state": ["initializing", "running"]},
        },
        EC2_EVENT,
        True,
        "all-fields",
    ),
    case(
        {
            "detail-type": ["EC2 Instance State-change Notification"],
            "detail": {"state": ["stopped"]},
        },
        EC2_EVENT,
        False,
        "one-field-differs",
    ),
    case({"detail": {"c-count": [5]}}, EC2_EVENT, True, "number"),
    case({"detail": {"c-count": [5.0]}}, EC2_EVENT, True, "number-compares-numerically"),
    case({"detail": {"x-limit": [3.018e2]}}, EC2_EVENT, True, "number-in-exponent-form"),
    case({"detail": {"c-count": ["5"]}}, EC2_EVENT, False, "string-never-equals-number"),
    case({"n": [5]}, {"n": "5"}, False, "number-never-equals-string"),
    case({"flag": [True]}, {"flag": True}, True, "true"),
    case({"flag": [True]}, {"flag": 1}, False, "true-is-not-1"),
    case({"flag": [1]}, {"flag": True}, False, "1-is-not-true"),
    case({"flag": [False]}, {"flag": 0}, False, "false-is-not-0"),
    case({"detail": {"responseElements": [None]}}, NULL_EVENT, True, "null"),
    case({"detail": {"eventVersion": [""]}}, NULL_EVENT, True, "empty-string"),
    case({"detail": {"eventVersion": [None]}}, NULL_EVENT, False, "null-is-not-empty-string"),
    case({"detail": {"responseElements": [""]}}, NULL_EVENT, False, "empty-string-is-not-null"),
    case({"detail": {"owner": ["alice"]}}, EC2_EVENT, False, "missing-field"),
    case({"detail": {"state": ["running"]}}, {"source": "aws.ec2"}, False, "missing-parent"),
    case({"detail": {"state": ["running"]}}, {"detail": "running"}, False, "scalar-not-object"),
    case({"detail": ["running"]}, {"detail": {"state": "running"}}, False, "object-not-leaf"),
]

ARRAY_CASES = [
    case(
        {
            "resources": [
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
            ]
        },
        {
            "resources": [
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d"
                "-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            ]
        },
        True,
        "arrays-intersect",
    ),
    case(
        {"resources": ["arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]},
        {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]},
        False,
        "arrays-disjoint",
    ),
    case({"resources": ["a"]}, {"resources": []}, False, "empty-event-array"),
    case({"employees": {"firstName": ["Anna"]}}, EMPLOYEES_EVENT, True, "array-of-objects"),
    case({"employees": {"firstName": ["Mary"]}}, EMPLOYEES_EVENT, False, "no-element-matches"),
    case(
        {"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}},
        EMPLOYEES_EVENT,
        True,
        "fields-from-one-element",
    ),
    case(
        {"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}},
        EMPLOYEES_EVENT,
        False,
        "fields-from-two-elements",
    ),
    case(
        {"employees": {"firstName": ["Anna"]}},
        {"employees": [[{"firstName": "John"}], [{"firstName": "Anna"}]]},
        True,
        "nested-arrays",
    ),
    case({"tags": [{"prefix": "env:"}]}, {"tags": ["team:a", "env:prod"]}, True, "operator-any"),
    case({"tags": [{"prefix": "env:"}]}, {"tags": ["team:a", "cost:1"]}, False, "operator-none"),
]

PREFIX_SUFFIX_CASES = [
    case({"time": [{"prefix": "2017-10-02"}]}, EC2_EVENT, True, "prefix"),
    case({"time": [{"prefix": "2017-10-03"}]}, EC2_EVENT, False, "other-prefix"),
    case({"region": [{"prefix": "us-"}]}, EC2_EVENT, True, "region-prefix"),
    case({"region": [{"prefix": "eu-"}]}, EC2_EVENT, False, "other-region-prefix"),
    case({"region": [{"prefix": "US-"}]}, EC2_EVENT, False, "prefix-is-case-sensitive"),
    case({"detail": {"c-count": [{"prefix": "5"}]}}, EC2_EVENT, False, "prefix-skips-numbers"),
    case(
        {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
        {"detail": {"service": "eventbridge"}},
        True,
        "prefix-ignore-case",
    ),
    case(
        {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
        {"detail": {"service": "Lambda"}},
        False,
        "prefix-ignore-case-differs",
    ),
    case({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.png"}, True, "suffix"),
    case({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.PNG"}, False, "suffix-case"),
    case({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.jpg"}, False, "other-suffix"),
    case(
        {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]},
        {"FileName": "cat.PNG"},
        True,
        "suffix-ignore-case",
    ),
    case({"n": [{"suffix": "5"}]}, {"n": 5}, False, "suffix-skips-numbers"),
]

IGNORE_CASE_AND_WILDCARD_CASES = [
    case({"Name": [{"equals-ignore-case": "alice"}]}, {"Name": "ALICE"}, True, "ignore-case"),
    case({"Name": [{"equals-ignore-case": "alice"}]}, {"Name": "Alicia"}, False, "not-equal"),
    case({"Name": [{"equals-ignore-case": "5"}]}, {"Name": 5}, False, "ignore-case-strings-only"),
    case(
        {"source": [{"wildcard": "Simple*Service"}]},
        {"source": "SimpleNotificationService"},
        True,
        "wildcard",
    ),
    case({"source": [{"wildcard": "Simple*Service"}]}, {"source": "SimpleService"}, True, "empty"),
    case(
        {"source": [{"wildcard": "Simple*Service"}]},
        {"source": "SimpleNotificationServices"},
        False,
        "wildcard-anchored",
    ),
    case({"source": [{"wildcard": "Simple*Service"}]}, {"source": "simpleService"}, False, "case"),
    case({"FilePath": [{"wildcard": "*/lib/*"}]}, {"FilePath": "/usr/lib/x.so"}, True, "two-stars"),
    case({"FilePath": [{"wildcard": "*/lib/*"}]}, {"FilePath": "/usr/bin/x"}, False, "two-miss"),
    case({"k": [{"wildcard": "a\\*b"}]}, {"k": "a*b"}, True, "escaped-star-is-literal"),
    case({"k": [{"wildcard": "a\\*b"}]}, {"k": "axb"}, False, "escaped-star-not-wildcard"),
    case({"k": [{"wildcard": "a\\\\*"}]}, {"k": "a\\bc"}, True, "escaped-backslash"),
    case({"k": [{"wildcard": "a.c"}]}, {"k": "abc"}, False, "dot-is-literal"),
    case({"k": [{"wildcard": "*"}]}, {"k": 5}, False, "wildcard-strings-only"),
]

ANYTHING_BUT_CASES = [
    case({"detail": {"state": [{"anything-but": "initializing"}]}}, EC2_EVENT, True, "string"),
    case({"detail": {"state": [{"anything-but": "running"}]}}, EC2_EVENT, False, "string-excluded"),
    case({"detail": {"x-limit": [{"anything-but": 123}]}}, EC2_EVENT, True, "number"),
    case({"detail": {"c-count": [{"anything-but": 5}]}}, EC2_EVENT, False, "number-excluded"),
    case(
        {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
        EC2_EVENT,
        True,
        "string-list",
    ),
    case(
        {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
        with_detail(EC2_EVENT, state="stopped"),
        False,
        "string-list-excluded",
    ),
    case(
        {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
        EC2_EVENT,
        True,
        "number-list",
    ),
    case(
        {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
        with_detail(EC2_EVENT, **{"x-limit": 200.0}),
        False,
        "number-list-excluded",
    ),
    case(
        {"detail": {"c-count": [{"anything-but": ["5"]}]}},
        EC2_EVENT,
        True,
        "string-list-lets-number-through",
    ),
    case({"detail": {"owner": [{"anything-but": "bob"}]}}, EC2_EVENT, False, "missing-field"),
    case(
        {"detail": {"responseElements": [{"anything-but": "x"}]}},
        NULL_EVENT,
        True,
        "null-is-a-value",
    ),
    case(
        {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
        EC2_EVENT,
        True,
        "prefix",
    ),
    case(
        {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
        with_detail(EC2_EVENT, state="initializing"),
        False,
        "prefix-excluded",
    ),
    case(
        {"source": [{"anything-but": {"prefix": "aws."}}]},
        {"source": "com.tailor.orders"},
        True,
        "own-events-not-aws",
    ),
    case(
        {"source": [{"anything-but": {"prefix": "aws."}}]},
        EC2_EVENT,
        False,
        "aws-event-excluded",
    ),
    case(
        {"detail": {"c-count": [{"anything-but": {"prefix": "5"}}]}},
        EC2_EVENT,
        True,
        "prefix-excludes-strings-only",
    ),
    case(
        {"FileName": [{"anything-but": {"suffix": ".png"}}]},
        {"FileName": "cat.jpg"},
        True,
        "suffix",
    ),
    case(
        {"FileName": [{"anything-but": {"suffix": ".png"}}]},
        {"FileName": "cat.png"},
        False,
        "suffix-excluded",
    ),
    case(
        {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]},
        {"state": "running"},
        True,
        "ignore-case",
    ),
    case(
        {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]},
        {"state": "INITIALIZING"},
        False,
        "ignore-case-excluded",
    ),
    case(
        {"state": [{"anything-but": {"equals-ignore-case": ["stopped", "overloaded"]}}]},
        {"state": "Overloaded"},
        False,
        "ignore-case-list-excluded",
    ),
    case(
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/bin/x"},
        True,
        "wildcard",
    ),
    case(
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/lib/x.so"},
        False,
        "wildcard-excluded",
    ),
    case(
        {"state": [{"anything-but": "initializing"}]},
        {"state": ["initializing", "running"]},
        True,
        "array-with-other-value",
    ),
    case(
        {"state": [{"anything-but": "initializing"}]},
        {"state": ["initializing"]},
        False,
        "array-only-excluded",
    ),
    case({"state": [{"anything-but": "x"}]}, {"state": []}, False, "empty-array"),
]

NUMERIC_PATTERN: dict[str, Any] = {
    "detail": {
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"numeric": ["=", 3.018e2]}],
    }
}

NUMERIC_CASES = [
    case(NUMERIC_PATTERN, EC2_EVENT, True, "all-ranges"),
    case(NUMERIC_PATTERN, with_detail(EC2_EVENT, **{"c-count": 0}), False, "open-lower-bound"),
    case(NUMERIC_PATTERN, with_detail(EC2_EVENT, **{"c-count": 6}), False, "above-upper-bound"),
    case(NUMERIC_PATTERN, with_detail(EC2_EVENT, **{"c-count": 0.5}), True, "fraction"),
    case(NUMERIC_PATTERN, with_detail(EC2_EVENT, **{"d-count": 10}), False, "open-upper-bound"),
    case(NUMERIC_PATTERN, with_detail(EC2_EVENT, **{"x-limit": 301.9}), False, "not-equal"),
    case(NUMERIC_PATTERN, with_detail(EC2_EVENT, **{"c-count": "5"}), False, "numeric-string"),
    case(NUMERIC_PATTERN, with_detail(EC2_EVENT, **{"c-count": True}), False, "boolean"),
    case(NUMERIC_PATTERN, without_detail(EC2_EVENT, "d-count"), False, "missing"),
    case({"n": [{"numeric": [">=", 5]}]}, {"n": 5}, True, "closed-lower-bound"),
    case({"n": [{"numeric": ["<=", 5]}]}, {"n": 5}, True, "closed-upper-bound"),
    case({"n": [{"numeric": [">", -1.5]}]}, {"n": -1}, True, "negative"),
    case({"n": [{"numeric": ["<", 10]}]}, {"n": [20, 3]}, True, "any-element"),
    case({"n": [{"numeric": ["<", 10]}, 42]}, {"n": 42}, True, "or-with-exact-value"),
]

EXISTS_CASES = [
    case({"detail": {"state": [{"exists": True}]}}, EC2_EVENT, True, "present"),
    case(
        {"detail": {"state": [{"exists": True}]}},
        {"detail": {"c-count": {"c1": 100}}},
        False,
        "absent",
    ),
    case({"detail": {"responseElements": [{"exists": True}]}}, NULL_EVENT, True, "null-present"),
    case({"detail": {"eventVersion": [{"exists": True}]}}, NULL_EVENT, True, "empty-string"),
    case({"resources": [{"exists": True}]}, NULL_EVENT, False, "empty-array-has-no-leaf"),
    case({"detail": {"c-count": [{"exists": False}]}}, NULL_EVENT, True, "false-when-missing"),
    case({"detail": {"c-count": [{"exists": False}]}}, EC2_EVENT, False, "false-when-present"),
    case(
        {"detail": {"c-count": [{"exists": False}]}},
        {"detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}},
        True,
        "false-on-intermediate-node",
    ),
    case(
        {"detail": {"c-count": [{"exists": True}]}},
        {"detail": {"c-count": {"c1": 100}}},
        False,
        "true-on-intermediate-node",
    ),
    case(
        {"detail": {"c-count": [{"exists": False}]}},
        {"source": "aws.ec2"},
        True,
        "false-when-parent-missing",
    ),
    case({"resources": [{"exists": False}]}, NULL_EVENT, True, "false-on-empty-array"),
    case(
        {"detail": {"state": ["stopped", {"exists": False}]}},
        without_detail(EC2_EVENT, "state"),
        True,
        "or-absent",
    ),
    case(
        {"detail": {"state": ["stopped", {"exists": False}]}},
        EC2_EVENT,
        False,
        "or-absent-but-present-and-different",
    ),
    # Inside arrays of objects, absence is judged against the elements the other fields chose
    # (fields are taken in name order): no element is chosen before "lastName" here...
    case(
        {"employees": {"lastName": [{"exists": False}]}},
        {"employees": [{"firstName": "John"}, {"lastName": "Smith"}]},
        False,
        "false-in-array-any-element-has-it",
    ),
    # ...while "firstName", which sorts first whatever the key order, picks element 0 first,
    # and element 0 has no "lastName".
    case(
        {"employees": {"lastName": [{"exists": False}], "firstName": ["John"]}},
        {"employees": [{"firstName": "John"}, {"lastName": "Smith"}]},
        True,
        "false-in-array-chosen-element-lacks-it",
    ),
]

CIDR_CASES = [
    case({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}, EC2_EVENT, True, "in-block"),
    case({"detail": {"source-ip": [{"cidr": "10.0.0.0/8"}]}}, EC2_EVENT, True, "in-wider-block"),
    case({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.1"}, False, "outside-block"),
    case({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.255"}, True, "last-address"),
    case({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "not-an-ip"}, False, "not-an-address"),
    case({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": 167772161}, False, "number"),
    case({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8::1"}, True, "ipv6"),
    case({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db9::1"}, False, "ipv6-outside"),
    case({"ip": [{"cidr": "0.0.0.0/0"}]}, {"ip": "::1"}, False, "ipv6-address-ipv4-block"),
]

OR_CASES = [
    case(
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {"namespace": ["AWS/EC2", "AWS/ES"]},
            ],
        },
        {"source": "aws.cloudwatch", "namespace": "AWS/EC2"},
        True,
        "second-alternative",
    ),
    case(
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {"namespace": ["AWS/EC2", "AWS/ES"]},
            ],
        },
        {"source": "aws.cloudwatch", "metricName": "DiskIO", "namespace": "AWS/S3"},
        False,
        "no-alternative",
    ),
    case(
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": "aws.ec2", "metricName": "CPUUtilization"},
        False,
        "and-outside-or",
    ),
    case(
        {
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
            "detail": {
                "$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["Alarm State Change"]}]
            },
        },
        {"metricName": "CPUUtilization", "detail": {"detail-type": "Alarm State Change"}},
        True,
        "parallel-nested",
    ),
    case(
        {
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
            "detail": {
                "$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["Alarm State Change"]}]
            },
        },
        {"metricName": "CPUUtilization", "detail": {"source": "aws.ec2"}},
        False,
        "parallel-nested-one-fails",
    ),
    case(
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization"]},
                {
                    "metricType": ["MetricType"],
                    "namespace": ["AWS/EC2"],
                    "$or": [{"metricId": [1234]}, {"spaceId": [1000]}],
                },
            ],
        },
        {
            "source": "aws.cloudwatch",
            "metricType": "MetricType",
            "namespace": "AWS/EC2",
            "spaceId": 1000,
        },
        True,
        "or-inside-or",
    ),
    case(
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization"]},
                {
                    "metricType": ["MetricType"],
                    "namespace": ["AWS/EC2"],
                    "$or": [{"metricId": [1234]}, {"spaceId": [1000]}],
                },
            ],
        },
        {"source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 1000},
        False,
        "or-inside-or-missing-and",
    ),
    case(
        {
            "detail": {
                "$or": [{"c-count": [{"numeric": [">", 10]}]}, {"state": [{"exists": False}]}]
            }
        },
        EC2_EVENT,
        False,
        "operators-in-alternatives",
    ),
]

COMPLEX_PATTERN: dict[str, Any] = {
    "time": [{"prefix": "2017-10-02"}],
    "detail": {
        "state": [{"anything-but": "initializing"}],
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"anything-but": [100, 200, 300]}],
        "source-ip": [{"cidr": "10.0.0.0/8"}],
    },
}

COMPLEX_CASES = [
    case(COMPLEX_PATTERN, EC2_EVENT, True, "all-operators"),
    case(COMPLEX_PATTERN, with_detail(EC2_EVENT, state="initializing"), False, "one-fails"),
    case(COMPLEX_PATTERN, with_detail(EC2_EVENT, **{"source-ip": "192.168.0.1"}), False, "ip"),
]

SHOPIFY_CASES = [
    case(SHOPIFY_TOPIC_PATTERN, SHOPIFY_ORDERS_CREATE, True, "topic"),
    case(SHOPIFY_TOPIC_PATTERN, shopify_topic("orders/updated"), False, "other-topic"),
    case(SHOPIFY_TOPIC_PATTERN, shopify_topic("Orders/Create"), False, "topic-case"),
    case(
        {**SHOPIFY_TOPIC_PATTERN, "detail-type": ["customWebhook"]},
        SHOPIFY_ORDERS_CREATE,
        False,
        "other-detail-type",
    ),
    case(
        SHOPIFY_TOPIC_PATTERN,
        {"detail-type": "shopifyWebhook", "detail": {"payload": {"id": 1}}},
        False,
        "no-metadata",
    ),
    case(
        {
            "source": [{"prefix": "aws.partner/shopify.com"}],
            "detail": {"metadata": {"X-Shopify-Topic": [{"prefix": "orders/"}]}},
        },
        shopify_topic("orders/updated"),
        True,
        "source-and-topic-prefix",
    ),
    case(
        {
            "source": [{"prefix": "aws.partner/shopify.com"}],
            "detail": {"metadata": {"X-Shopify-Topic": [{"prefix": "orders/"}]}},
        },
        shopify_topic("customers/create"),
        False,
        "topic-prefix-differs",
    ),
    case(
        {"detail": {"metadata": {"X-Shopify-Topic": ["orders/create", "orders/paid"]}}},
        shopify_topic("orders/paid"),
        True,
        "one-of-topics",
    ),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), EXACT_CASES)
def test_exact_values(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), ARRAY_CASES)
def test_arrays(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), PREFIX_SUFFIX_CASES)
def test_prefix_and_suffix(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), IGNORE_CASE_AND_WILDCARD_CASES)
def test_equals_ignore_case_and_wildcard(
    pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), ANYTHING_BUT_CASES)
def test_anything_but(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), NUMERIC_CASES)
def test_numeric(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), EXISTS_CASES)
def test_exists(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), CIDR_CASES)
def test_cidr(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), OR_CASES)
def test_or(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), COMPLEX_CASES)
def test_combined_operators(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(("pattern", "event", "expected"), SHOPIFY_CASES)
def test_shopify_over_eventbridge(
    pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    assert matches(pattern, event) is expected


VALID_PATTERNS = [
    pytest.param(SHOPIFY_TOPIC_PATTERN, id="shopify"),
    pytest.param(COMPLEX_PATTERN, id="complex"),
    pytest.param({"n": [{"numeric": ["=", 5]}]}, id="numeric-equals"),
    pytest.param({"n": [{"numeric": [">=", 0, "<", 1]}]}, id="numeric-range"),
    pytest.param({"n": [{"numeric": ["<=", -5]}]}, id="numeric-upper-only"),
    pytest.param({"k": [None, True, False, 0, "", "x"]}, id="all-json-scalars"),
    pytest.param({"k": [{"anything-but": {"prefix": ["a", "b"]}}]}, id="anything-but-prefixes"),
    pytest.param({"k": [{"wildcard": "a\\*b\\\\c*"}]}, id="wildcard-escapes"),
    pytest.param({"ip": [{"cidr": "2001:db8::/32"}]}, id="cidr-ipv6"),
    pytest.param({"$or": [{"a": ["x"]}, {"b": {"c": ["y"]}}]}, id="or-top-level"),
]


@pytest.mark.parametrize("pattern", VALID_PATTERNS)
def test_validate_accepts(pattern: dict[str, Any]) -> None:
    validate(pattern)


INVALID_PATTERNS = [
    (
        {"detail": {"metadata": {"X-Shopify-Topic": [{"prefix": 5}]}}},
        'detail.metadata.X-Shopify-Topic: "prefix" expects a string or {"equals-ignore-case": ...}',
    ),
    ({}, "<pattern>: empty objects"),
    ({"detail": {}}, "detail: empty objects"),
    ({"source": "aws.ec2"}, "source: must be an object or an array"),
    ({"source": 5}, "source: must be an object or an array"),
    ({"source": []}, "source: empty arrays"),
    ({"source": [["aws.ec2"]]}, "source: values must be"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "a: an operator object takes one key"),
    ({"a": [{}]}, "a: an operator object takes one key"),
    ({"a": [{"contains": "x"}]}, 'a: unknown operator "contains"'),
    ({"a": [{"prefix": {"equals-ignore-case": 5}}]}, 'a: "prefix" expects'),
    ({"a": [{"prefix": {"wildcard": "x*"}}]}, 'a: "prefix" expects'),
    ({"a": [{"suffix": None}]}, 'a: "suffix" expects'),
    ({"a": [{"equals-ignore-case": ["x"]}]}, 'a: "equals-ignore-case" expects a string'),
    ({"a": [{"wildcard": 5}]}, 'a: "wildcard" expects a string'),
    ({"a": [{"wildcard": "a**b"}]}, 'a: "wildcard" expects no consecutive'),
    ({"a": [{"wildcard": "a\\b"}]}, 'a: "wildcard" expects a backslash only'),
    ({"a": [{"wildcard": "a\\"}]}, 'a: "wildcard" expects a backslash only'),
    ({"a": [{"numeric": "5"}]}, 'a: "numeric" expects'),
    ({"a": [{"numeric": []}]}, 'a: "numeric" expects'),
    ({"a": [{"numeric": ["<", 10, ">", 0]}]}, 'a: "numeric" expects'),
    ({"a": [{"numeric": [">", 5, "<", 5]}]}, 'a: "numeric" expects a lower bound below'),
    ({"a": [{"numeric": ["=", "5"]}]}, 'a: "numeric" expects numbers'),
    ({"a": [{"numeric": ["=", True]}]}, 'a: "numeric" expects numbers'),
    ({"a": [{"numeric": ["==", 5]}]}, 'a: "numeric" expects'),
    ({"a": [{"numeric": [">", 0, "<=", 5, "<", 3]}]}, 'a: "numeric" expects'),
    ({"a": [{"exists": "true"}]}, 'a: "exists" expects true or false'),
    ({"a": [{"exists": 1}]}, 'a: "exists" expects true or false'),
    ({"a": [{"cidr": "10.0.0.0"}]}, 'a: "cidr" expects'),
    ({"a": [{"cidr": "10.0.0.0/33"}]}, 'a: "cidr" expects'),
    ({"a": [{"cidr": "10.0.0.0/-1"}]}, 'a: "cidr" expects'),
    ({"a": [{"cidr": "example.com/8"}]}, 'a: "cidr" expects'),
    ({"a": [{"cidr": 10}]}, 'a: "cidr" expects'),
    ({"a": [{"anything-but": []}]}, 'a: "anything-but" expects'),
    ({"a": [{"anything-but": ["x", 1]}]}, 'a: "anything-but" expects'),
    ({"a": [{"anything-but": None}]}, 'a: "anything-but" expects'),
    ({"a": [{"anything-but": True}]}, 'a: "anything-but" expects'),
    ({"a": [{"anything-but": [None]}]}, 'a: "anything-but" expects'),
    ({"a": [{"anything-but": {"contains": "x"}}]}, 'a: "anything-but" expects an object'),
    ({"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}, 'a: "anything-but" expects'),
    ({"a": [{"anything-but": {"prefix": ""}}]}, 'a: "anything-but/prefix" expects non-empty'),
    ({"a": [{"anything-but": {"suffix": 5}}]}, 'a: "anything-but/suffix" expects a string'),
    ({"a": [{"anything-but": {"wildcard": "x**"}}]}, 'a: "anything-but/wildcard" expects'),
    ({"$or": {"a": ["x"]}}, '$or: "$or" expects an array'),
    ({"$or": [{"a": ["x"]}]}, '$or: "$or" expects an array of at least two'),
    ({"$or": [{"a": ["x"]}, "b"]}, '$or[1]: "$or" expects'),
    ({"$or": [{"a": ["x"]}, {}]}, "$or[1]: empty objects"),
    ({"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}, '$or[0].prefix: "prefix" is an operator'),
    (
        {"detail": {"$or": [{"a": ["x"]}, {"b": [{"numeric": [">"]}]}]}},
        'detail.$or[1].b: "numeric" expects',
    ),
]


@pytest.mark.parametrize(("pattern", "message"), INVALID_PATTERNS)
def test_validate_rejects_with_path(pattern: dict[str, Any], message: str) -> None:
    with pytest.raises(PatternError) as raised:
        validate(pattern)
    assert str(raised.value).startswith(message)


def test_pattern_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^source: empty arrays"):
        validate({"source": []})


def test_pattern_must_be_an_object() -> None:
    with pytest.raises(PatternError, match=r"^<pattern>: an event pattern must be a JSON object"):
        validate(cast(Any, [{"source": ["aws.ec2"]}]))


def test_matches_rejects_an_invalid_pattern_instead_of_never_firing() -> None:
    with pytest.raises(PatternError, match=r'^detail\.state: unknown operator "contains"'):
        matches({"detail": {"state": [{"contains": "run"}]}}, EC2_EVENT)


def test_matching_leaves_pattern_and_event_unchanged() -> None:
    pattern = copy.deepcopy(COMPLEX_PATTERN)
    event = copy.deepcopy(EC2_EVENT)
    assert matches(pattern, event)
    assert pattern == COMPLEX_PATTERN
    assert event == EC2_EVENT


# Event Ruler's own test cases, re-expressed (each comment names the Java test it comes from) --

# The pattern of ByteMachineTest.testEqualsIgnoreCaseManyCharactersWithDifferentByteLength...:
# characters whose other case is longer ("ΰ" is "Ϋ́" upper-cased) and a Kelvin sign, whose
# lower case is the Latin "k".
GREEK = "\u03b0\u0240\u0250\u0390\u03b0\u1fc6\u212a"
ROAD = "\u039f\u0394\u039f\u03a3"
ROAD_SMALL_SIGMA = "\u03bf\u03b4\u03bf\u03c3"
ROAD_FINAL_SIGMA = "\u03bf\u03b4\u03bf\u03c2"
DOTLESS_I = "\u0131"

RULER_IGNORE_CASE_CASES = [
    # ByteMachineTest.testEqualsIgnoreCasePattern
    case({"k": [{"equals-ignore-case": "jAVa"}]}, {"k": "JaVa"}, True, "mixed-case"),
    case({"k": [{"equals-ignore-case": "jAVa"}]}, {"k": "javax"}, False, "longer"),
    # ByteMachineTest.testEqualsIgnoreCasePatternNonLetterCharacters
    case(
        {"k": [{"equals-ignore-case": "1#$^sS我ŐaBc"}]},
        {"k": "1#$^Ss我ŐAbC"},
        True,
        "non-letters-as-written",
    ),
    case(
        {"k": [{"equals-ignore-case": "1#$^sS我ŐaBc"}]},
        {"k": "1#$^sS我ŏaBc"},
        False,
        "other-letter-with-a-mark",
    ),
    # ByteMachineTest.testEqualsIgnoreCaseLowerCaseCharacterWithDifferentByteLengthForUpperCase
    case({"k": [{"equals-ignore-case": "12ⱥ34"}]}, {"k": "12Ⱥ34"}, True, "longer-upper-case"),
    case({"k": [{"equals-ignore-case": "12ⱥ34"}]}, {"k": "12A34"}, False, "no-accent-folding"),
    # ByteMachineTest.testEqualsIgnoreCaseManyCharactersWithDifferentByteLength...
    *(
        case({"k": [{"equals-ignore-case": GREEK}]}, {"k": text}, True, f"full-mapping-{index}")
        for index, text in enumerate(
            [
                "\u03a5\u0308\u0301\u0240\u2c6f\u0390\u03a5\u0308\u0301\u0397\u0342k",
                "\u03b0\u2c7f\u0250\u0399\u0308\u0301\u03b0\u1fc6\u212a",
                "\u03a5\u0308\u0301\u2c7f\u2c6f\u0399\u0308\u0301\u03a5\u0308\u0301\u1fc6k",
                "\u03b0\u0240\u0250\u0390\u03b0\u0397\u0342\u212a",
            ]
        )
    ),
    *(
        case({"k": [{"equals-ignore-case": GREEK}]}, {"k": text}, False, f"full-mapping-miss-{i}")
        for i, text in enumerate(
            [
                "\u03a5\u0308\u0301\u023f\u2c6f\u0390\u03a5\u0308\u0301\u0397\u0342k",
                "\u03b0\u2c7e\u0250\u0399\u0308\u0301\u03b0\u1fc6\u212a",
            ]
        )
    ),
    # EqualsIgnoreCaseParser.parse: each pattern character stands for its toLowerCase(ROOT)
    # or its toUpperCase(ROOT) form, and the event's text is not case-mapped.
    case({"k": [{"equals-ignore-case": "Straße"}]}, {"k": "STRASSE"}, True, "sharp-s-upper-is-SS"),
    case({"k": [{"equals-ignore-case": "Straße"}]}, {"k": "strasse"}, False, "sharp-s-not-ss"),
    case({"k": [{"equals-ignore-case": "k"}]}, {"k": "\u212a"}, False, "kelvin-sign-not-k"),
    # "ΟΔΟΣ" (road): its capital sigma is a small sigma lower-cased, never the final one.
    case({"k": [{"equals-ignore-case": ROAD}]}, {"k": ROAD_SMALL_SIGMA}, True, "sigma-lower"),
    case({"k": [{"equals-ignore-case": ROAD}]}, {"k": ROAD_FINAL_SIGMA}, False, "not-final-sigma"),
    case({"k": [{"equals-ignore-case": ROAD_FINAL_SIGMA}]}, {"k": ROAD}, True, "final-sigma-upper"),
    case({"k": [{"equals-ignore-case": DOTLESS_I}]}, {"k": "I"}, True, "dotless-i-upper-is-I"),
    case({"k": [{"equals-ignore-case": "I"}]}, {"k": DOTLESS_I}, False, "I-lower-is-i"),
    case({"k": [{"equals-ignore-case": "İ"}]}, {"k": "i\u0307"}, True, "dotted-I-lower"),
    case({"k": [{"equals-ignore-case": "İ"}]}, {"k": "i"}, False, "dotted-I-not-i"),
    # Ruler maps UTF-16 units one at a time, so a letter beyond the BMP has no other case.
    case({"k": [{"equals-ignore-case": "\U00010400"}]}, {"k": "\U00010428"}, False, "beyond-bmp"),
    # ByteMachineTest.testPrefixEqualsIgnoreCasePattern and the suffix parser's counterpart
    case(
        {"k": [{"prefix": {"equals-ignore-case": "straße"}}]},
        {"k": "STRASSE 12"},
        True,
        "prefix-sharp-s",
    ),
    case(
        {"k": [{"prefix": {"equals-ignore-case": ROAD}}]},
        {"k": f"{ROAD_FINAL_SIGMA} 5"},
        False,
        "prefix-final-sigma",
    ),
    case({"k": [{"suffix": {"equals-ignore-case": "ße"}}]}, {"k": "STRASSE"}, True, "suffix-SS"),
    case(
        {"k": [{"suffix": {"equals-ignore-case": "k"}}]}, {"k": "5\u212a"}, False, "suffix-kelvin"
    ),
    # RulerTest anything-but/equals-ignore-case, with the same per-character mapping
    case({"k": [{"anything-but": {"equals-ignore-case": ["ß"]}}]}, {"k": "SS"}, False, "ab-SS"),
    case({"k": [{"anything-but": {"equals-ignore-case": ["ß"]}}]}, {"k": "ss"}, True, "ab-ss"),
]

RULER_IP_CASES = [
    # MachineTest.testIPAddressOfCIDRIsEqualToMaximumOfRange: host bits are masked off
    case({"ip": [{"cidr": "220.160.153.171/31"}]}, {"ip": "220.160.153.170"}, True, "masked-31"),
    case({"ip": [{"cidr": "220.160.153.171/31"}]}, {"ip": "220.160.153.171"}, True, "given-31"),
    case({"ip": [{"cidr": "220.160.153.171/31"}]}, {"ip": "220.160.153.169"}, False, "below-31"),
    case({"ip": [{"cidr": "220.160.153.171/31"}]}, {"ip": "220.160.153.172"}, False, "above-31"),
    case({"ip": [{"cidr": "220.160.154.255/24"}]}, {"ip": "220.160.154.0"}, True, "masked-24"),
    case({"ip": [{"cidr": "220.160.154.255/24"}]}, {"ip": "220.160.153.255"}, False, "below-24"),
    # CIDRTest.TestCorrectRanges
    case({"ip": [{"cidr": "10.0.0.5/24"}]}, {"ip": "10.0.0.0"}, True, "network-address"),
    case({"ip": [{"cidr": "54.240.196.171/24"}]}, {"ip": "54.240.196.0"}, True, "range-floor"),
    case({"ip": [{"cidr": "2001:db8::ff00:42:8329/24"}]}, {"ip": "2001:d00::"}, True, "v6-floor"),
    case({"ip": [{"cidr": "2001:db8::ff00:42:8329/24"}]}, {"ip": "2001:e00::"}, False, "v6-out"),
    case(
        {"ip": [{"cidr": "2400:6500:FF00::36FB:1F80/122"}]},
        {"ip": "2400:6500:ff00::36fb:1fbf"},
        True,
        "v6-top",
    ),
    case(
        {"ip": [{"cidr": "2400:6500:FF00::36FB:1F80/122"}]},
        {"ip": "2400:6500:ff00::36fb:1fc0"},
        False,
        "v6-past-top",
    ),
    case({"ip": [{"cidr": "0.0.0.0/0"}]}, {"ip": "255.255.255.255"}, True, "whole-v4-space"),
    # CIDR.ipToBytes: Java's InetAddress reads an IPv4-mapped IPv6 address as IPv4, and only
    # dotted-quad or hex-and-colons text is taken for an address.
    case({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "::ffff:a00:1"}, True, "v4-mapped"),
    case({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "::ffff:10.0.0.1"}, False, "dotted-v6"),
    # MachineTest.testIpExactMatch: an address written as a value matches that address
    case(
        {"ip": ["2400:6500:FF00::36FB:1F80"]},
        {"ip": "2400:6500:ff00:0:0:0:36fb:1f80"},
        True,
        "value-other-v6-spelling",
    ),
    case({"ip": ["::a"]}, {"ip": "0:0:0:0:0:0:0:A"}, True, "value-v6-expanded"),
    case({"ip": ["::0"]}, {"ip": "::"}, True, "value-v6-zero"),
    case({"ip": ["2400:6500:FF00::36FB:1F8F"]}, {"ip": "2400:6500:FF00::36FB:1F8E"}, False, "v6-1"),
    case({"ip": ["54.240.196.255"]}, {"ip": "54.240.196.254"}, False, "value-v4-neighbour"),
    case({"ip": ["10.0.0.1"]}, {"ip": "::ffff:a00:1"}, True, "value-v4-mapped"),
    # CIDRTest.testInvalidIPMatchedByIPv6Regex: not an address, so compared as text
    case({"a": ["08:23"]}, {"a": "08:23"}, True, "address-shaped-text"),
    # MachineTest.testCIDRRuleWithMatchingAnythingButEqualsIgnoreCaseRule
    case(
        {"ip": [{"anything-but": {"equals-ignore-case": "10.0.1.200"}}]},
        {"ip": "10.0.1.200"},
        False,
        "anything-but-address",
    ),
    # JsonRuleCompiler: {"exactly": ...} compares the text as written, addresses included
    case({"ip": [{"exactly": "2001:db8::1"}]}, {"ip": "2001:DB8::1"}, False, "exactly-is-text"),
    case({"ip": [{"exactly": "2001:db8::1"}]}, {"ip": "2001:db8::1"}, True, "exactly-same"),
    case({"a": [{"exactly": "5"}]}, {"a": 5}, False, "exactly-strings-only"),
]

RULER_NUMERIC_CASES = [
    # ComparableNumber.generate: a number a double cannot hold exactly is not compared
    case({"n": [{"numeric": [">", 0]}]}, {"n": 2**64 + 1}, False, "beyond-double-precision"),
    case({"n": [{"numeric": [">", 0]}]}, {"n": 2**64}, True, "exact-power-of-two"),
    # JsonRuleCompilerTest.testBigNumbers
    case({"account": [123456789012]}, {"account": 123456789012}, True, "account-number"),
]


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [*RULER_IGNORE_CASE_CASES, *RULER_IP_CASES, *RULER_NUMERIC_CASES],
)
def test_matches_as_event_ruler(
    pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    assert matches(pattern, event) is expected


# JsonRuleCompilerTest.testCompile / testNumericExpressions and CIDRTest.SpotMalformedCIDRs;
# numbers parsed from JSON text, as a template's pattern is.
RULER_REJECTED = [
    ({"a": [{"exactly": 33}]}, 'a: "exactly" expects a string'),
    ({"a": [{"cidr": "192.168.0.1/33"}]}, 'a: "cidr" expects IPv4 mask bits from 0 to 31'),
    ({"a": [{"cidr": "10.0.0.0/32"}]}, 'a: "cidr" expects IPv4 mask bits from 0 to 31'),
    ({"a": [{"cidr": "2001:db8::/128"}]}, 'a: "cidr" expects IPv6 mask bits from 0 to 127'),
    ({"a": [{"cidr": "2400:6500:FF00::36FB:1F80/222"}]}, 'a: "cidr" expects IPv6 mask bits'),
    ({"a": [{"cidr": "10.0.0.0/"}]}, 'a: "cidr" expects an IP address block'),
    ({"a": [{"cidr": "10.10.10.10.10/3"}]}, 'a: "cidr" expects an IP address block'),
    ({"a": [{"cidr": "::ffff:10.0.0.1/8"}]}, 'a: "cidr" expects an IP address block'),
    (json.loads('{"x": [{"numeric": ["=", 1E309]}]}'), 'x: "numeric" expects numbers'),
    (json.loads('{"x": [{"numeric": ["<", 2.0e422]}]}'), 'x: "numeric" expects numbers'),
    (json.loads('{"x": [{"numeric": [">", 18446744073709551617]}]}'), 'x: "numeric" expects'),
    (json.loads('{"x": [{"anything-but": [1, 1E309]}]}'), 'x: "anything-but" expects'),
    ({"$or": [{"regex": ["x"]}, {"b": ["y"]}]}, '$or[0].regex: "regex" is an operator'),
    ({"$or": [{"a": ["x"]}, {"in-date-range": ["y"]}]}, '$or[1].in-date-range: "in-date-range"'),
]


@pytest.mark.parametrize(("pattern", "message"), RULER_REJECTED)
def test_rejects_what_event_ruler_rejects(pattern: dict[str, Any], message: str) -> None:
    with pytest.raises(PatternError) as raised:
        validate(pattern)
    assert str(raised.value).startswith(message)


# JsonRuleCompilerTest.testCompile and testNumericExpressions: patterns Ruler accepts.
RULER_ACCEPTED = [
    pytest.param({"a": [{"exactly": "child"}]}, id="exactly"),
    pytest.param({"a": [{"cidr": "10.0.0.5/24"}]}, id="cidr-with-host-bits"),
    pytest.param({"a": [{"cidr": "0.0.0.0/0"}]}, id="cidr-everything"),
    pytest.param({"a": [{"anything-but": {"equals-ignore-case": ["abc", ""]}}]}, id="ab-eic-empty"),
    pytest.param({"a": [{"anything-but": {"wildcard": ""}}]}, id="ab-wildcard-empty"),
    pytest.param(json.loads('{"x": [{"numeric": ["=", 1E-320]}]}'), id="numeric-subnormal"),
    pytest.param({"x": [{"numeric": [">=", 0, "<=", 1]}]}, id="numeric-closed-range"),
]


@pytest.mark.parametrize("pattern", RULER_ACCEPTED)
def test_accepts_what_event_ruler_accepts(pattern: dict[str, Any]) -> None:
    validate(pattern)
