"""A dependency added next to the one the release bumps: the conflict stays in the
dependency list and the lock, and bin/resolve-dependencies resolves it."""

import re
import tomllib
from typing import Any

import pytest

from tests.support.releases import (
    RESOLVE_COMMAND,
    Releases,
    add_dependency_next_to_django,
    files_with_conflict_markers,
    locked_version,
    rejected_hunks,
    render_and_commit,
    unmerged_paths,
    update,
)
from tests.support.renders import ROOT, run


def conflict_blocks(text: str) -> list[list[str]]:
    """The lines inside each conflict (both sides), without the markers."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("<<<<<<<"):
            current = []
        elif line.startswith(">>>>>>>") and current is not None:
            blocks.append(current)
            current = None
        elif current is not None and not re.match(r"^(={7}|\|{7}( |$))", line):
            current.append(line)
    return blocks


@pytest.fixture(scope="module")
def dependency_update(
    releases: Releases, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    project = render_and_commit(releases, tmp_path_factory.mktemp("dependency") / "site")
    dependency = add_dependency_next_to_django(project)
    update(project)
    state = {
        "project": project,
        "dependency": dependency,
        "conflicted": files_with_conflict_markers(project),
        "rejected": rejected_hunks(project),
        "pyproject": (project / "pyproject.toml").read_text(),
    }
    state["resolved"] = run([RESOLVE_COMMAND], cwd=project)
    return state


def test_dependency_conflicts_stay_in_the_dependency_list_and_the_lock(dependency_update):
    assert set(dependency_update["conflicted"]) <= {"pyproject.toml", "uv.lock"}
    assert dependency_update["rejected"] == []
    requirement = re.compile(r'^\s*"[A-Za-z0-9][^"]*",?$')
    for block in conflict_blocks(dependency_update["pyproject"]):
        assert all(requirement.match(line) for line in block if line.strip()), block


def test_the_release_conflicts_with_a_dependency_added_next_to_django(dependency_update):
    """Guards the scenario: the resolve command below must have both files to resolve."""
    assert dependency_update["conflicted"] == ["pyproject.toml", "uv.lock"]


def test_resolve_command_succeeds(dependency_update):
    resolved = dependency_update["resolved"]

    assert resolved.returncode == 0, resolved.stdout + resolved.stderr


def test_resolve_command_leaves_no_conflicts(dependency_update):
    project = dependency_update["project"]

    assert files_with_conflict_markers(project) == []
    assert unmerged_paths(project) == []


def test_resolve_command_keeps_the_developers_dependency_and_the_raised_floor(
    dependency_update, releases
):
    project = dependency_update["project"]
    dependencies = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    lock = (project / "uv.lock").read_text()

    assert dependency_update["dependency"] in dependencies
    floor = f"django>={releases.new_django},"
    assert any(dependency.startswith(floor) for dependency in dependencies), dependencies
    assert locked_version(lock, "django") == releases.new_django
    assert locked_version(lock, dependency_update["dependency"].split(">=")[0])


def test_resolved_lock_matches_pyproject(dependency_update):
    check = run(["uv", "lock", "--check"], cwd=dependency_update["project"])

    assert check.returncode == 0, check.stderr


def test_resolve_command_is_the_one_the_docs_give():
    docs = (ROOT / "docs" / "updating.md").read_text()
    readme = (ROOT / "template" / "README.md.jinja").read_text()

    assert f"\n{RESOLVE_COMMAND}\n" in docs
    assert RESOLVE_COMMAND in readme
