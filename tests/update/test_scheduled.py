"""The rendered template-update workflow's update step, run as GitHub would run it."""

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.git import commit_all
from tests.support.releases import (
    NEW,
    OLD,
    add_dependency_next_to_django,
    answers,
    files_with_conflict_markers,
    render_and_commit,
    replace_once,
    unmerged_paths,
)
from tests.support.renders import ROOT, run

TEMPLATE_UPDATE = ROOT / "template" / ".github" / "workflows" / "template-update.yml"


def run_update_step(
    project: Path, workspace: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """The step's script under bash, with the files GitHub provides; (result, outputs, body)."""
    jobs = yaml.safe_load(TEMPLATE_UPDATE.read_text())["jobs"]
    (script,) = [step["run"] for step in jobs["update"]["steps"] if step.get("id") == "update"]
    outputs = workspace / "github-output"
    outputs.write_text("")
    result = run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=project,
        RUNNER_TEMP=str(workspace),
        GITHUB_OUTPUT=str(outputs),
    )
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    # The step hands the pull request's body and the patch on in $RUNNER_TEMP/template-update.
    handoff = workspace / "template-update" / "body.md"
    body = handoff.read_text() if handoff.exists() else ""
    return result, values, body


@pytest.mark.slow
def test_scheduled_update_brings_the_new_release(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")

    result, outputs, body = run_update_step(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert (outputs["before"], outputs["after"]) == (OLD, NEW)
    assert answers(project)["_commit"] == NEW
    assert f"{OLD} → {NEW}" in body
    assert "Conflicts" not in body


@pytest.mark.slow
def test_scheduled_update_resolves_dependency_conflicts_itself(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    add_dependency_next_to_django(project)

    result, _, body = run_update_step(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert files_with_conflict_markers(project) == []
    assert unmerged_paths(project) == []
    assert "Conflicts" not in body
    assert "`bin/resolve-dependencies`" in body


@pytest.mark.slow
def test_scheduled_update_lists_the_conflicts_a_person_must_resolve(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    replace_once(
        project / "config" / "settings.py",
        r"^SESSION_COOKIE_AGE = .*$",
        "SESSION_COOKIE_AGE = 60 * 60 * 24 * 7",
    )
    commit_all(project, "Sessions last a week")

    result, _, body = run_update_step(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "**Conflicts to resolve**" in body
    assert "- `config/settings.py`" in body


def test_scheduled_update_explains_a_template_it_cannot_reach(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    answers_file = project / ".copier-answers.yml"
    replace_once(answers_file, r"^_src_path: .*$", "_src_path: /nowhere/parapet")
    commit_all(project, "A template path only one machine had")

    result, _, _ = run_update_step(project, tmp_path)

    assert result.returncode != 0
    assert "::error file=.copier-answers.yml::_src_path is '/nowhere/parapet'" in result.stdout
