"""The design system as a customer sees it, whatever colours the merchant chose."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tailor.render import contrast
from tailor_local.invoke import invoke
from tailor_local.template import Template

from tests.helpers.cloud import provisioned
from tests.helpers.events import load_event
from tests.helpers.mail import Outbox, html_part
from tests.helpers.orders import stock_the_shop


def confirmation(**parameters: str) -> str:
    """The order confirmation a shop deployed with these template parameters sends."""
    shop = Template(parameters=parameters)
    with provisioned(shop):

        def run(function_id: str, event: Any) -> Any:
            return invoke(shop.function(function_id), event)

        stock_the_shop(run)
        run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))
        return html_part(Outbox().only())


def text_colour(html: str, label: str) -> str:
    """The text colour of the link or button whose words are `label`."""
    colour = r'style="[^"]*?(?<![-\w])color:\s*(#[0-9a-fA-F]{6})[^"]*"'
    found = re.search(rf"<a [^>]*{colour}[^>]*>\s*{re.escape(label)}\s*</a>", html)
    assert found, f"no link {label!r}"
    return found.group(1)


@pytest.mark.parametrize("brand", ["#8a4b08", "#f5c518", "#a3e4ff"])
def test_buttons_read_on_any_brand_colour(brand: str) -> None:
    html = confirmation(BrandColor=brand)

    button = text_colour(html, "View your order")
    assert contrast(button, brand) >= 4.5, f"button text {button} on {brand}"
    assert f'bgcolor="{brand}"' in html  # the button keeps the merchant's colour


def test_a_logo_keeps_its_proportions() -> None:
    """A square or a wide logo is never squeezed into a fixed 160 x 48 box."""
    html = confirmation(BrandLogoUrl="https://shop.example.com/logo.png")

    logo = re.search(r'<img [^>]*src="https://shop.example.com/logo.png"[^>]*>', html)
    assert logo, "no logo"
    assert 'height="auto"' in logo.group(0)
    assert 'alt="Oklahoma Outfitters"' in logo.group(0)  # the shop's name when images are off
