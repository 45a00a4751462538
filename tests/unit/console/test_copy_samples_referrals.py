"""The referral emails' samples for the Copy section's preview: Susie's friend Dana buys
with the code (the referrer is told), and the reward follows. The referral parameters are
the referral tests' (`tests/unit/test_referrals.py`)."""

from __future__ import annotations

from typing import Any

import pytest
from tailor import copy, samples
from tailor.render import renderer
from tailor_local.template import Template

from tests.unit.console.test_copy_samples import capture, matches_the_sample
from tests.unit.test_referrals import DANA, Shop
from tests.unit.test_referrals import template as referral_template

template = referral_template

REFERRALS = ["referral_converted", "referral_reward"]


def test_the_referral_samples_are_danas_first_order_and_susies_reward(
    cloud: Template, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = Shop(cloud, outbox)
    shop.invite(DANA)
    code = shop.code_sent_to(DANA)
    contexts = capture(monkeypatch, *REFERRALS)

    shop.order(DANA, 9001, code=code)
    shop.fire_reward(monkeypatch)

    told, rewarded = contexts
    matches_the_sample("referral_converted", told)
    matches_the_sample("referral_reward", rewarded)


@pytest.mark.parametrize("email_type", REFERRALS)
@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_each_referral_sample_renders_in_every_language(email_type: str, lang: str) -> None:
    context = samples.sample(email_type)
    assert context is not None

    email = renderer().render(email_type, {**context, "lang": lang, "locale": lang})

    assert email.subject and f'lang="{lang}"' in email.html
