"""A consent change and its ledger entries are stored together or not at all.

DynamoDB refusing the ledger write (throttling, an outage of the table) must leave the
profile as it was, so that the retry, seeing the same difference, records both.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from tailor import aws, consent
from tailor.links import PREFERENCES_PURPOSE, signer_from_secret
from tailor.profiles import Profiles

from tests.helpers.events import load_event, url_request

MIDDAY = "2026-11-20T12:00:00+00:00"
SUSIE = "susie@example.com"  # the address in the SES feedback events
LEDGER = "ConsentLedgerTable"


@pytest.fixture(autouse=True)
def daytime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAILOR_NOW", MIDDAY)


def _ledger_refusal(operation: str, params: dict[str, Any]) -> ClientError | None:
    """What DynamoDB does when the ledger table throttles: a PutItem fails, and a
    transaction holding a ledger write is cancelled as a whole."""
    if operation == "PutItem" and params.get("TableName") == LEDGER:
        error = {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}
        return ClientError({"Error": error}, operation)
    if operation != "TransactWriteItems":
        return None
    tables = [next(iter(item.values()))["TableName"] for item in params["TransactItems"]]
    if LEDGER not in tables:
        return None
    reasons = [{"Code": "ProvisionedThroughputExceeded" if t == LEDGER else "None"} for t in tables]
    response: dict[str, Any] = {
        "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
        "CancellationReasons": reasons,
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


class LedgerOutage:
    """While on, every write reaching the consent ledger fails as DynamoDB would fail it,
    whichever client makes it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self._real = BaseClient._make_api_call

    def start(self) -> None:
        real = self._real

        def call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            refusal = _ledger_refusal(operation, params)
            if refusal is not None:
                raise refusal
            return real(client, operation, params)

        self._monkeypatch.setattr(BaseClient, "_make_api_call", call)

    def end(self) -> None:
        self._monkeypatch.setattr(BaseClient, "_make_api_call", self._real)


@pytest.fixture
def outage(cloud: Any, monkeypatch: pytest.MonkeyPatch) -> LedgerOutage:
    return LedgerOutage(monkeypatch)


def subscribed(email: str = SUSIE) -> None:
    Profiles("ProfilesTable").update(
        email,
        lambda p: consent.change(
            p, [consent.NEWSLETTER], "subscribed", "double_opt_in", opt_in_level="confirmed_opt_in"
        ),
    )


def stored(email: str = SUSIE) -> dict[str, Any]:
    return aws.table("ProfilesTable").get_item(Key={"email": email}).get("Item") or {}


def ledger(email: str = SUSIE) -> list[tuple[str, str, str]]:
    items = aws.table(LEDGER).query(
        KeyConditionExpression="email = :e", ExpressionAttributeValues={":e": email}
    )["Items"]
    return sorted((i["topic"], i["state"], i["source"]) for i in items)


def fails_then_records(outage: LedgerOutage, attempt: Any, email: str = SUSIE) -> None:
    """The attempt fails while the ledger is down and leaves the profile as it was."""
    before = stored(email)
    recorded = ledger(email)
    outage.start()
    with pytest.raises(Exception, match="ProvisionedThroughputExceeded"):
        attempt()
    outage.end()
    assert stored(email) == before
    assert ledger(email) == recorded
    attempt()  # the retry, once the table is back


def test_a_complaint_is_suppressed_only_with_its_record(run: Any, outage: LedgerOutage) -> None:
    subscribed()
    complaint = load_event("ses/complaint.json")

    fails_then_records(outage, lambda: run("SesFeedbackFunction", complaint))

    assert stored()["suppressed"] == "complaint"
    assert {c["state"] for c in stored()["consent"].values()} == {"unsubscribed"}
    assert ledger() == sorted((topic, "unsubscribed", "complaint") for topic in consent.TOPICS)


def test_a_one_click_unsubscribe_is_stored_only_with_its_record(
    run: Any, outage: LedgerOutage
) -> None:
    subscribed()
    token = signer_from_secret("LinkSigningSecret").sign(
        PREFERENCES_PURPOSE, {"e": SUSIE, "t": consent.NEWSLETTER}
    )
    one_click = url_request(
        "/unsubscribe", {"t": token}, method="POST", body="List-Unsubscribe=One-Click"
    )

    fails_then_records(outage, lambda: run("PreferencesFunction", one_click))

    assert stored()["consent"]["newsletter"]["state"] == "unsubscribed"
    assert ledger() == [("newsletter", "unsubscribed", "unsubscribe_header")]


def test_a_subscription_from_shopify_is_stored_only_with_its_record(
    run: Any, outage: LedgerOutage
) -> None:
    event = load_event("shopify/customers-create.json")
    email = event["detail"]["payload"]["email"].lower()

    fails_then_records(outage, lambda: run("ProfileSyncFunction", event), email)

    assert stored(email)["consent"]["newsletter"]["state"] == "subscribed"
    assert ledger(email) == [("newsletter", "subscribed", "shopify")]
