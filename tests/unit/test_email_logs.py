"""What an email writes to CloudWatch Logs, which bills by the byte: one line an operator
reads (the email sent, skipped, deferred or failed, with its type and reason) and its count
under its stream, the metric the health dashboard reads, published once per invocation;
never an address or name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tailor.mail import Mailer
from tailor_local.invoke import run_handler
from tailor_local.template import Template

from tests.helpers.alerts_shop import Shop, open_shop
from tests.helpers.events import load_event
from tests.helpers.orders import stock_the_shop


def lines(logs: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(log lines, EMF metric documents) of one invocation's output."""
    parsed = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    return (
        [line for line in parsed if "_aws" not in line],
        [line for line in parsed if "_aws" in line],
    )


def test_a_sent_email_logs_one_line_and_one_metric_document(cloud: Template, run: Any) -> None:
    stock_the_shop(run)
    order = load_event("shopify/orders-create.json")

    outcome = run_handler(cloud.function("OrderConfirmationFunction"), order)

    assert outcome.ok
    logged, documents = lines(outcome.logs)
    assert [(line["message"], line["email_type"]) for line in logged] == [
        ("email sent", "order_confirmation")
    ]
    assert logged[0]["ses_message_id"] == outcome.result["ses_message_id"]
    assert logged[0]["correlation_id"] == str(order["detail"]["payload"]["id"])
    [document] = documents
    [directive] = document["_aws"]["CloudWatchMetrics"]
    # What the health dashboard searches: {Tailor,stream}; per type, the log line says it.
    assert directive["Namespace"] == "Tailor"
    assert directive["Dimensions"] == [["stream"]]
    assert directive["Metrics"] == [{"Name": "EmailsSent", "Unit": "Count"}]
    assert (document["stream"], document["EmailsSent"]) == ("transactional", 1)
    assert "email_type" not in document and "service" not in document
    customer = order["detail"]["payload"]["customer"]
    for private in (order["detail"]["payload"]["email"], customer["first_name"]):
        assert private not in outcome.logs


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 2})
    return shop


def test_an_invocation_counts_its_emails_of_a_stream_in_one_metric_document(shop: Shop) -> None:
    for email in ("alex@example.com", "sam@example.com", "kim@example.com"):
        shop.customer(email, shoes="12", first_name="Alex")
        shop.back_in_stock(email, "12")

    restocked = shop.oxford({"11": 4, "12": 3, "13": 2})

    [sender] = [i for i in restocked.invocations if i.function_id == "AlertsSenderFunction"]
    logged, documents = lines(sender.outcome.logs)
    assert [line["message"] for line in logged].count("email sent") == 3
    counted = [d for d in documents if "EmailsSent" in d]
    assert [(d["stream"], d["EmailsSent"]) for d in counted] == [("marketing", 3)]
    assert "@example.com" not in sender.outcome.logs


def test_an_email_ses_refused_logs_its_type_and_error_but_not_the_address(
    cloud: Template, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock_the_shop(run)
    order = load_event("shopify/orders-create.json")
    address = order["detail"]["payload"]["email"]
    refusal = {"Error": {"Code": "MessageRejected", "Message": f"{address} is not verified"}}

    def refused(*_: Any, **__: Any) -> Any:
        raise ClientError(refusal, "SendEmail")

    monkeypatch.setattr(Mailer, "send", refused)

    outcome = run_handler(cloud.function("OrderConfirmationFunction"), order)

    assert not outcome.ok and outcome.error_type == "ClientError"
    logged, documents = lines(outcome.logs)
    assert [(line["message"], line["email_type"], line["error"]) for line in logged] == [
        ("email failed", "order_confirmation", "MessageRejected")
    ]
    # Counted under its stream, for the dashboard's failures; the line says which type.
    assert [(d["stream"], d["EmailsFailed"]) for d in documents] == [("transactional", 1)]
    assert [d["_aws"]["CloudWatchMetrics"][0]["Dimensions"] for d in documents] == [[["stream"]]]
    assert address not in outcome.logs
    # What Lambda logs of the uncaught error, and hands to the on-failure destination.
    reported = json.dumps(outcome.error_payload())
    assert "MessageRejected" in reported and "SendEmail" in reported
    assert address not in reported


def test_a_skipped_email_logs_its_type_and_reason_and_publishes_no_metric(shop: Shop) -> None:
    shop.customer("susie@example.com", shoes="13", topics=())  # no consent for anything
    shop.wish("susie@example.com")

    dropped = shop.oxford({"11": 4, "12": 0, "13": 2}, price="159.00")

    [sender] = [i for i in dropped.invocations if i.function_id == "AlertsSenderFunction"]
    logged, documents = lines(sender.outcome.logs)
    skips = [line for line in logged if line["message"] == "email skipped"]
    assert [(line["email_type"], line["reason"]) for line in skips] == [
        ("price_drop", "no consent for price_drops")
    ]
    assert documents == []
