"""The bill: priced from the measured basis and the public prices, and the README agrees."""

from __future__ import annotations

from tailor.email_types import EMAIL_TYPES
from tailor_local import costs
from tailor_local.template import REPO_ROOT

SHOPIFY = {"free_emails_per_month": 10_000, "per_1000_tiers": [[300_000, 1.0], [None, 0.5]]}


def test_the_readme_cost_tables_are_generated_from_the_measurements() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    regenerated = costs.with_readme_tables(readme, costs.bill(costs.load(costs.BASIS)))

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
