"""What the layer's build adds to the tailor package it copied: the code a cold start would
otherwise compile, compiled once.

    python -m tailor.build PACKAGE_DIR

Lambda loads the layer from a read-only file system, so Python cannot cache the bytecode
of a module it compiles, nor Jinja a template: every cold start would compile each module
it imports and each template it renders. This compiles the templates (`tailor.render`) and
every module, as bytecode that needs no write and no check against its source's time (the
layer's files are what was built). layers/shared/Makefile runs it in `sam build`, and the
bench on the copy of the layer it measures. Run by the build machine's Python, which must be
Lambda's (3.13: bytecode of another version would be ignored); it imports no compiled
library, which is built for the Lambda's machine. The bench builds with its own Python.
"""

from __future__ import annotations

import compileall
import py_compile
import sys
from pathlib import Path

LAMBDA_PYTHON = (3, 13)  # the layer's CompatibleRuntimes in template.yaml


def build(package: Path) -> int:
    """Compile the templates and modules of the tailor package at `package`; how many
    templates."""
    from tailor.render import Renderer

    templates = Renderer(package / "templates", compiling=True).compile_all()
    compiled = compileall.compile_dir(
        package,
        quiet=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not compiled:
        raise SystemExit(f"tailor.build: a module under {package} does not compile")
    return templates


def main(argv: list[str]) -> int:
    if sys.version_info[:2] != LAMBDA_PYTHON:
        # Python and Jinja would ignore bytecode of another version: no error, no gain.
        raise SystemExit(
            f"tailor.build: run by Python {sys.version_info.major}.{sys.version_info.minor}, "
            f"but Lambda runs {'.'.join(map(str, LAMBDA_PYTHON))}: put python3.13 on PATH"
        )
    package = Path(argv[0])
    templates = build(package)
    print(f"tailor.build: {templates} templates and every module of {package} compiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
