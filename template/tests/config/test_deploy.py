"""The release phase's gate: Django's deploy check, with production settings."""

import subprocess

from config import project
from tests.conftest import PROJECT_DIR, manage, production_env


def test_deploy_check_finds_no_issues_and_silences_only_what_was_declined():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    if project.HSTS_PRELOAD:
        expected = "System check identified no issues (0 silenced)."
    else:
        # HSTS preload was declined when the project was rendered: exactly W021.
        expected = "System check identified no issues (1 silenced)."
    assert expected in result.stdout, result.stdout + result.stderr


def test_deploy_check_fails_the_release_when_debug_is_on():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_DEBUG="true")
    )

    assert result.returncode != 0, "DEBUG on must stop the release"
    assert "security.W018" in result.stderr


def test_release_script_stops_without_a_database_url():
    result = subprocess.run(
        ["bash", "bin/release"],
        cwd=PROJECT_DIR,
        env=production_env(DATABASE_URL=None),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_migrations_are_complete():
    result = manage("makemigrations", "--check", "--dry-run", env=production_env())

    assert result.returncode == 0, f"models changed without a migration:\n{result.stdout}"


def test_settings_import_without_a_database_as_in_the_heroku_build():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = manage("shell", "--verbosity=0", "-c", code, env=production_env(DATABASE_URL=None))

    assert result.returncode == 0, result.stderr
    # No database configured: Django's dummy backend, which fails loudly if used.
    assert result.stdout.strip() == "django.db.backends.dummy"


def test_release_migrates_with_no_statement_time_limit(tmp_path):
    # A `python` that records what the release phase runs it with, so the test needs no
    # database: the config var says 5 s, migrate must run with none.
    shim = tmp_path / "python"
    shim.write_text('#!/bin/sh\necho "$* timeout=${DJANGO_DB_STATEMENT_TIMEOUT:-unset}"\n')
    shim.chmod(0o755)
    env = production_env(DJANGO_DB_STATEMENT_TIMEOUT="5")
    env["PATH"] = f"{tmp_path}:{env.get('PATH', '')}"

    result = subprocess.run(
        ["bash", "bin/release"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "manage.py migrate --noinput timeout=0" in result.stdout
    assert "manage.py check --deploy --fail-level WARNING timeout=5" in result.stdout


def test_a_statement_timeout_of_zero_reaches_postgresql_as_no_limit():
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    env = production_env(
        DATABASE_URL="postgres://user:password@db.example.com:5432/site",
        DJANGO_DB_STATEMENT_TIMEOUT="0",
    )

    result = manage("shell", "--verbosity=0", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert "'-c statement_timeout=0'" in result.stdout
