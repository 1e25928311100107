"""GitHub files, in this repository and in the rendered project, pass real validators.

The validators come from PyPI and run offline (every HTTP request would go to a
closed port): the GitHub workflow and Dependabot JSON schemas vendored in
check-jsonschema, zizmor's security audits of workflows, shellcheck over every `run:`
script, and pre-commit's own config validation.
"""

import tempfile
from pathlib import Path

import pytest
import yaml

from tests.support.renders import ROOT, run

WORKFLOWS = sorted(
    [
        *(ROOT / ".github" / "workflows").glob("*.yml"),
        *(ROOT / "template" / ".github" / "workflows").glob("*.yml"),
    ]
)
DEPENDABOT = [ROOT / ".github" / "dependabot.yml", ROOT / "template" / ".github" / "dependabot.yml"]
WORKFLOW_IDS = [str(path.relative_to(ROOT)) for path in WORKFLOWS]
DEPENDABOT_IDS = [str(path.relative_to(ROOT)) for path in DEPENDABOT]
# Any request a validator makes goes to a closed port and fails: they must not need one.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def tool(name: str) -> str:
    """A validator installed in this environment by the test dependency group."""
    path = Path(__import__("sys").executable).parent / name
    assert path.exists(), f"{name} is missing: run `uv sync --group test` (pyproject.toml)"
    return str(path)


def run_steps(workflow: Path) -> list[tuple[str, str]]:
    """(job/step name, script) for every `run:` step of a workflow."""
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    return [
        (f"{job_id}/{step.get('name', step['run'].splitlines()[0])}", step["run"])
        for job_id, job in jobs.items()
        for step in job["steps"]
        if "run" in step
    ]


def test_there_are_workflows_to_validate():
    assert {
        ".github/workflows/ci.yml",
        ".github/workflows/relock.yml",
        "template/.github/workflows/ci.yml",
        "template/.github/workflows/template-update.yml",
    } <= set(WORKFLOW_IDS)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=WORKFLOW_IDS)
def test_workflow_matches_the_github_workflow_schema(workflow):
    result = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        cwd=ROOT,
        **OFFLINE,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("config", DEPENDABOT, ids=DEPENDABOT_IDS)
def test_dependabot_config_matches_the_dependabot_schema(config):
    result = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(config)],
        cwd=ROOT,
        **OFFLINE,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_rendered_dependabot_covers_uv_actions_and_pre_commit():
    config = yaml.safe_load((ROOT / "template" / ".github" / "dependabot.yml").read_text())

    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"uv", "github-actions", "pre-commit"}


@pytest.mark.parametrize("github_file", WORKFLOWS + DEPENDABOT, ids=WORKFLOW_IDS + DEPENDABOT_IDS)
def test_zizmor_finds_no_security_issue(github_file):
    """Workflows, and Dependabot configs (a cooldown of at least a week among the audits)."""
    result = run(
        [tool("zizmor"), "--offline", "--persona", "pedantic", "--min-severity", "low",
         "--no-progress", str(github_file)],
        cwd=ROOT,
        **OFFLINE,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


def test_rendered_dependabot_waits_a_week_before_proposing_a_release():
    config = yaml.safe_load((ROOT / "template" / ".github" / "dependabot.yml").read_text())

    for update in config["updates"]:
        assert update.get("cooldown", {}).get("default-days", 0) >= 7, update["package-ecosystem"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=WORKFLOW_IDS)
def test_run_scripts_take_no_workflow_expressions(workflow):
    """Values reach scripts through env: no injection, and the scripts run as plain bash."""
    for name, script in run_steps(workflow):
        assert "${{" not in script, f"{name} interpolates a workflow expression"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=WORKFLOW_IDS)
def test_run_scripts_pass_shellcheck(workflow):
    for name, script in run_steps(workflow):
        with tempfile.NamedTemporaryFile("w", suffix=".sh") as handle:
            # GitHub runs each script as `bash --noprofile --norc -eo pipefail {0}`.
            handle.write("#!/usr/bin/env bash\nset -eo pipefail\n" + script)
            handle.flush()
            result = run([tool("shellcheck"), "--shell=bash", handle.name], cwd=ROOT)
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"


def test_pre_commit_config_is_valid():
    config = ROOT / "template" / ".pre-commit-config.yaml"

    result = run([tool("pre-commit"), "validate-config", str(config)], cwd=ROOT, **OFFLINE)

    assert result.returncode == 0, result.stdout + result.stderr


def test_github_files_of_the_project_need_no_answers():
    """Copied verbatim: GitHub's ${{ }} expressions would clash with Jinja."""
    github = ROOT / "template" / ".github"

    assert not [path for path in github.rglob("*") if path.name.endswith(".jinja")]
