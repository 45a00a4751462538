"""`make bench` measures what it says it measures (its figures are not asserted: no timing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tailor.email_types import EMAIL_TYPES
from tailor_local import calls
from tailor_local.bench import (
    cold_starts,
    drain,
    play_story,
    sample_files,
    samples_by_function,
    samples_by_type,
    warm_cpu,
)
from tailor_local.calls import Invoked
from tailor_local.cloud import command_template
from tailor_local.demo import load_story
from tailor_local.template import Template

FIXTURE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture(scope="module")
def story_template() -> Template:
    return command_template(load_story().parameters, ephemeral=True)


@pytest.fixture(scope="module")
def story(story_template: Template) -> list[Invoked]:
    return play_story(story_template)


def test_cold_start_covers_every_function_of_the_template() -> None:
    template = Template(FIXTURE)

    floor, functions = cold_starts(template, {}, runs=1)

    assert floor.init_ms > 0 and floor.first_invoke_ms and floor.first_invoke_ms > 0
    assert sorted(functions) == sorted(template.functions())
    assert all(cold.init_ms > 0 and cold.first_invoke_ms is None for cold in functions.values())


def test_functions_the_story_never_runs_are_sampled_from_the_event_files(
    story_template: Template, story: list[Invoked]
) -> None:
    extra = sample_files(story_template, story)

    in_story = {invoked.function_id for invoked in story}
    sampled = {invoked.function_id for invoked in extra}
    assert "ReviewRecorderFunction" in sampled
    assert not sampled & in_story


def test_each_email_type_stays_within_its_aws_call_budget(story: list[Invoked]) -> None:
    counted = calls.per_email(story)

    assert sorted(counted) == sorted(EMAIL_TYPES), "every declared type is sent in the story"
    over = {
        name: (
            round(sum(by_operation.values()), 2),
            EMAIL_TYPES[name].aws_call_budget,
            by_operation,
        )
        for name, by_operation in counted.items()
        if sum(by_operation.values()) > (EMAIL_TYPES[name].aws_call_budget or 0)
    }
    assert not over, f"over budget (calls, budget, by operation): {over}"


def test_what_a_container_reads_when_it_starts_is_counted_per_start_not_per_email(
    story: list[Invoked],
) -> None:
    """The signing keys and the shop's copy overrides (common words and the email's own)."""
    at_start = calls.per_start(story)
    per_email = calls.per_email(story)

    assert at_start["OrderConfirmationFunction"] == {
        "s3.GetObject": 2,
        "secretsmanager.GetSecretValue": 1,
    }
    made = per_email["order_confirmation"]
    assert "s3.GetObject" not in made and "secretsmanager.GetSecretValue" not in made


def test_a_first_invocation_replays_on_its_recorded_answers(
    story_template: Template, story: list[Invoked]
) -> None:
    template = story_template
    sample = samples_by_function(story)["OrderConfirmationFunction"]

    _, functions = cold_starts(
        template, {"OrderConfirmationFunction": sample}, runs=1, only=("OrderConfirmationFunction",)
    )

    first = functions["OrderConfirmationFunction"].first_invoke_ms
    assert first is not None and first > functions["OrderConfirmationFunction"].init_ms > 0


def test_warm_cpu_replays_the_sample_without_aws(
    story_template: Template, story: list[Invoked]
) -> None:
    sample = samples_by_type(story)["order_confirmation"]

    with calls.observed() as replayed:
        cpu = warm_cpu(story_template, sample, rounds=2)

    assert cpu.invocation_ms > cpu.render_ms > 0
    assert replayed == [], "the replay goes through no local cloud"


def test_the_drain_sends_one_email_to_each_subscriber() -> None:
    crowd = drain(Template(), subscribers=30, floor_rounds=2)

    assert (crowd.subscribers, crowd.sent) == (30, 30)
    assert crowd.per_email_ms > 0 and crowd.floor_ms > 0
