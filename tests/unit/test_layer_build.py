"""The layer as `sam build` ships it (layers/shared/Makefile runs `tailor.build`): its
templates compiled, so a cold start renders an email without compiling one, the same email
the templates give uncompiled, and a template changed after the build renders as changed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment
from tailor import samples
from tailor.build import build
from tailor.render import Rendered, Renderer, templates_root


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    package = tmp_path / "tailor"
    shutil.copytree(templates_root(), package / "templates")
    (package / "__init__.py").write_text('"""The copy built here."""\n')
    build(package)
    return package


def _render(renderer: Renderer) -> Rendered:
    context = samples.decode(samples.sample("order_confirmation"))
    return renderer.render("order_confirmation", context)


def test_a_built_layer_renders_an_email_without_compiling_a_template(
    layer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _render(Renderer())
    compiled: list[str] = []
    real = Environment.compile

    def compile_spy(self: Environment, source: str, name: str | None = None, *args: Any) -> Any:
        compiled.append(str(name))
        return real(self, source, name, *args)

    monkeypatch.setattr(Environment, "compile", compile_spy)
    assert _render(Renderer(layer / "templates")) == expected
    assert compiled == []
    assert (layer / "__pycache__").is_dir()  # and its modules


def test_a_template_changed_after_the_build_renders_as_changed(layer: Path) -> None:
    subject = layer / "templates" / "order_confirmation" / "subject.txt.j2"
    subject.write_text("Changed after the build {{ order.number }}")

    rendered = _render(Renderer(layer / "templates"))

    assert rendered.subject.startswith("Changed after the build ")
