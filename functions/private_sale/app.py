"""Private sale (function URL): the signed link in the invitation -> the item in the cart."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from tailor import web
from tailor.alerts.access import open_sale
from tailor.links import signer_from_secret
from tailor.observability import entrypoint
from tailor.settings import get_settings


@entrypoint
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if web.method(event) not in ("GET", "HEAD"):
        return web.page(405, "Not allowed", "Open this link in your browser.")
    settings = get_settings()
    signer = signer_from_secret(settings.need("link_signing_secret_arn"))
    return open_sale(web.query(event).get("t"), signer, settings)
