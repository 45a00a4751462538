"""Check what `sam build` produced: the layer a Lambda on arm64 will load.

`python -m tailor_local.buildcheck .aws-sam/build` fails, naming the problem, when the
layer lacks the tailor package or its templates, or what `tailor.build` compiles (the
templates and modules a read-only layer cannot cache), or carries a compiled extension built
for another architecture (css-inline and pydantic-core must be aarch64 wheels).
"""

from __future__ import annotations

import sys
from pathlib import Path

AARCH64 = 0xB7  # ELF e_machine
REQUIRED = (
    "tailor/__init__.py",
    "tailor/templates/layout.html.j2",
    "tailor/templates/order_confirmation/body.html.j2",
    "tailor/templates/__compiled__",
    "tailor/__pycache__",
    "jinja2/__init__.py",
    "pydantic/__init__.py",
    "aws_lambda_powertools/__init__.py",
    "babel/__init__.py",
    "css_inline/__init__.py",
    "inscriptis/__init__.py",
)


def machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    return int.from_bytes(header[18:20], "little")


def problems(build: Path) -> list[str]:
    layer = build / "SharedLayer" / "python"
    if not layer.is_dir():
        return [f"{layer} is missing: did sam build run?"]
    found = [f"layer lacks {name}" for name in REQUIRED if not (layer / name).exists()]
    for library in layer.rglob("*.so"):
        if machine(library) != AARCH64:
            found.append(f"{library.relative_to(layer)} is not built for aarch64")
    template = (build / "template.yaml").read_text()
    if "arm64" not in template or "python3.13" not in template:
        found.append("built template does not target python3.13 on arm64")
    return found


def main(argv: list[str]) -> int:
    build = Path(argv[0] if argv else ".aws-sam/build")
    found = problems(build)
    for problem in found:
        print(f"build check: {problem}", file=sys.stderr)
    if not found:
        libraries = len(list((build / "SharedLayer" / "python").rglob("*.so")))
        print(f"build check: layer complete, {libraries} compiled libraries, all aarch64")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
