"""Each function checks its environment at cold start: Lambda's init imports the handler
module, and that import fails, naming the variable, when one the function cannot work without
is missing or malformed. With the environment template.yaml gives it, every function starts.

Each cold start here is a fresh import of the function's app.py (its own module name, not the
local cloud's cached one), inside the environment the local cloud gives the function, so the
outcome does not depend on which tests ran before in the same process.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import os
import re
from collections import defaultdict
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP
from types import ModuleType

import pytest
from tailor.settings import SENDS_MARKETING_MAIL, EnvSettings, Settings, SettingsError
from tailor_local import outbox
from tailor_local.cloud import open_cloud
from tailor_local.demo import Player, load_story
from tailor_local.invoke import environment
from tailor_local.template import Function, Template, local_template

from tests.helpers.console import answer_in_the_console
from tests.helpers.events import load_event

FUNCTION_IDS = sorted(Template().functions())
_starts = itertools.count()


def cold_start(
    function: Function, monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str] | None = None
) -> ModuleType:
    """Import the function's handler module as Lambda's init does, with `env` (the template's
    environment if None) as the whole of what the template declares for it."""
    declared = dict(function.environment if env is None else env)
    for name in function.environment.keys() - declared.keys():
        monkeypatch.delenv(name, raising=False)  # removed from the template, so unset
    module_name, _, _ = function.handler.rpartition(".")
    path = function.code_dir / f"{module_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(f"cold_start_{next(_starts)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with environment(dataclasses.replace(function, environment=declared)):
        spec.loader.exec_module(module)
    return module


def comment_to(address: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = "Susie Oklahoma <susie@example.com>"
    message["To"] = address
    message["Subject"] = "Love the Classic Oxford"
    message["Date"] = "Wed, 02 Dec 2026 10:00:00 -0600"
    message["Message-ID"] = "<susie.comment.1@mail.example.com>"
    message.set_content("Three weeks in and they are the comfiest shoes I own.")
    return message.as_bytes()


def needs(module: ModuleType) -> tuple[str, ...]:
    declared: tuple[str, ...] = module.NEEDS
    return declared


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_a_function_starts_with_its_template_environment_which_sets_all_it_needs(
    template: Template, function_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = template.function(function_id)
    module = cold_start(function, monkeypatch)
    assert needs(module), f"{function_id} declares nothing it needs"
    unset = [name for name in needs(module) if not function.environment.get(name)]
    assert not unset, f"template.yaml does not give {function_id} {unset}"


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_a_cold_start_without_a_needed_variable_fails_naming_it(
    template: Template, function_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = template.function(function_id)
    for name in needs(cold_start(function, monkeypatch)):
        without = {k: v for k, v in function.environment.items() if k != name}
        with monkeypatch.context() as scope, pytest.raises(SettingsError) as failure:
            cold_start(function, scope, without)
        assert str(failure.value) == f"{name} is not set in this function's environment"


@pytest.mark.parametrize(
    "function_id",
    [
        "OrderConfirmationFunction",
        "CatalogSyncFunction",
        "SupportInboundFunction",
        "AlertsSenderFunction",
    ],
)
def test_an_empty_needed_variable_fails_the_cold_start_like_a_missing_one(
    template: Template, function_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = template.function(function_id)
    name = needs(cold_start(function, monkeypatch))[0]
    with pytest.raises(SettingsError, match=f"^{name} is not set"):
        cold_start(function, monkeypatch, {**function.environment, name: ""})


def test_every_missing_variable_is_named_at_once(
    template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = template.function("SupportInboundFunction")
    gone = {"PROFILES_TABLE", "IDEMPOTENCY_TABLE"}
    without = {k: v for k, v in function.environment.items() if k not in gone}
    with pytest.raises(SettingsError) as failure:
        cold_start(function, monkeypatch, without)
    assert str(failure.value) == (
        "PROFILES_TABLE, IDEMPOTENCY_TABLE are not set in this function's environment"
    )


def test_a_malformed_variable_fails_the_cold_start_naming_it(
    template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = template.function("ShippingConfirmationFunction")
    with pytest.raises(SettingsError, match=r"SHOP_TIMEZONE: .*unknown IANA time zone"):
        cold_start(function, monkeypatch, {**function.environment, "SHOP_TIMEZONE": "Mars/Base"})


@pytest.mark.parametrize(
    ("function_id", "variable", "value", "problem"),
    [
        (
            "ShippingConfirmationFunction",
            "COME_BACK_OFFER",
            "10% off your next order",  # a sentence in one language, as it used to be
            "the ComeBackOffer parameter: '10% off your next order' is not a percentage",
        ),
        (
            "ReferralInvitationFunction",
            "REFERRAL_OFFER",
            "150%",
            "the ReferralOffer parameter: '150%': a percentage off is more than 0% and at most",
        ),
        (
            "ReferralRewardsFunction",
            "REFERRAL_REWARD_OFFER",
            "10 EUR",
            "the ReferralRewardOffer parameter: 10 EUR is not in the shop's currency USD",
        ),
        (
            "ReferralRewardsFunction",
            "REFERRAL_REWARD_OFFER",
            "10.005",
            "the ReferralRewardOffer parameter: '10.005' is not a percentage",
        ),
    ],
)
def test_an_offer_that_is_not_a_discount_fails_the_cold_start_naming_its_parameter(
    template: Template,
    monkeypatch: pytest.MonkeyPatch,
    function_id: str,
    variable: str,
    value: str,
    problem: str,
) -> None:
    function = template.function(function_id)
    assert variable in function.environment  # the template gives it this function
    with pytest.raises(SettingsError, match=re.escape(problem)):
        cold_start(function, monkeypatch, {**function.environment, variable: value})


def test_an_amount_the_currency_cannot_hold_fails_the_cold_start(
    template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = template.function("ShippingConfirmationFunction")
    environment = {**function.environment, "SHOP_CURRENCY": "JPY", "COME_BACK_OFFER": "500.50"}
    with pytest.raises(SettingsError, match=r"the ComeBackOffer parameter: JPY has no 500\.50"):
        cold_start(function, monkeypatch, environment)


@pytest.mark.parametrize(
    ("value", "problem"), [(None, "Field required"), ("", "is empty"), (" ", "is empty")]
)
def test_the_shop_time_zone_has_no_silent_default(
    template: Template, monkeypatch: pytest.MonkeyPatch, value: str | None, problem: str
) -> None:
    function = template.function("ShippingConfirmationFunction")
    environment = {k: v for k, v in function.environment.items() if k != "SHOP_TIMEZONE"}
    if value is not None:
        environment["SHOP_TIMEZONE"] = value
    with pytest.raises(SettingsError, match=f"SHOP_TIMEZONE: .*{problem}"):
        cold_start(function, monkeypatch, environment)


def test_what_each_function_reads_while_the_demo_story_plays_is_what_it_declares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The declared needs are complete: every setting a function asks for while it works
    (through `need()`) is one it checks at cold start. The story, with a review and a
    comment for the forum, runs every function of the template."""
    used: dict[str, set[str]] = defaultdict(set)
    need = EnvSettings.need

    def recording_need(settings: EnvSettings, name: str) -> str:
        used[os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "no function")].add(name.upper())
        return need(settings, name)

    monkeypatch.setattr(EnvSettings, "need", recording_need)
    story = load_story()
    template = local_template(story.parameters)
    with open_cloud(template, ephemeral=True) as cloud:
        player = Player(story, cloud, template)
        for number, step in enumerate(story.steps, start=1):
            assert not player.play(step, number).failures, step.title
        # What the story leaves out: a product review, and a comment for the shop's forum.
        assert player.runner.deliver(load_event("canonical/review-submitted.json")).ok
        comments = template.function("SupportInboundFunction").environment["COMMENTS_ADDRESS"]
        assert player.runner.receive_mail(comment_to(comments)).ok
        # And what staff do in the console: sign in and answer Susie there.
        answered = answer_in_the_console(
            lambda function_id, event: (
                player.runner.invoke_once(template.function(function_id), event, drain=True)
                .invocations[0]
                .outcome.result
            ),
            lambda: outbox.emails(cloud)[-1].html,
            "T-1001",
            "One more thing: the belt matches too.",
        )
        assert answered["statusCode"] == 303
        assert "the belt matches too" in outbox.emails(cloud)[-1].text

    assert used.keys() == set(FUNCTION_IDS), "some functions never ran"
    declared = {
        function_id: set(needs(cold_start(template.function(function_id), monkeypatch)))
        for function_id in used
    }
    undeclared = {
        f: sorted(names - declared[f]) for f, names in used.items() if names - declared[f]
    }
    assert undeclared == {}, "functions read settings they do not check at cold start"


def test_a_misspelt_need_fails_the_cold_start_naming_it(template: Template) -> None:
    function = template.function("CatalogSyncFunction")
    with environment(function), pytest.raises(SettingsError) as failure:
        Settings.require("catalog_table", "catalogue_table")
    assert str(failure.value) == "Settings has no setting catalogue_table"


def test_a_need_listed_twice_is_named_once(
    template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = template.function("AlertsSenderFunction")
    without = {k: v for k, v in function.environment.items() if k != "PROFILES_TABLE"}
    with environment(dataclasses.replace(function, environment=without)):
        monkeypatch.delenv("PROFILES_TABLE", raising=False)
        with pytest.raises(SettingsError) as failure:
            Settings.require(*SENDS_MARKETING_MAIL, "profiles_table")
    assert str(failure.value) == "PROFILES_TABLE is not set in this function's environment"
