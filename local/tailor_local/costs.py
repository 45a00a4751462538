"""What an email costs on AWS, from what `make bench` measured and AWS's public prices.

The inputs are measured per email type (`bench/cost-basis.json`, rewritten by `make bench`):
the AWS calls one email makes (by operation, with the items DynamoDB bills for), its billed
Lambda duration, the function's memory in template.yaml, the invocations and log bytes per
email. What the stack costs a month whatever it sends (`Stack`) is read from template.yaml
(secrets, alarms, dashboards), from the code (the custom metrics it publishes, see
`custom_metrics`) and from `bench/stored-basis.json` (the bytes the demo story left in the
tables kept long, rewritten by `make bench`). The prices, their sources and the date they
were read are in `bench/prices.json`, with the Shopify Email and Klaviyo prices the README
sets beside a month's bill. The README's "What it costs" tables are generated here (`make
bench`; a test checks they match).

    python -m tailor_local.costs README.md   # rewrite the README's tables from the files
"""

from __future__ import annotations

import ast
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tailor.email_types import EMAIL_TYPES

from tailor_local.template import REPO_ROOT, Template, local_template

PRICES = REPO_ROOT / "bench" / "prices.json"
BASIS = REPO_ROOT / "bench" / "cost-basis.json"
STORED = REPO_ROOT / "bench" / "stored-basis.json"
SHOP_SIZES = (10_000, 100_000, 1_000_000)
HOURS_A_MONTH = 730
MINUTES_A_MONTH = HOURS_A_MONTH * 60

# DynamoDB bills on-demand requests in units: a write of an item up to 1 KB is one write
# unit (two in a transaction), a strongly consistent read up to 4 KB one read unit (two in a
# transaction, half for an eventually consistent one). Tailor's items are small: the basis
# gives the units per operation (`items_per_email`: items, halved for eventual reads).
_WRITE_UNITS = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1, "BatchWriteItem": 1}
_READ_UNITS = {"GetItem": 1, "Query": 1, "Scan": 1, "BatchGetItem": 1}
_S3_GETS = {"GetObject", "HeadObject"}


@dataclass(frozen=True)
class EmailCost:
    """Dollars per email of one type in a warm container, by what charges for it."""

    parts: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.parts.values())

    @property
    def overhead_vs_ses(self) -> float:
        """Everything but SES, as a share of SES's own price."""
        return (self.total - self.parts["ses"]) / self.parts["ses"]


_PARTS = ("ses", "lambda", "dynamodb", "sqs", "eventbridge", "scheduler", "s3", "secrets", "logs")


def email_cost(basis: dict[str, Any], prices: dict[str, Any]) -> EmailCost:
    """The cost of one email in a warm container, from its measured basis (see the module's
    docstring); what a container costs when it starts is `start_cost`."""
    aws = prices["aws"]
    parts = _priced(basis["calls_per_email"], basis["items_per_email"], aws)
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


def start_cost(basis: dict[str, Any], prices: dict[str, Any]) -> float:
    """Dollars per start of a container of the type's function: its init phase, billed as
    duration at the function's memory, and what a container reads when it starts (the
    signing keys, the shop's copy overrides)."""
    aws = prices["aws"]
    init_gb_seconds = basis.get("init_ms", 0) / 1000 * basis["memory_mb"] / 1024
    init = init_gb_seconds * aws["lambda_arm64_per_gb_second"] if aws["lambda_init_billed"] else 0
    return init + sum(_priced(basis.get("calls_per_start", {}), {}, aws).values())


def _priced(
    calls: dict[str, float], items: dict[str, float], aws: dict[str, Any]
) -> dict[str, float]:
    """Dollars for these calls, by what charges for them (DynamoDB billed per item)."""
    parts = dict.fromkeys(_PARTS, 0.0)
    for name, count in calls.items():
        service, operation = name.split(".", 1)
        if service == "dynamodb":
            units = items.get(name, count)  # per item, a read half a unit when eventual
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
        elif service == "secretsmanager":
            parts["secrets"] += count * aws["secrets_manager_per_10000_calls"] / 10_000
    return parts


def _transact(operation: str) -> str:
    return "write_units" if operation == "TransactWriteItems" else "read_units"


def container_starts(invocations: float, containers: dict[str, Any]) -> float:
    """Container starts in a month of a function invoked `invocations` times at random
    moments: an invocation more than `idle_minutes` after the one before finds no warm
    container, and one kept busy is replaced every `lifetime_hours` (prices.json says why)."""
    if invocations <= 0:
        return 0.0
    cold = math.exp(-invocations / MINUTES_A_MONTH * containers["idle_minutes"])
    # A container is up for the share `1 - cold` of the month, replaced every lifetime (but
    # only by an invocation that finds it up).
    replaced = (1 - cold) * min(invocations, HOURS_A_MONTH / float(containers["lifetime_hours"]))
    return invocations * cold + replaced


def shopify_email(emails: int, anchor: dict[str, Any]) -> float:
    """Shopify Email's monthly charge: free emails, then dollars per 1,000 in tiers."""
    cost, counted = 0.0, anchor["free_emails_per_month"]
    for up_to, per_1000 in anchor["per_1000_tiers"]:
        top = emails if up_to is None else min(emails, up_to)
        if top > counted:
            cost += (top - counted) * per_1000 / 1000
            counted = top
    return cost


# ---------------------------------------------------------------- what the stack costs
# A dimension whose value is the publishing function's service, whichever function that is.
ITS_SERVICE = "(its function's service)"
LAYER = REPO_ROOT / "layers" / "shared" / "tailor"


@dataclass(frozen=True)
class Metric:
    """A custom CloudWatch metric: CloudWatch bills each name and set of dimension values."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]

    @property
    def dimension_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.dimensions)


def custom_metrics(template: Template) -> set[Metric]:
    """Every custom metric the functions may publish, from the code's declarations: the
    emails counted per stream (`tailor.delivery.OUTCOMES` under `DIMENSIONS`, for each stream
    an email type is declared on) and the metrics functions add under their service alone
    (`metrics.add_metric` calls, found in the layer's code)."""
    from tailor.delivery import DIMENSIONS, OUTCOMES

    functions = template.functions()
    [namespace] = {f.environment.get("POWERTOOLS_METRICS_NAMESPACE") for f in functions.values()}
    assert namespace, "template.yaml sets no POWERTOOLS_METRICS_NAMESPACE"
    assert DIMENSIONS == ("stream",), f"the cost model counts emails per stream, not {DIMENSIONS}"
    found = {
        Metric(namespace, outcome, (("stream", kind.stream.value),))
        for kind in EMAIL_TYPES.values()
        for outcome in OUTCOMES
    }
    alone = (("service", ITS_SERVICE),)
    for path in sorted(LAYER.rglob("*.py")):
        found |= {Metric(namespace, name, alone) for name in added_metric_names(path)}
    return found


def added_metric_names(path: Path) -> set[str]:
    """The names a module's `add_metric(name=...)` calls may give: a string, or either of a
    conditional's."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) == "add_metric":
            [given] = [k.value for k in node.keywords if k.arg == "name"]
            names |= _names(given, path)
    return names


def _called(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _names(given: ast.expr, path: Path) -> set[str]:
    if isinstance(given, ast.Constant) and isinstance(given.value, str):
        return {given.value}
    if isinstance(given, ast.IfExp):
        return _names(given.body, path) | _names(given.orelse, path)
    raise ValueError(f"{path}: cannot tell which metric names {ast.unparse(given)} gives")


@dataclass(frozen=True)
class Stack:
    """What the stack costs a month whatever it sends: its secrets, alarms and dashboards
    (template.yaml), its custom metrics, and what its tables keep (`bench/stored-basis.json`:
    each email's click-tracking record, kept `MESSAGE_DAYS`, and each customer's profile and
    consent ledger)."""

    secrets: int
    alarms: int
    dashboards: int
    metrics: frozenset[Metric]
    stored: dict[str, Any]

    @classmethod
    def of(cls, template: Template, stored: dict[str, Any]) -> Stack:
        return cls(
            secrets=len(template.of_type("AWS::SecretsManager::Secret")),
            alarms=len(template.of_type("AWS::CloudWatch::Alarm")),
            dashboards=len(template.of_type("AWS::CloudWatch::Dashboard")),
            metrics=frozenset(custom_metrics(template)),
            stored=stored,
        )

    def metric_months(self, emails: dict[str, float], per_email: dict[str, float]) -> float:
        """The months of metric CloudWatch bills: it prorates each metric by the hours it is
        published in. A stream's counts are published when its emails are sent or fail
        (`per_email` of each metric, at most one), at random hours (Poisson); the functions'
        own metrics are counted for the whole month."""
        months = 0.0
        for metric in self.metrics:
            stream = dict(metric.dimensions).get("stream")
            if stream is None:
                months += 1
            else:
                on_stream = sum(
                    n for name, n in emails.items() if EMAIL_TYPES[name].stream.value == stream
                )
                a_month = on_stream * per_email.get(metric.name, 1.0)
                months += 1 - math.exp(-a_month / HOURS_A_MONTH)
        return months

    def stored_gb(self, emails: dict[str, float], customers: int) -> float:
        """Gigabytes kept once a shop has run longer than a message record is kept."""
        from tailor.attribution.store import MESSAGE_DAYS

        months_kept = MESSAGE_DAYS * 24 / HOURS_A_MONTH
        per_email: dict[str, float] = self.stored["message_bytes_per_email"]
        per_customer: dict[str, float] = self.stored["bytes_per_customer"]
        messages = sum(n * per_email.get(name, 0) for name, n in emails.items()) * months_kept
        return (messages + customers * sum(per_customer.values())) / 1e9

    def monthly(
        self, emails: dict[str, float], customers: int, prices: dict[str, Any]
    ) -> dict[str, float]:
        """Dollars a month, by what charges for it."""
        aws = prices["aws"]
        paid_dashboards = max(
            0,
            self.dashboards
            + prices["dashboards_already_in_account"]
            - aws["cloudwatch_free_dashboards"],
        )
        return {
            "metrics": self.metric_months(emails, prices["month"]["metrics_per_email"])
            * aws["cloudwatch_per_custom_metric_month"],
            "alarms": self.alarms * aws["cloudwatch_per_standard_alarm_month"],
            "dashboards": min(self.dashboards, paid_dashboards)
            * aws["cloudwatch_per_dashboard_month"],
            "secrets": self.secrets * aws["secrets_manager_per_secret_month"],
            "storage": self.stored_gb(emails, customers)
            * (aws["dynamodb_standard_per_gb_month"] + aws["dynamodb_pitr_per_gb_month"]),
        }


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it (typed attribute values, as the low-level client
    returns them): each attribute's name and value."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: dict[str, Any]) -> int:
    [(kind, data)] = value.items()
    if kind == "S":
        return len(str(data).encode())
    if kind == "N":
        digits = str(data).lstrip("-").replace(".", "").strip("0") or "0"
        return 1 + math.ceil(len(digits) / 2)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_bytes(v) for k, v in data.items())
    if kind == "L":
        return 3 + sum(1 + _value_bytes(v) for v in data)
    return sum(_value_bytes({kind[0]: each}) for each in data)  # SS, NS, BS


@dataclass(frozen=True)
class Bill:
    per_type: dict[str, EmailCost]
    basis: dict[str, dict[str, Any]]
    prices: dict[str, Any]
    stack: Stack | None = None  # what is paid whatever is sent; None: the emails alone

    def emails(self, customers: int) -> dict[str, float]:
        """Each type's emails in a month of a shop of `customers` (prices.json's month)."""
        month = self.prices["month"]
        return {
            name: customers * month["emails_per_customer"].get(name, 0.0)
            + month.get("emails_per_shop", {}).get(name, 0.0)
            for name in self.per_type
        }

    def emails_a_month(self, customers: int) -> int:
        return round(sum(self.emails(customers).values()))

    def starts(self, customers: int) -> dict[str, float]:
        """Container starts in a month, per function that sends email."""
        invocations: dict[str, float] = defaultdict(float)
        for name, emails in self.emails(customers).items():
            invocations[self._function(name)] += emails * self.basis[name]["invocations_per_email"]
        containers = self.prices["containers"]
        return {function: container_starts(n, containers) for function, n in invocations.items()}

    def start_share(self, customers: int) -> dict[str, float]:
        """Dollars per email of each type for its function's container starts, shared among
        the function's emails."""
        emails = self.emails(customers)
        by_function: dict[str, float] = defaultdict(float)
        for name, count in emails.items():
            by_function[self._function(name)] += count
        starts = self.starts(customers)
        return {
            name: starts[self._function(name)]
            * start_cost(self.basis[name], self.prices)
            / by_function[self._function(name)]
            if by_function[self._function(name)]
            else 0.0
            for name in self.per_type
        }

    def _function(self, name: str) -> str:
        return str(self.basis[name].get("function", name))

    def monthly(self, customers: int) -> float:
        """The month's bill: the emails, their container starts and the fixed costs."""
        return self.for_emails(customers) + sum(self.fixed(customers).values())

    def for_emails(self, customers: int) -> float:
        share = self.start_share(customers)
        return sum(
            count * (self.per_type[name].total + share[name])
            for name, count in self.emails(customers).items()
        )

    def fixed(self, customers: int) -> dict[str, float]:
        """What the stack costs a month whatever it sends, by what charges for it."""
        if self.stack is None:
            return {}
        return self.stack.monthly(self.emails(customers), customers, self.prices)

    def ses(self, customers: int) -> float:
        return sum(
            count * self.per_type[name].parts["ses"]
            for name, count in self.emails(customers).items()
        )

    def overhead_percent(self, customers: int) -> float:
        """Everything but SES over SES, for a month of a shop of `customers`."""
        ses = self.ses(customers)
        return (self.monthly(customers) - ses) / ses * 100

    def type_overhead_percent(self, name: str, customers: int) -> float:
        cost = self.per_type[name]
        share = self.start_share(customers)[name]
        return (cost.total - cost.parts["ses"] + share) / cost.parts["ses"] * 100

    @property
    def overhead_vs_ses_percent(self) -> float:
        """Everything but SES over SES for an email in a warm container, the month's mix."""
        weights = self.emails(1_000_000)
        ses = sum(weights[n] * cost.parts["ses"] for n, cost in self.per_type.items())
        total = sum(weights[n] * cost.total for n, cost in self.per_type.items())
        return (total - ses) / ses * 100


def bill(
    basis: dict[str, dict[str, Any]],
    prices: dict[str, Any] | None = None,
    stack: Stack | None = None,
) -> Bill:
    """The bill, its email types in their order of declaration."""
    prices = prices or load(PRICES)
    order = list(EMAIL_TYPES)
    names = sorted(basis, key=lambda name: order.index(name) if name in order else len(order))
    return Bill({name: email_cost(basis[name], prices) for name in names}, basis, prices, stack)


def measured_bill(prices: dict[str, Any] | None = None) -> Bill:
    """The bill of what `make bench` measured, with the stack as the local commands run it
    (the support desk on)."""
    return bill(load(BASIS), prices, Stack.of(local_template(), load(STORED)))


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _usd(amount: float | None) -> str:
    if amount is None:
        return "quoted by sales"
    return f"${amount:,.2f}" if amount < 100 else f"${amount:,.0f}"


def readme_tables(the_bill: Bill) -> str:
    prices = the_bill.prices
    anchors = prices["anchors"]
    month, containers = prices["month"], prices["containers"]
    per_customer = sum(month["emails_per_customer"].values())
    ses = prices["aws"]["ses_per_1000_emails"]
    start_costs = [start_cost(b, prices) for b in the_bill.basis.values()]
    rows = [
        f"A month at {per_customer:g} emails per customer ({month['why']}); AWS prices of "
        f"{prices['read_on']} ({prices['region']}), Shopify Email's and Klaviyo's as read on "
        f"{anchors['shopify_email']['read_on']}. Each function's containers are counted "
        f"from its volume: a container idle {containers['idle_minutes']} minutes is gone, a "
        f"busy one is replaced every {containers['lifetime_hours']} hours; a start costs "
        f"${min(start_costs) * 1e6:.0f} to ${max(start_costs) * 1e6:.0f} per million starts "
        "(the init phase, billed as duration, the signing keys and the shop's copy overrides):",
        "",
        "| customers | emails a month | container starts | Tailor on AWS | of which SES "
        "| of which fixed | over SES | Shopify Email | Klaviyo |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for customers in SHOP_SIZES:
        emails = the_bill.emails_a_month(customers)
        klaviyo = anchors["klaviyo"]["monthly_usd_by_profiles"].get(str(customers))
        shopify = shopify_email(emails, anchors["shopify_email"])
        rows.append(
            f"| {customers:,} | {emails:,} | {sum(the_bill.starts(customers).values()):,.0f} "
            f"| {_usd(the_bill.monthly(customers))} | {_usd(the_bill.ses(customers))} "
            f"| {_usd(sum(the_bill.fixed(customers).values()))} "
            f"| {the_bill.overhead_percent(customers):.1f} % | {_usd(shopify)} | {_usd(klaviyo)} |"
        )
    if the_bill.stack is not None:
        rows += fixed_rows(the_bill, the_bill.stack)
    sizes = " | ".join(f"{customers:,}" for customers in SHOP_SIZES)
    rows += [
        "",
        "Per 1,000 emails of each type in a warm container, and what everything but SES adds "
        f"to SES's ${ses:.2f} (goal: 3 %): warm, and with the container starts of each shop "
        f"size's month; warm, for the month's mix, {the_bill.overhead_vs_ses_percent:.1f} %:",
        "",
        f"| email | per 1,000 | Lambda | DynamoDB | other | over SES warm | {sizes} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, cost in the_bill.per_type.items():
        other = cost.total - cost.parts["ses"] - cost.parts["lambda"] - cost.parts["dynamodb"]
        by_size = " | ".join(
            f"{the_bill.type_overhead_percent(name, customers):.1f} %" for customers in SHOP_SIZES
        )
        rows.append(
            f"| `{name}` | ${cost.total * 1000:.4f} | ${cost.parts['lambda'] * 1000:.4f} "
            f"| ${cost.parts['dynamodb'] * 1000:.4f} | ${other * 1000:.4f} "
            f"| {cost.overhead_vs_ses * 100:.1f} % | {by_size} |"
        )
    return "\n".join(rows) + "\n"


def fixed_rows(the_bill: Bill, stack: Stack) -> list[str]:
    """The fixed costs' table: what the stack pays a month whatever it sends."""
    from tailor.attribution.store import MESSAGE_DAYS

    prices = the_bill.prices
    aws = prices["aws"]
    storage_price = aws["dynamodb_standard_per_gb_month"] + aws["dynamodb_pitr_per_gb_month"]
    rows = [
        "",
        "Of which fixed: what the stack costs a month whatever it sends. Its "
        f"{len(stack.metrics)} custom metrics at "
        f"${aws['cloudwatch_per_custom_metric_month']:.2f} a month ({prices['metrics_why']}; "
        f"{prices['month']['metrics_why']}), "
        f"its {stack.alarms} alarms at "
        f"${aws['cloudwatch_per_standard_alarm_month']:.2f} and {stack.secrets} secret at "
        f"${aws['secrets_manager_per_secret_month']:.2f} (template.yaml), its "
        f"{stack.dashboards} dashboard ({prices['dashboards_why']}), and what DynamoDB keeps "
        f"at ${storage_price:.2f} per GB a month with point-in-time recovery: each email's "
        f"click-tracking record (kept {MESSAGE_DAYS} days) and each "
        "customer's profile and consent ledger, at the sizes the demo story left them "
        "(`bench/stored-basis.json`):",
        "",
        "| customers | metrics | alarms | dashboards | secrets | stored | storage | fixed |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for customers in SHOP_SIZES:
        fixed = the_bill.fixed(customers)
        gb = stack.stored_gb(the_bill.emails(customers), customers)
        rows.append(
            f"| {customers:,} | {_usd(fixed['metrics'])} | {_usd(fixed['alarms'])} "
            f"| {_usd(fixed['dashboards'])} | {_usd(fixed['secrets'])} | {gb:,.2f} GB "
            f"| {_usd(fixed['storage'])} | {_usd(sum(fixed.values()))} |"
        )
    return rows


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
    rewrite_readme(Path(sys.argv[1]), measured_bill())
