"""What an email costs on AWS, from what `make bench` measured and AWS's public prices.

The inputs are measured per email type (`bench/cost-basis.json`, rewritten by `make bench`):
the AWS calls one email makes (by operation, with the items DynamoDB bills for), its billed
Lambda duration, the function's memory in template.yaml, the invocations and log bytes per
email. The prices, their sources and the date they were read are in `bench/prices.json`,
with the Shopify Email and Klaviyo prices the README sets beside a month's bill. The README's
"What it costs" tables are generated here (`make bench`; a test checks they match).

    python -m tailor_local.costs README.md   # rewrite the README's tables from the files
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tailor.email_types import EMAIL_TYPES

from tailor_local.template import REPO_ROOT

PRICES = REPO_ROOT / "bench" / "prices.json"
BASIS = REPO_ROOT / "bench" / "cost-basis.json"
SHOP_SIZES = (10_000, 100_000, 1_000_000)

# DynamoDB bills on-demand requests in units: a write of an item up to 1 KB is one write
# unit (two in a transaction), a strongly consistent read up to 4 KB one read unit (two in a
# transaction). Tailor's items are small; a read is counted as strongly consistent.
_WRITE_UNITS = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1, "BatchWriteItem": 1}
_READ_UNITS = {"GetItem": 1, "Query": 1, "Scan": 1, "BatchGetItem": 1}
_PER_ITEM = {"BatchWriteItem", "BatchGetItem", "TransactWriteItems", "TransactGetItems"}
_S3_GETS = {"GetObject", "HeadObject"}


@dataclass(frozen=True)
class EmailCost:
    """Dollars per email of one type, by what charges for it."""

    parts: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.parts.values())

    @property
    def overhead_vs_ses(self) -> float:
        """Everything but SES, as a share of SES's own price."""
        return (self.total - self.parts["ses"]) / self.parts["ses"]


def email_cost(basis: dict[str, Any], prices: dict[str, Any]) -> EmailCost:
    """The cost of one email from its measured basis (see the module's docstring)."""
    aws = prices["aws"]
    parts = dict.fromkeys(
        ("ses", "lambda", "dynamodb", "sqs", "eventbridge", "scheduler", "s3", "logs"), 0.0
    )
    items = basis["items_per_email"]
    for name, count in basis["calls_per_email"].items():
        service, operation = name.split(".", 1)
        units = items.get(name, count) if operation in _PER_ITEM else count
        if service == "dynamodb":
            if operation.startswith("Transact"):
                price = aws["dynamodb_on_demand_per_million_" + _transact(operation)] * 2
            elif operation in _WRITE_UNITS:
                price = aws["dynamodb_on_demand_per_million_write_units"]
            elif operation in _READ_UNITS:
                price = aws["dynamodb_on_demand_per_million_read_units"]
            else:
                continue  # table management: not on an email's path
            parts["dynamodb"] += units * price / 1e6
        elif service in ("sesv2", "ses"):
            parts["ses"] += count * aws["ses_per_1000_emails"] / 1000
        elif service == "sqs":
            parts["sqs"] += count * aws["sqs_standard_per_million_requests"] / 1e6
        elif service == "events":
            parts["eventbridge"] += count * aws["eventbridge_per_million_events"] / 1e6
        elif service == "scheduler" and operation == "CreateSchedule":
            parts["scheduler"] += count * aws["scheduler_per_million_invocations"] / 1e6
        elif service == "s3":
            per_1000 = aws["s3_per_1000_get" if operation in _S3_GETS else "s3_per_1000_put_list"]
            parts["s3"] += count * per_1000 / 1000
    gb_seconds = basis["billed_ms_per_email"] / 1000 * basis["memory_mb"] / 1024
    parts["lambda"] = (
        gb_seconds * aws["lambda_arm64_per_gb_second"]
        + basis["invocations_per_email"] * aws["lambda_per_million_requests"] / 1e6
    )
    log_bytes = (
        basis["log_bytes_per_email"]
        + basis["invocations_per_email"] * prices["lambda_platform_log_bytes_per_invocation"]
    )
    parts["logs"] = log_bytes / 1e9 * aws["cloudwatch_logs_per_gb_ingested"]
    return EmailCost(parts)


def _transact(operation: str) -> str:
    return "write_units" if operation == "TransactWriteItems" else "read_units"


def shopify_email(emails: int, anchor: dict[str, Any]) -> float:
    """Shopify Email's monthly charge: free emails, then dollars per 1,000 in tiers."""
    cost, counted = 0.0, anchor["free_emails_per_month"]
    for up_to, per_1000 in anchor["per_1000_tiers"]:
        top = emails if up_to is None else min(emails, up_to)
        if top > counted:
            cost += (top - counted) * per_1000 / 1000
            counted = top
    return cost


@dataclass(frozen=True)
class Bill:
    per_type: dict[str, EmailCost]
    prices: dict[str, Any]

    @property
    def mean_per_email(self) -> float:
        return statistics.fmean(cost.total for cost in self.per_type.values())

    @property
    def overhead_vs_ses_percent(self) -> float:
        """Everything but SES over SES, for the average email of the declared types."""
        ses = statistics.fmean(cost.parts["ses"] for cost in self.per_type.values())
        return (self.mean_per_email - ses) / ses * 100

    def emails_a_month(self, customers: int) -> int:
        return int(customers * self.prices["month"]["emails_per_customer"])

    def monthly(self, customers: int) -> float:
        return self.emails_a_month(customers) * self.mean_per_email


def bill(basis: dict[str, dict[str, Any]], prices: dict[str, Any] | None = None) -> Bill:
    """The bill, its email types in their order of declaration."""
    prices = prices or load(PRICES)
    order = list(EMAIL_TYPES)
    names = sorted(basis, key=lambda name: order.index(name) if name in order else len(order))
    return Bill({name: email_cost(basis[name], prices) for name in names}, prices)


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _usd(amount: float | None) -> str:
    if amount is None:
        return "quoted by sales"
    return f"${amount:,.2f}" if amount < 100 else f"${amount:,.0f}"


def readme_tables(the_bill: Bill) -> str:
    prices = the_bill.prices
    anchors = prices["anchors"]
    per_customer = prices["month"]["emails_per_customer"]
    rows = [
        f"A month at {per_customer} emails per customer ({prices['month']['why']}); AWS "
        f"prices of {prices['read_on']} ({prices['region']}), Shopify Email's and Klaviyo's "
        f"as read on {anchors['shopify_email']['read_on']}:",
        "",
        "| customers | emails a month | Tailor on AWS | of which SES | Shopify Email | Klaviyo |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ses = prices["aws"]["ses_per_1000_emails"]
    for customers in SHOP_SIZES:
        emails = the_bill.emails_a_month(customers)
        klaviyo = anchors["klaviyo"]["monthly_usd_by_profiles"].get(str(customers))
        shopify = shopify_email(emails, anchors["shopify_email"])
        rows.append(
            f"| {customers:,} | {emails:,} | {_usd(the_bill.monthly(customers))} "
            f"| {_usd(emails * ses / 1000)} | {_usd(shopify)} | {_usd(klaviyo)} |"
        )
    rows += [
        "",
        "Per 1,000 emails of each type, and what everything but SES adds to SES's "
        f"${ses:.2f} (goal: 3 %); overall {the_bill.overhead_vs_ses_percent:.1f} %:",
        "",
        "| email | per 1,000 | Lambda | DynamoDB | other | over SES |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, cost in the_bill.per_type.items():
        other = cost.total - cost.parts["ses"] - cost.parts["lambda"] - cost.parts["dynamodb"]
        rows.append(
            f"| `{name}` | ${cost.total * 1000:.4f} | ${cost.parts['lambda'] * 1000:.4f} "
            f"| ${cost.parts['dynamodb'] * 1000:.4f} | ${other * 1000:.4f} "
            f"| {cost.overhead_vs_ses * 100:.1f} % |"
        )
    return "\n".join(rows) + "\n"


README_START = (
    "<!-- costs: generated by `make bench` from bench/cost-basis.json and bench/prices.json -->\n"
)
README_END = "<!-- end of costs -->\n"


def with_readme_tables(readme: str, the_bill: Bill) -> str:
    head, start, rest = readme.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError("README.md has no costs markers")
    return head + start + readme_tables(the_bill) + end + tail


def rewrite_readme(path: Path, the_bill: Bill) -> None:
    path.write_text(with_readme_tables(path.read_text(encoding="utf-8"), the_bill))


if __name__ == "__main__":  # python -m tailor_local.costs README.md
    rewrite_readme(Path(sys.argv[1]), bill(load(BASIS)))
