"""Catalog sync: ProductUpdated or Shopify products/create|update -> the catalog table."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor.events.canonical import ProductUpdated
from tailor.events.inbound import parse
from tailor.observability import entrypoint, logger
from tailor.settings import Settings, get_settings
from tailor.sync import sync_product

NEEDS = Settings.require("catalog_table")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _, product = parse(event, ProductUpdated, get_settings())
    logger.set_correlation_id(product.product_id)
    return sync_product(product)
