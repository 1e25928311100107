"""The repository keeps its promises: layout, the README's two commands, CI."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.git import init_and_commit
from tests.support.ports import free_port, wait_for_page
from tests.support.renders import ROOT, checkout_files, child_env, copy_checkout

README_COMMANDS = re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_top_level_is_exactly_the_designed_layout():
    top_level = {name.split("/")[0] for name in checkout_files(ROOT)}

    assert top_level == {
        "copier.yml", "template", "tests", "benchmarks", "docs", "noxfile.py", "README.md",
        "CHANGELOG.md", "LICENSE", ".ci", ".github", ".gitignore", "pyproject.toml", "uv.lock",
        "mkdocs.yml",
    }  # fmt: skip


def test_readme_opens_with_the_render_command_then_the_test_command():
    render, test = README_COMMANDS[:2]

    assert render.startswith("uvx copier@") and " copy " in render
    assert render.endswith("uv run manage.py runserver")
    assert test.startswith("uvx nox")


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()

    assert README_COMMANDS[1] in ci_lines


GITHUB_CI = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
(GITHUB_CI_JOB,) = GITHUB_CI["jobs"].values()


def test_github_ci_runs_the_ci_script_on_every_push_and_pull_request():
    triggers = GITHUB_CI[True]  # YAML reads `on:` as True
    scripts = [step["run"] for step in GITHUB_CI_JOB["steps"] if "run" in step]

    assert {"push", "pull_request"} <= triggers.keys()
    assert "branches" not in (triggers["pull_request"] or {}), "every pull request"
    assert "bash .ci/run" in scripts[-1].splitlines(), "the last step runs .ci/run"


def test_github_ci_runs_on_the_debian_the_ci_script_installs_packages_from():
    """.ci/run installs postgresql-15, nginx-light and chromium with apt: Debian 12's."""
    node = next(step for step in GITHUB_CI_JOB["steps"] if "setup-node" in step.get("uses", ""))

    assert GITHUB_CI_JOB["container"]["image"] == "debian:12"
    assert int(node["with"]["node-version"]) >= 20, "MDN HTTP Observatory needs Node.js 20+"


def test_github_ci_reads_the_repository_and_nothing_more():
    assert GITHUB_CI["permissions"] == {}
    assert GITHUB_CI_JOB["permissions"] == {"contents": "read"}


@pytest.mark.slow
def test_readme_render_command_renders_and_serves_a_project(tmp_path):
    """Runs the README's first command on a clone of this checkout.

    Two changes make it unattended: `--defaults` answers the questions, and runserver
    gets a free port; the test stops it after the home page answers.
    """
    clone = init_and_commit(copy_checkout(tmp_path / "parapet"), "checkout")

    *setup, serve = README_COMMANDS[0].split(" && ")
    setup[0] = setup[0].replace(" copy ", " copy --defaults ", 1)
    prepared = subprocess.run(
        ["bash", "-c", " && ".join(setup)],
        cwd=clone,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    project = tmp_path / "my-site"
    assert (project / "db.sqlite3").exists(), "migrate should have created the database"

    port = free_port()
    server = subprocess.Popen(
        [*serve.split(), f"127.0.0.1:{port}", "--noreload"],
        cwd=project,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = wait_for_page(f"http://127.0.0.1:{port}/", server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "My Site" in body


CHANGELOG_SECTIONS = (ROOT / "CHANGELOG.md").read_text().split("\n## ")[1:]


@pytest.mark.parametrize(
    "section", CHANGELOG_SECTIONS, ids=[section.split("\n")[0] for section in CHANGELOG_SECTIONS]
)
def test_changelog_entry_lists_security_first(section):
    assert section.split("\n### ")[1].startswith("Security\n")


@pytest.mark.parametrize(
    "section", CHANGELOG_SECTIONS, ids=[section.split("\n")[0] for section in CHANGELOG_SECTIONS]
)
def test_changelog_entry_is_unreleased_or_a_dated_release(section):
    heading = section.split("\n")[0]

    assert heading == "Unreleased" or re.fullmatch(
        r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", heading
    )


def test_license_is_present():
    assert Path(ROOT / "LICENSE").read_text().startswith("MIT License")
