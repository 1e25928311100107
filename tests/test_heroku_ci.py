"""Heroku CI runs the project's suite on its in-dyno PostgreSQL, over TLS.

The in-dyno database is emulated by a local PostgreSQL set up as Heroku CI sets its
own up (no TLS, a superuser in DATABASE_URL, the server run by the same OS user as
the tests); app.json's test-setup script must turn TLS on before the suite runs.
"""

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from tests.support.renders import run

SETUP_SCRIPT = "bin/heroku-ci-postgres-tls"


def test_app_json_runs_the_suite_on_heroku_ci(renders):
    app = json.loads((renders.path("default") / "app.json").read_text())
    test = app["environments"]["test"]

    assert test["addons"] == ["heroku-postgresql:in-dyno"]
    assert test["scripts"] == {"test-setup": SETUP_SCRIPT, "test": "pytest"}


def run_setup(project: Path, database_url: str | None):
    """The test-setup script, run as the OS user that runs the server (as in the dyno)."""
    readable = Path(tempfile.mkdtemp(prefix="heroku-ci-"))
    try:
        script = readable / "setup"
        shutil.copy(project / SETUP_SCRIPT, script)
        readable.chmod(0o755)
        script.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        environment = [f"PATH={os.environ['PATH']}"]
        if database_url:
            environment.append(f"DATABASE_URL={database_url}")
        as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return run([*as_server, "env", "-i", *environment, "bash", str(script)], cwd=readable)
    finally:
        shutil.rmtree(readable)


def ssl_of_a_connection(database_url: str, sslmode: str) -> str:
    result = run(
        ["psql", database_url, "--no-psqlrc", "--tuples-only", "--no-align", "--command",
         "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"],
        cwd=Path(tempfile.gettempdir()),
        PGSSLMODE=sslmode,
    )  # fmt: skip
    return result.stdout.strip() if result.returncode == 0 else result.stderr


@pytest.mark.slow
def test_setup_turns_tls_on_in_the_in_dyno_database(renders, in_dyno):
    database_url = in_dyno.create_database("setup_probe")
    assert ssl_of_a_connection(database_url, "disable") == "f", "the emulation must start plain"

    result = run_setup(renders.path("default"), database_url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert ssl_of_a_connection(database_url, "require") == "t"


@pytest.mark.slow
def test_suite_passes_on_the_in_dyno_database_after_setup(renders, in_dyno):
    project = renders.sync("default")
    database_url = in_dyno.create_database("heroku_ci")
    setup = run_setup(project, database_url)
    assert setup.returncode == 0, setup.stdout + setup.stderr

    result = run([".venv/bin/pytest", "-q", "-rs"], cwd=project, DATABASE_URL=database_url)

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    # Heroku CI has no S3 API server, so the S3 tests alone are skipped there; they run
    # in the project's GitHub workflow and in this repository's tests against moto.
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("needs an S3 API server" in line for line in skipped), (
        "on PostgreSQL no test but the S3 ones may be skipped:\n" + result.stdout
    )


def test_setup_explains_a_missing_database(renders):
    result = run_setup(renders.path("default"), None)

    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
