"""mypy over a render: the template's plain Python, type-checked where it runs.

The template's modules import Django, its settings and the project's dependencies, so
they are checked in a render: its own environment (the dev group, `Renders.sync`), with
mypy and django-stubs added on top by `uv run --with`, configured by the render's
pyproject.toml ([tool.mypy], [tool.django-stubs]). The versions added are pinned in
this repository's pyproject.toml, dependency group `render-types`, which Dependabot
keeps current.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tests.support.renders import ROOT, run

GROUP = "render-types"
SUMMARY = re.compile(r"^Found (\d+) errors? in \d+ files? \(checked (\d+) source files?\)$", re.M)
SUCCESS = re.compile(r"^Success: no issues found in (\d+) source files?$", re.M)


def type_checkers() -> list[str]:
    """mypy and the stubs a render's type check adds, as pinned requirements."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [str(requirement) for requirement in pyproject["dependency-groups"][GROUP]]


@dataclass(frozen=True)
class TypeCheck:
    errors: int
    files: int
    output: str


def type_check(project: Path) -> TypeCheck:
    """mypy over `project` as its pyproject.toml configures it; RuntimeError if it cannot run."""
    added = [argument for requirement in type_checkers() for argument in ("--with", requirement)]
    # The cache goes beside the render, which other tests share and copy.
    cache = project.parent / f"mypy-cache-{project.name}"
    result = run(["uv", "run", "--locked", *added, "mypy"], cwd=project, MYPY_CACHE_DIR=str(cache))
    output = result.stdout + result.stderr
    if found := SUMMARY.search(result.stdout):
        return TypeCheck(int(found.group(1)), int(found.group(2)), output)
    if (clean := SUCCESS.search(result.stdout)) and result.returncode == 0:
        return TypeCheck(0, int(clean.group(1)), output)
    raise RuntimeError(f"mypy did not run in {project} (exit {result.returncode}):\n{output}")
