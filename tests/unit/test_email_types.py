"""Each email type is declared once, and the declarations agree with the bundle.

The declarations (`tailor.email_types`) name each type's templates, samples, senders and
demo step; these tests check each of those against the repository and template.yaml, and
that nothing sends, renders or documents an email type that is not declared.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tailor import consent
from tailor.delivery import deliver, skipped
from tailor.email_types import EMAIL_TYPES, README_START, Stream, with_readme_table
from tailor.profiles import Profile
from tailor_local.demo import load_story
from tailor_local.patterns import matches
from tailor_local.template import REPO_ROOT, Template

TEMPLATES = REPO_ROOT / "templates"
SAMPLES = REPO_ROOT / "events"


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return event


def routed_to(template: Template, event: dict[str, Any]) -> set[str]:
    return {rule.function_id for rule in template.rules() if matches(rule.pattern, event)}


def test_the_readme_table_of_emails_is_generated_from_the_declarations() -> None:
    readme = (REPO_ROOT / "README.md").read_text()

    assert README_START in readme
    assert with_readme_table(readme) == readme, "README.md is out of date: run make email-types"


def test_marketing_mail_names_a_consent_topic_the_preference_page_offers() -> None:
    for kind in EMAIL_TYPES.values():
        assert (kind.stream is Stream.MARKETING) == (kind.topic is not None), kind.name
        if kind.topic is not None:
            assert kind.topic in consent.TOPICS, kind.name
        assert kind.why.strip(), f"{kind.name}: say why it is {kind.stream}"


@pytest.mark.parametrize("name", sorted(EMAIL_TYPES))
def test_each_declared_type_has_its_subject_and_body_templates(name: str) -> None:
    folder = TEMPLATES / EMAIL_TYPES[name].templates

    assert (folder / "subject.txt.j2").is_file()
    assert (folder / "body.html.j2").is_file()


def test_every_email_template_folder_belongs_to_a_declared_type() -> None:
    folders = {p.parent.name for p in TEMPLATES.glob("*/subject.txt.j2")}
    folders |= {p.parent.name for p in TEMPLATES.glob("*/body.html.j2")}

    assert folders - {kind.templates for kind in EMAIL_TYPES.values()} == set()


def test_an_undeclared_email_type_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="'referral_bonus' is not declared"):
        deliver("referral_bonus", {}, Profile(email="alex@example.com"))
    with pytest.raises(ValueError, match="'referral_bonus' is not declared"):
        skipped("referral_bonus", "no reason")


@pytest.mark.parametrize("name", sorted(EMAIL_TYPES))
def test_each_declared_sample_exists_and_reaches_the_declared_senders(
    template: Template, name: str
) -> None:
    kind = EMAIL_TYPES[name]
    functions = template.functions()
    assert set(kind.senders) <= set(functions), "senders must be template.yaml functions"
    ruled = {rule.function_id for rule in template.rules()}
    if set(kind.senders) & ruled:
        assert kind.samples, f"{name} is sent on EventBridge rules: declare its samples"
    for name_of_sample in kind.samples:
        assert (SAMPLES / name_of_sample).is_file(), name_of_sample
        assert set(kind.senders) <= routed_to(template, sample(name_of_sample)), name_of_sample


def test_each_declared_demo_step_is_in_the_story() -> None:
    titles = {step.title for step in load_story().steps}

    assert {kind.name: kind.demo_step for kind in EMAIL_TYPES.values()} == {
        kind.name: kind.demo_step for kind in EMAIL_TYPES.values() if kind.demo_step in titles
    }
