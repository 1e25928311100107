"""A project nobody edited updates without a conflict and equals a fresh render."""

import re
import tomllib
from pathlib import Path

import pytest

from tests.support.git import git
from tests.support.releases import (
    NEW,
    OLD_SESSION_AGE,
    Releases,
    answers,
    files_with_conflict_markers,
    locked_version,
    project_files,
    rejected_hunks,
    render,
    render_and_commit,
    unmerged_paths,
    update,
)


@pytest.fixture(scope="module")
def untouched(releases: Releases, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = render_and_commit(releases, tmp_path_factory.mktemp("untouched") / "site")
    update(project)
    return project


def test_update_of_an_untouched_project_leaves_no_conflicts(untouched):
    assert files_with_conflict_markers(untouched) == []
    assert rejected_hunks(untouched) == []
    assert unmerged_paths(untouched) == []


def test_update_records_the_new_release(untouched):
    assert answers(untouched)["_commit"] == NEW


def test_update_lands_the_hardened_setting(untouched, releases):
    settings = (untouched / "config" / "settings.py").read_text().splitlines()

    assert releases.new_session_age in settings
    assert OLD_SESSION_AGE not in settings


def test_update_lands_the_raised_django_floor_and_its_lock(untouched, releases):
    pyproject = tomllib.loads((untouched / "pyproject.toml").read_text())
    lock = (untouched / "uv.lock").read_text()

    assert any(
        requirement.startswith(f"django>={releases.new_django},")
        for requirement in pyproject["project"]["dependencies"]
    ), pyproject["project"]["dependencies"]
    assert locked_version(lock, "django") == releases.new_django


def test_updated_project_equals_a_fresh_render_of_the_new_release(untouched, releases, tmp_path):
    given = {key: value for key, value in answers(untouched).items() if not key.startswith("_")}
    fresh = render(releases, tmp_path / "fresh", NEW, **given)
    git(fresh, "init", "-q")

    assert project_files(untouched) == project_files(fresh)
    for name in project_files(fresh):
        ours, theirs = (untouched / name).read_text(), (fresh / name).read_text()
        if name == ".copier-answers.yml":
            ours, theirs = (re.sub(r"(?m)^_commit: .*$", "", text) for text in (ours, theirs))
        assert ours == theirs, f"{name} differs from a fresh render of {NEW}"
