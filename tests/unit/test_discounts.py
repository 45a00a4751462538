"""The offers a merchant sets in template.yaml: CloudFormation's AllowedPattern and the cold
start's parser agree on what a discount is, so a value the stack accepts is one every email
can word, and a value the parser refuses is refused by the stack before it deploys."""

from __future__ import annotations

import re

import pytest
from tailor import discounts
from tailor_local.template import Template

OFFERS = ("ReferralOffer", "ReferralRewardOffer", "ComeBackOffer")
ACCEPTED = ("", "15%", "12.5%", "15 %", "100%", "10", "10.00", "10.5", "10 USD", "10.00USD")
REFUSED = ("15% off your first order", "$10", "10,00", "10.005", "ten", "-5", "10 usd", "%15")


@pytest.mark.parametrize("parameter", OFFERS)
@pytest.mark.parametrize("value", ACCEPTED + REFUSED)
def test_the_stack_and_the_cold_start_accept_the_same_offers(
    template: Template, parameter: str, value: str
) -> None:
    pattern = template.raw["Parameters"][parameter]["AllowedPattern"]
    try:
        discounts.parse(value)
        parsed = True
    except ValueError:
        parsed = False

    assert bool(re.fullmatch(pattern, value)) == parsed == (value in ACCEPTED)


@pytest.mark.parametrize("parameter", OFFERS)
def test_each_offers_default_is_a_discount(template: Template, parameter: str) -> None:
    default = template.raw["Parameters"][parameter]["Default"]
    discounts.parse(default)  # raises on anything else
