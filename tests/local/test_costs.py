"""The bill: priced from the measured basis and the public prices, and the README agrees."""

from __future__ import annotations

from tailor.email_types import EMAIL_TYPES
from tailor_local import costs
from tailor_local.template import REPO_ROOT, local_template

SHOPIFY = {"free_emails_per_month": 10_000, "per_1000_tiers": [[300_000, 1.0], [None, 0.5]]}


def test_the_readme_cost_tables_are_generated_from_the_measurements() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    regenerated = costs.with_readme_tables(readme, costs.measured_bill())

    assert readme == regenerated, "run `make bench` (or python -m tailor_local.costs README.md)"


def test_every_declared_email_type_is_priced() -> None:
    assert sorted(costs.load(costs.BASIS)) == sorted(EMAIL_TYPES)


def test_shopify_email_is_free_up_to_its_allowance_then_charged_by_tier() -> None:
    assert costs.shopify_email(10_000, SHOPIFY) == 0
    assert costs.shopify_email(12_000, SHOPIFY) == 2.0
    assert costs.shopify_email(400_000, SHOPIFY) == 290.0 + 50.0


def test_an_email_that_only_sends_costs_ses_and_one_lambda_request() -> None:
    basis = {
        "calls_per_email": {"sesv2.SendEmail": 1},
        "items_per_email": {},
        "billed_ms_per_email": 0,
        "memory_mb": 512,
        "invocations_per_email": 1,
        "log_bytes_per_email": 0,
    }
    prices = costs.load(costs.PRICES)
    prices["lambda_platform_log_bytes_per_invocation"] = 0

    cost = costs.email_cost(basis, prices)

    assert cost.parts["ses"] == prices["aws"]["ses_per_1000_emails"] / 1000
    assert cost.parts["lambda"] == prices["aws"]["lambda_per_million_requests"] / 1e6
    assert cost.total == cost.parts["ses"] + cost.parts["lambda"]


def test_transactional_writes_cost_two_write_units_per_item() -> None:
    basis = {
        "calls_per_email": {"sesv2.SendEmail": 1, "dynamodb.TransactWriteItems": 1},
        "items_per_email": {"dynamodb.TransactWriteItems": 3},
        "billed_ms_per_email": 0,
        "memory_mb": 128,
        "invocations_per_email": 0,
        "log_bytes_per_email": 0,
    }
    prices = costs.load(costs.PRICES)

    cost = costs.email_cost(basis, prices)

    per_write = prices["aws"]["dynamodb_on_demand_per_million_write_units"] / 1e6
    assert abs(cost.parts["dynamodb"] - 6 * per_write) < 1e-15


CONTAINERS = {"idle_minutes": 10, "lifetime_hours": 4}


def test_a_rarely_invoked_function_starts_a_container_for_almost_every_invocation() -> None:
    rare = costs.container_starts(100, CONTAINERS)  # about one every seven hours
    busy = costs.container_starts(1_000_000, CONTAINERS)  # 23 a minute

    assert 99 < rare <= 100
    assert busy == costs.HOURS_A_MONTH / CONTAINERS["lifetime_hours"]


def basis_of(function: str) -> dict[str, object]:
    """An email whose container start costs a second of init at 1 GB and a secret fetch."""
    return {
        "function": function,
        "init_ms": 1000,
        "calls_per_start": {"secretsmanager.GetSecretValue": 1},
        "calls_per_email": {"sesv2.SendEmail": 1},
        "items_per_email": {},
        "billed_ms_per_email": 0,
        "memory_mb": 1024,
        "invocations_per_email": 1,
        "log_bytes_per_email": 0,
    }


def test_container_starts_weigh_on_a_small_shop_and_fade_at_a_large_one() -> None:
    prices = costs.load(costs.PRICES)
    prices["month"] = {"why": "", "emails_per_customer": {"order_confirmation": 1}}
    prices["containers"] = CONTAINERS
    prices["lambda_platform_log_bytes_per_invocation"] = 0
    the_bill = costs.bill({"order_confirmation": basis_of("OrderConfirmation")}, prices)

    per_start = costs.start_cost(basis_of("OrderConfirmation"), prices)
    aws = prices["aws"]
    assert (
        per_start
        == aws["lambda_arm64_per_gb_second"] + aws["secrets_manager_per_10000_calls"] / 1e4
    )
    small, large = the_bill.overhead_percent(1_000), the_bill.overhead_percent(1_000_000)
    starts = the_bill.starts(1_000)["OrderConfirmation"]
    ses = 1_000 * aws["ses_per_1000_emails"] / 1000
    lambda_requests = 1_000 * aws["lambda_per_million_requests"] / 1e6
    assert abs(small - (starts * per_start + lambda_requests) / ses * 100) < 1e-9
    assert small > 10 * large


NOTHING_STORED: dict[str, dict[str, float]] = {
    "message_bytes_per_email": {},
    "bytes_per_customer": {},
}


def test_a_shop_that_sends_nothing_still_pays_for_its_stack() -> None:
    prices = costs.load(costs.PRICES)
    aws = prices["aws"]
    prices["month"]["emails_per_shop"] = {}  # not even the SLA digest
    stack = costs.Stack.of(local_template(), NOTHING_STORED)
    the_bill = costs.bill(costs.load(costs.BASIS), prices, stack)

    fixed = the_bill.fixed(0)

    assert fixed["secrets"] == aws["secrets_manager_per_secret_month"]  # the link-signing keys
    assert fixed["alarms"] == stack.alarms * aws["cloudwatch_per_standard_alarm_month"] > 0
    assert fixed["dashboards"] == 0  # within CloudWatch's three free ones
    # The functions' own metrics are published all month; no stream's, as nothing is sent.
    own = [m for m in stack.metrics if "stream" not in m.dimension_names]
    assert own
    assert fixed["metrics"] == len(own) * aws["cloudwatch_per_custom_metric_month"]
    assert fixed["storage"] == 0
    assert the_bill.monthly(0) == sum(fixed.values())


def test_a_dashboard_beyond_the_free_three_is_paid_for() -> None:
    prices = costs.load(costs.PRICES)
    prices["dashboards_already_in_account"] = 3
    stack = costs.Stack.of(local_template(), NOTHING_STORED)

    fixed = costs.bill(costs.load(costs.BASIS), prices, stack).fixed(0)

    assert fixed["dashboards"] == prices["aws"]["cloudwatch_per_dashboard_month"]


def test_a_stream_sending_every_hour_pays_a_metric_month_and_a_rare_one_a_fraction() -> None:
    sent = costs.Metric("Tailor", "EmailsSent", (("stream", "transactional"),))
    stack = costs.Stack(0, 0, 0, frozenset({sent}), NOTHING_STORED)

    # Its stream's emails, whatever their type; a marketing type's are not its.
    hourly = stack.metric_months(
        {"order_confirmation": 60 * costs.HOURS_A_MONTH, "shipping_confirmation": 40}, {}
    )
    rare = stack.metric_months({"order_confirmation": 40, "shipping_confirmation": 33}, {})
    marketing = stack.metric_months({"price_drop": 100 * costs.HOURS_A_MONTH}, {})

    assert hourly == 1.0
    assert 0.09 < rare < 0.1  # 73 emails: in about 70 hours of 730
    assert marketing == 0
    assert stack.metric_months({}, {}) == 0


def test_a_rare_outcome_is_billed_by_the_hours_it_happens_in() -> None:
    failed = costs.Metric("Tailor", "EmailsFailed", (("stream", "marketing"),))
    stack = costs.Stack(0, 0, 0, frozenset({failed}), NOTHING_STORED)

    months = stack.metric_months({"price_drop": 73_000}, {"EmailsFailed": 0.001})

    assert 0.09 < months < 0.1  # 73 failures in a month


def test_what_the_tables_keep_grows_with_customers_and_a_message_record_per_email() -> None:
    stored = {
        "message_bytes_per_email": {"order_confirmation": 500},
        "bytes_per_customer": {"ProfilesTable": 1000, "ConsentLedgerTable": 500},
    }
    stack = costs.Stack(0, 0, 0, frozenset(), stored)

    gb = stack.stored_gb({"order_confirmation": 1_000_000}, 10_000)

    months_kept = 400 * 24 / costs.HOURS_A_MONTH  # a message record is kept 400 days
    assert abs(gb - (1_000_000 * 500 * months_kept + 10_000 * 1500) / 1e9) < 1e-12


def test_an_item_is_sized_as_dynamodb_counts_it() -> None:
    item = {
        "pk": {"S": "msg#1"},  # 2 + 5
        "n": {"N": "-12345.000"},  # 1 + 1 + 3 (five significant digits)
        "ok": {"BOOL": True},  # 2 + 1
        "links": {"L": [{"S": "ab"}]},  # 5 + 3 + 1 + 2
    }

    assert costs.item_bytes(item) == 7 + 5 + 3 + 11
