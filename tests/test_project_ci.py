"""The rendered project's CI checks what it promises, and a fresh render passes it.

Steps that need GitHub (checkout, a Docker PostgreSQL) cannot run here; their commands
are the ones test_generated_project.py already runs against a TLS-only PostgreSQL.
What can run here does: the pre-commit hooks (each tool from PyPI at the revision the
config pins), bandit, and the vulnerability audit, which must fail when it cannot
reach its database.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.git import committed_copy
from tests.support.renders import ROOT, run
from tests.support.s3 import MOTO_SERVER

PROJECT_GITHUB = ROOT / "template" / ".github"
CI = yaml.safe_load((PROJECT_GITHUB / "workflows" / "ci.yml").read_text())
TEMPLATE_UPDATE = yaml.safe_load((PROJECT_GITHUB / "workflows" / "template-update.yml").read_text())
RELOCK = yaml.safe_load((ROOT / ".github" / "workflows" / "relock.yml").read_text())
PRE_COMMIT_TEXT = (ROOT / "template" / ".pre-commit-config.yaml").read_text()
PRE_COMMIT = yaml.safe_load(PRE_COMMIT_TEXT)
REMOTE_HOOK_REPOS = [repo for repo in PRE_COMMIT["repos"] if repo["repo"] != "local"]
LOCAL_HOOKS = [hook for repo in PRE_COMMIT["repos"] if repo["repo"] == "local"
               for hook in repo["hooks"]]  # fmt: skip
FULL_SHA = re.compile(r"[0-9a-f]{40}")


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step_named(workflow: dict[Any, Any], prefix: str) -> dict[str, Any]:
    matching = [step for step in steps(workflow) if step.get("name", "").startswith(prefix)]
    assert len(matching) == 1, f"expected one step named {prefix!r}"
    return matching[0]


def ci_scripts() -> str:
    return "\n".join(step["run"] for step in steps(CI) if "run" in step)


# --- What the workflows promise --------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "uv run ruff check .",
        "uv run ruff format --check .",
        "pre-commit@",
        "run --all-files",
        "uv run pytest",
        "manage.py makemigrations --check",
        "uv run bin/release",
        "bandit@",
        "pip-audit@",
    ],
)
def test_ci_runs_the_check(command):
    assert command in ci_scripts()


def test_ci_installs_exactly_the_lock():
    assert CI["env"]["UV_LOCKED"] == "1"


def test_ci_audit_fails_instead_of_passing_when_it_cannot_audit():
    audit = step_named(CI, "pip-audit")["run"]

    assert "--strict" in audit
    assert "uv export" in audit


def test_ci_postgresql_requires_tls_as_heroku_postgres_does():
    start = step_named(CI, "Start PostgreSQL")["run"]

    assert "-c ssl=on" in start
    assert "sslmode=require" in start


def test_ci_runs_the_s3_tests_against_moto_on_loopback():
    start = step_named(CI, "Start an S3 API server")["run"]

    assert f"uvx --from '{MOTO_SERVER}' moto_server -H 127.0.0.1 -p 5000" in start
    assert '"TEST_S3_ENDPOINT_URL=http://127.0.0.1:5000" >> "${GITHUB_ENV}"' in start


def test_ci_runs_weekly_so_new_advisories_fail_the_audit():
    assert CI[True]["schedule"], "ci.yml needs a schedule (YAML reads `on:` as True)"


def test_ci_reads_the_repository_and_nothing_more():
    assert CI["permissions"] == {"contents": "read"}


def job_running(workflow: dict[Any, Any], prefix: str) -> tuple[str, dict[str, Any]]:
    """The job (its id and body) with the step named `prefix`."""
    for job_id, job in workflow["jobs"].items():
        if any(step.get("name", "").startswith(prefix) for step in job["steps"]):
            return job_id, job
    raise AssertionError(f"no job has a step named {prefix!r}")


def test_template_update_runs_the_new_release_in_a_job_that_can_only_read():
    _, update = job_running(TEMPLATE_UPDATE, "Update from the template")

    assert update["permissions"] == {"contents": "read"}
    assert "secrets." not in yaml.safe_dump(update), "no secret where the release's code runs"


def test_template_update_holds_the_write_token_in_another_job_behind_an_environment():
    update_id, _ = job_running(TEMPLATE_UPDATE, "Update from the template")
    _, pull_request = job_running(TEMPLATE_UPDATE, "Open or update the pull request")

    assert pull_request["needs"] == update_id
    assert pull_request["environment"] == "template-update"
    assert pull_request["permissions"] == {"contents": "write", "pull-requests": "write"}
    scripts = [step["run"] for step in pull_request["steps"] if "run" in step]
    assert scripts == ['git apply --index "${RUNNER_TEMP}/template-update/update.patch"'], (
        "the job with the token runs nothing but `git apply` of the update's patch"
    )


def test_template_update_runs_weekly_and_uses_a_token_secret_when_present():
    open_pr = step_named(TEMPLATE_UPDATE, "Open or update the pull request")

    assert TEMPLATE_UPDATE[True]["schedule"]
    token = open_pr["with"]["token"]
    assert token == "${{ secrets.TEMPLATE_UPDATE_TOKEN || github.token }}"  # noqa: S105


def test_template_update_never_trusts_the_template():
    update = step_named(TEMPLATE_UPDATE, "Update from the template")["run"]
    copier_lines = [line for line in update.splitlines() if "copier@" in line]

    assert len(copier_lines) == 1 and " update --defaults" in copier_lines[0]
    assert "--trust" not in copier_lines[0] and "--unsafe" not in copier_lines[0]


def test_template_relock_runs_the_nox_lock_session_weekly():
    relock = step_named(RELOCK, "Relock")["run"]

    assert RELOCK[True]["schedule"]
    assert "nox@" in relock and "-s lock -- --upgrade" in relock
    token = step_named(RELOCK, "Open or update")["with"]["token"]
    assert token == "${{ secrets.RELOCK_TOKEN || github.token }}"  # noqa: S105


def test_pre_commit_hook_repositories_are_pinned_by_commit_with_the_tag_in_a_comment():
    for repo in REMOTE_HOOK_REPOS:
        assert FULL_SHA.fullmatch(repo["rev"]), f"{repo['repo']} is pinned by {repo['rev']!r}"
        assert frozen_tag(repo), f"{repo['repo']}: say which tag the commit is (# frozen: vX)"


def test_local_pre_commit_hooks_run_the_tools_uv_lock_pins():
    assert LOCAL_HOOKS, "ruff and django-upgrade run from the project's lock"
    for hook in LOCAL_HOOKS:
        assert hook["language"] == "system"
        assert hook["entry"].startswith("uv run --locked "), hook["entry"]


def frozen_tag(repo: dict[str, Any]) -> str:
    """The tag a pinned commit is, from its `# frozen: <tag>` comment."""
    found = re.search(
        rf"repo: {re.escape(repo['repo'])}\n\s+rev: {repo['rev']} # frozen: (\S+)", PRE_COMMIT_TEXT
    )
    return found.group(1) if found else ""


def test_pre_commit_has_the_promised_hooks():
    hooks = {hook["id"] for repo in PRE_COMMIT["repos"] for hook in repo["hooks"]}

    assert {
        "ruff-check",
        "ruff-format",
        "django-upgrade",
        "detect-private-key",
        "detect-secrets",
        "check-added-large-files",
        "check-merge-conflict",
    } <= hooks


# --- What runs here on a fresh render --------------------------------------------------


@pytest.fixture(scope="module")
def committed_render(renders, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the default render, committed to git as its developer would."""
    return committed_copy(renders.path("default"), tmp_path_factory.mktemp("ci") / "site")


# Each hook repository's tool on PyPI, and what its hooks run (their .pre-commit-hooks.yaml).
HOOK_PACKAGES = {
    "https://github.com/pre-commit/pre-commit-hooks": "pre-commit-hooks",
    "https://github.com/Yelp/detect-secrets": "detect-secrets",
}
HOOK_ENTRIES = {
    "detect-private-key": ["detect-private-key"],
    "check-added-large-files": ["check-added-large-files"],
    "check-merge-conflict": ["check-merge-conflict"],
    "detect-secrets": ["detect-secrets-hook"],
}
# pre-commit fails a hook that rewrites files; --check makes the formatter say so.
CHECK_ONLY = {"ruff-format": ["--check"]}
HOOKS = [(repo, hook) for repo in PRE_COMMIT["repos"] for hook in repo["hooks"]]


def hook_command(repo: dict[str, Any], hook: dict[str, Any]) -> list[str]:
    """What pre-commit runs for a hook, before the file names."""
    if repo["repo"] == "local":
        return [*hook["entry"].split(), *CHECK_ONLY.get(hook["id"], []), *hook.get("args", [])]
    assert repo["repo"] in HOOK_PACKAGES, f"map {repo['repo']} to its PyPI package here"
    assert hook["id"] in HOOK_ENTRIES, f"map the hook {hook['id']} to its command here"
    package = f"{HOOK_PACKAGES[repo['repo']]}=={frozen_tag(repo).removeprefix('v')}"
    return ["uvx", "--from", package, *HOOK_ENTRIES[hook["id"]], *hook.get("args", [])]


@pytest.mark.slow
@pytest.mark.parametrize(("repo", "hook"), HOOKS, ids=[hook["id"] for _, hook in HOOKS])
def test_fresh_render_passes_its_pre_commit_hook(committed_render, repo, hook):
    listed = run(["git", "ls-files"], cwd=committed_render).stdout.split()
    python_only = "python" in hook.get("types", []) + hook.get("types_or", [])
    files = [
        name
        for name in listed
        if (not python_only or name.endswith(".py"))
        and not re.search(hook.get("exclude", "^$"), name)
    ]

    result = run([*hook_command(repo, hook), *files], cwd=committed_render)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.slow
def test_fresh_render_passes_the_ci_bandit_step(committed_render):
    result = run(
        ["bash", "-eo", "pipefail", "-c", step_named(CI, "bandit")["run"]], cwd=committed_render
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.slow
def test_ci_audit_fails_when_the_vulnerability_service_is_unreachable(committed_render, tmp_path):
    audit = step_named(CI, "pip-audit")["run"]
    pinned = re.search(r"uvx (pip-audit@\S+)", audit)
    assert pinned, f"the audit step names no pinned pip-audit:\n{audit}"
    tool = pinned.group(1)
    installed = run(["uvx", tool, "--version"], cwd=committed_render)
    assert installed.returncode == 0, installed.stderr

    # From uv's cache, with every request sent to a closed port.
    result = run(
        ["bash", "-eo", "pipefail", "-c", audit],
        cwd=committed_render,
        RUNNER_TEMP=str(tmp_path),
        UV_LOCKED="1",
        UV_OFFLINE="1",
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY="",
    )

    assert result.returncode != 0, (
        "the audit passed without reaching its database:\n" + (result.stdout[-3000:])
    )
    assert "pypi.org" in result.stderr or "could not be audited" in result.stderr, result.stderr
