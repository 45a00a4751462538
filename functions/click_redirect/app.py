"""Click redirect (function URL): a tracked link in an email -> the click counted, then its
signed destination (with UTM parameters on the shop's own pages)."""

from functools import partial
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor import web
from tailor.attribution.clicks import follow
from tailor.attribution.config import AttributionSettings
from tailor.observability import entrypoint

NEEDS = AttributionSettings.require("results_table", "link_signing_secret_arn")


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Link checkers and mail scanners look before anyone clicks: a HEAD is not a click.
    counted = web.method(event) != "HEAD"
    return web.follow_signed_link(event, partial(follow, count=counted))
