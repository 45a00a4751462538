"""Profile sync: CustomerUpdated or Shopify customers/create|update -> the customer profile."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.events.canonical import CustomerUpdated
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import Settings, get_settings
from tailor.sync import sync_customer

NEEDS = Settings.require("profiles_table", "consent_ledger_table")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, customer = parse(event, CustomerUpdated, get_settings())
    logger.set_correlation_id(customer.customer_id)
    return sync_customer(customer)
