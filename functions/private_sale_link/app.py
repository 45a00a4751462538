"""Private sale link (function URL): the signed link in the invitation -> the item in the cart
(the invitation email itself is sent by alerts_sender)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor import web
from tailor.alerts.access import open_sale
from tailor.observability import entrypoint
from tailor.settings import Settings

NEEDS = Settings.require("catalog_table", "link_signing_secret_arn")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return web.follow_signed_link(event, open_sale)
