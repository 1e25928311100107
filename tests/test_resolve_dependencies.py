"""bin/resolve-dependencies: what it merges, and what it leaves to a person.

The update tests (tests/update/test_dependencies.py) run it on a real `copier update`
conflict; these give it the other shapes a conflict can take.
"""

import tomllib
from pathlib import Path

import pytest

from tests.support.git import committed_copy
from tests.support.renders import run

COMMAND = "bin/resolve-dependencies"


@pytest.fixture
def project(renders, tmp_path) -> Path:
    return committed_copy(renders.path("default"), tmp_path / "site")


def conflict_in_pyproject(project: Path, old: str, yours: list[str], template: list[str]) -> None:
    """Replace the line `old` with a diff3-style conflict, as git merge-file writes it."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert old in text
    block = "\n".join(
        ["<<<<<<< before updating", *yours, "||||||| last update", old, "=======", *template,
         ">>>>>>> after updating"]
    )  # fmt: skip
    pyproject.write_text(text.replace(old, block, 1))


def requirement_line(project: Path, name: str) -> str:
    lines = (project / "pyproject.toml").read_text().splitlines()
    (line,) = [line for line in lines if line.strip().startswith(f'"{name}>=')]
    return line


def test_merges_a_diff3_style_conflict_keeping_both_sides(project):
    django = requirement_line(project, "django")
    conflict_in_pyproject(
        project,
        django,
        yours=[django, '    "sqlparse>=0.5",'],
        template=['    "django>=6.1,<6.3",'],
    )

    result = run([COMMAND], cwd=project)

    assert result.returncode == 0, result.stdout + result.stderr
    dependencies = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    assert "sqlparse>=0.5" in dependencies
    assert "django>=6.1,<6.3" in dependencies


def test_refuses_a_conflict_outside_a_dependency_list(project):
    conflict_in_pyproject(
        project,
        'requires-python = ">=3.12"',
        yours=['requires-python = ">=3.13"'],
        template=['requires-python = ">=3.12"'],
    )
    before = (project / "pyproject.toml").read_text()

    result = run([COMMAND], cwd=project)

    assert result.returncode == 1
    assert "is not in a dependency list" in result.stderr
    assert "line " in result.stderr
    assert (project / "pyproject.toml").read_text() == before


def test_leaves_a_project_without_conflicts_as_it_is(project):
    before = {name: (project / name).read_text() for name in ("pyproject.toml", "uv.lock")}

    result = run([COMMAND], cwd=project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nothing to resolve" in result.stdout
    assert {name: (project / name).read_text() for name in before} == before
