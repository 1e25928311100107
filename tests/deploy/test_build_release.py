"""The slug holds only committed files, the build collects static files, and the
release phase migrates the TLS-only database or refuses a broken configuration."""

import json

import pytest

from tests.support.deployments import database_name, table_exists
from tests.support.heroku import run_release

pytestmark = pytest.mark.slow


# --- Slug and build ---------------------------------------------------------------


def test_slug_holds_only_committed_files(site):
    render, slug = site.deployment.render, site.deployment.slug

    assert (render / ".env").is_file(), "copier writes .env with DJANGO_ENV=development"
    assert not (slug / ".env").exists(), "a git-ignored .env must never reach Heroku"


def test_build_collects_hashed_and_compressed_static_files(site):
    static_root = site.deployment.slug / "staticfiles"
    hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"]["css/site.css"]

    assert hashed != "css/site.css"
    assert (static_root / f"{hashed}.gz").is_file()
    assert (static_root / f"{hashed}.br").is_file()


# --- Release ----------------------------------------------------------------------


def test_release_migrates_the_tls_only_database(site):
    deployment = site.deployment

    assert table_exists(deployment.slug, deployment.database_url, "django_migrations")
    assert table_exists(deployment.slug, deployment.database_url, "users_user")


BROKEN_CONFIGURATIONS = {
    "debug-on": ({"DJANGO_DEBUG": "true"}, "security.W018"),
    "no-allowed-hosts": ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS is empty"),
    "weak-secret": ({"DJANGO_SECRET_KEY": "too-short-to-sign"}, "DJANGO_SECRET_KEY is too weak"),
}


@pytest.mark.parametrize("broken", list(BROKEN_CONFIGURATIONS))
def test_release_aborts_before_any_migration_on_broken_configuration(site, postgres, broken):
    deployment = site.deployment
    overrides, reason = BROKEN_CONFIGURATIONS[broken]
    database_url = postgres.create_database(database_name("broken", deployment.name, broken))

    release = run_release(
        deployment.slug, {**deployment.config_vars, **overrides, "DATABASE_URL": database_url}
    )

    assert release.returncode != 0, f"the release must refuse {broken}:\n{release.stdout}"
    assert reason in release.stderr, release.stderr
    assert not table_exists(deployment.slug, database_url, "django_migrations"), (
        "no migration may run before the deploy check passes"
    )
