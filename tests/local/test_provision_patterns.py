"""A pattern EventBridge would reject fails provisioning, naming the rule, before any event."""

from __future__ import annotations

from pathlib import Path

import pytest
from tailor_local.patterns import PatternError
from tailor_local.provision import check_patterns
from tailor_local.template import Template

FIXTURE = Path(__file__).parent / "fixtures" / "template.yaml"


def _with(tmp_path: Path, old: str, new: str) -> Template:
    text = FIXTURE.read_text()
    assert old in text, f"fixture no longer holds {old!r}"
    changed = tmp_path / "template.yaml"
    changed.write_text(text.replace(old, new, 1))
    return Template(changed)


def test_the_fixture_and_the_real_template_pass() -> None:
    check_patterns(Template(FIXTURE))
    check_patterns(Template())


def test_a_rule_with_a_pattern_ruler_rejects_is_refused_by_name(tmp_path: Path) -> None:
    template = _with(tmp_path, "detail-type: [Remind]", 'detail-type: [{"prefix": 5}]')
    with pytest.raises(PatternError, match=r"rule .+ of \w+: .*prefix"):
        check_patterns(template)


def test_a_stream_filter_ruler_rejects_is_refused_by_name(tmp_path: Path) -> None:
    template = _with(tmp_path, '{"eventName": ["INSERT"]}', '{"eventName": []}')
    with pytest.raises(PatternError, match=r"filter of \w+: "):
        check_patterns(template)
