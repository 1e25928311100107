"""The rendered project installs from its lock and its own suite passes.

Slow: each render gets its own virtual environment (from the shared uv cache).
"""

import os

import pytest

from tests.support.heroku import production_config
from tests.support.renders import ANSWER_SETS, run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("answers", list(ANSWER_SETS))
def test_lock_is_current_and_installs_exactly(renders, answers):
    project = renders.sync(answers)  # asserts `uv sync --locked` succeeded

    check = run(["uv", "lock", "--check"], cwd=project)
    assert check.returncode == 0, (
        f"template/uv.lock.jinja is stale; run `nox -s lock`:\n{check.stderr}"
    )


@pytest.mark.parametrize("answers", list(ANSWER_SETS))
def test_generated_suite_passes_on_sqlite(renders, answers):
    project = renders.sync(answers)

    result = run([".venv/bin/pytest", "-q"], cwd=project)

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("answers", ["default", "no-preload"])
def test_generated_suite_passes_on_postgresql_with_tls_and_s3(
    renders, postgres, s3_server, answers
):
    """The whole suite with nothing skipped: its S3 tests run against moto's server."""
    project = renders.sync(answers)
    database_url = postgres.create_database(f"suite_{answers.replace('-', '_')}")

    result = run(
        [".venv/bin/pytest", "-q", "-rs"],
        cwd=project,
        DATABASE_URL=database_url,
        TEST_S3_ENDPOINT_URL=s3_server,
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "skipped" not in result.stdout, "with PostgreSQL and S3 no test may be skipped:\n" + (
        result.stdout
    )
    assert "sqlite" not in result.stdout.lower()


def deploy_env(**extra: str) -> dict[str, str]:
    return production_config(**{"DATABASE_URL": "sqlite:///deploy-check.sqlite3", **extra})


def test_default_render_passes_the_deploy_check_with_nothing_silenced(renders):
    project = renders.sync("default")

    result = run(
        [".venv/bin/python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=project,
        **deploy_env(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_declined_preload_silences_exactly_w021(renders):
    project = renders.sync("no-preload")

    result = run(
        [".venv/bin/python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=project,
        **deploy_env(),
    )
    settings = (project / "config" / "settings.py").read_text()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (1 silenced)."
    assert 'SILENCED_SYSTEM_CHECKS = ["security.W021"]' in settings


def test_release_script_migrates_a_tls_only_postgresql(renders, postgres):
    project = renders.sync("default")
    database_url = postgres.create_database("release_default")

    result = run(
        ["bash", "bin/release"],
        cwd=project,
        PATH=f"{project / '.venv' / 'bin'}:{os.environ['PATH']}",
        **deploy_env(DATABASE_URL=database_url),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "Applying users.0001_initial... OK" in result.stdout
