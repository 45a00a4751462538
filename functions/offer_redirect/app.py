"""Offer redirect (function URL): the 15-minute offer link -> a prefilled checkout for the item."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor import web
from tailor.observability import entrypoint
from tailor.offers import redeem
from tailor.settings import Settings

NEEDS = Settings.require("catalog_table", "link_signing_secret_arn")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return web.follow_signed_link(event, redeem)
