"""The rendered project installs from its lock and its own suite passes.

Slow: each render gets its own virtual environment (from the shared uv cache). The
suites run side by side, one render per core (tests/support/suites.py).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.heroku import production_config
from tests.support.postgres_tls import PostgresTLS
from tests.support.renders import ANSWER_SETS, Renders, run
from tests.support.suites import Suite, SuiteRuns, running_suites

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("answers", list(ANSWER_SETS))
def test_lock_is_current_and_installs_exactly(renders, answers):
    project = renders.sync(answers)  # asserts `uv sync --locked` succeeded

    check = run(["uv", "lock", "--check"], cwd=project)
    assert check.returncode == 0, (
        f"template/uv.lock.jinja is stale; run `nox -s lock`:\n{check.stderr}"
    )


POSTGRESQL_ANSWER_SETS = ["default", "no-preload"]
# Answer sets that change nothing the task worker depends on (Python, database) run the
# project's suite without its worker-process tests, which it marks slow.
WORKER_NEUTRAL = {"no-preload", "python-3.12-no-preload", "awkward-text", "api"}


def on_sqlite(project: Path, answers: str) -> Suite:
    return Suite(project, ("-q", "-m", "not slow") if answers in WORKER_NEUTRAL else ("-q",))


def on_postgresql(project: Path, database_url: str, s3_endpoint: str) -> Suite:
    env = {"DATABASE_URL": database_url, "TEST_S3_ENDPOINT_URL": s3_endpoint}
    return Suite(project, ("-q", "-rs"), tuple(env.items()))


@pytest.fixture(scope="module")
def suites(
    renders: Renders, postgres: PostgresTLS, s3_server: str
) -> Iterator[tuple[SuiteRuns, dict[str, Suite]]]:
    """Every suite below started together (tests/support/suites.py), each awaited by its test.

    Renders are synced here, one after another, before any suite starts.
    """
    planned = {f"sqlite-{name}": on_sqlite(renders.sync(name), name) for name in ANSWER_SETS}
    for name in POSTGRESQL_ANSWER_SETS:
        database_url = postgres.create_database(f"suite_{name.replace('-', '_')}")
        planned[f"postgresql-{name}"] = on_postgresql(renders.path(name), database_url, s3_server)
    with running_suites(list(planned.values())) as runs:
        yield runs, planned


@pytest.mark.parametrize("answers", list(ANSWER_SETS))
def test_generated_suite_passes_on_sqlite(suites, answers):
    runs, planned = suites

    result = runs.result(planned[f"sqlite-{answers}"])

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("answers", POSTGRESQL_ANSWER_SETS)
def test_generated_suite_passes_on_postgresql_with_tls_and_s3(suites, answers):
    """The whole suite with nothing skipped: its S3 tests run against moto's server."""
    runs, planned = suites

    result = runs.result(planned[f"postgresql-{answers}"])

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
