"""What a cold start does not import: the heavy pieces no function's path uses.

Powertools' batch utility imports asyncio and builds Powertools' parser models for every AWS
event source (pydantic), about a third of a second of init that no Tailor function uses
(`tailor.batches` answers Lambda's partial batch responses instead). Every function's handler
module is imported here as Lambda's init does, in one fresh interpreter, with the
environment template.yaml gives the functions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tailor_local.cloud import LOCAL_AWS_ENVIRONMENT
from tailor_local.template import REPO_ROOT, Template

NOT_AT_INIT = ("asyncio", "aws_lambda_powertools.utilities.parser")
IMPORT_EACH = """
import importlib.util, json, sys
found = {}
for number, path in enumerate(sys.argv[2:]):
    before = set(sys.modules)
    spec = importlib.util.spec_from_file_location(f"handler_{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found[path] = [name for name in json.loads(sys.argv[1]) if name in set(sys.modules) - before]
print(json.dumps(found))
"""


def imported_at_init(function_ids: list[str], names: tuple[str, ...]) -> dict[str, list[str]]:
    """Which of `names` each function's handler module imports, all in one interpreter."""
    functions = Template().functions()
    env = {**os.environ, **LOCAL_AWS_ENVIRONMENT}
    paths = {}
    for function_id in function_ids:
        function = functions[function_id]
        env.update({name: value for name, value in function.environment.items() if value})
        module = function.handler.rpartition(".")[0].replace(".", "/")
        paths[str(function.code_dir / f"{module}.py")] = function_id

    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", IMPORT_EACH, json.dumps(names), *paths],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=True,
    )

    found = json.loads(result.stdout.strip().splitlines()[-1])
    return {paths[path]: imported for path, imported in found.items() if imported}


def test_no_function_imports_an_event_loop_or_every_event_model_at_init() -> None:
    assert imported_at_init(list(Template().functions()), NOT_AT_INIT) == {}


def test_the_click_redirect_imports_neither_jinja_nor_the_event_models_at_init() -> None:
    # A click is a redirect: no page to render, no event to read.
    assert imported_at_init(["ClickRedirectFunction"], ("jinja2", "tailor.events.canonical")) == {}
