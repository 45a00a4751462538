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


def test_no_function_imports_an_event_loop_or_every_event_model_at_init() -> None:
    functions = Template().functions()
    env = {**os.environ, **LOCAL_AWS_ENVIRONMENT}
    for function in functions.values():
        env.update({name: value for name, value in function.environment.items() if value})
    paths = [
        str(function.code_dir / (function.handler.rpartition(".")[0].replace(".", "/") + ".py"))
        for function in functions.values()
    ]

    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", IMPORT_EACH, json.dumps(NOT_AT_INIT), *paths],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=True,
    )

    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert {path: names for path, names in found.items() if names} == {}
