"""The one entry point for Parapet's own checks: `uvx nox` runs lint and tests.

Sessions install from this repository's uv.lock, so CI and every developer use the
same tool versions. `nox -s lock` regenerates the lock the template ships.
"""

import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "docs", "tests"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PYTHON = "3.13"
TEMPLATE_LOCK = ROOT / "template" / "uv.lock.jinja"


def sync(session: nox.Session, group: str) -> None:
    """Install one dependency group from uv.lock into the session's environment."""
    session.run_install(
        "uv",
        "sync",
        "--locked",
        "--no-default-groups",
        "--group",
        group,
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the repository and the template's plain Python; mypy over tests/ and tools.

    mypy reads its files and strictness from pyproject.toml; the template's own Python
    is type-checked in a render (tests/test_types.py), where its dependencies exist.
    """
    sync(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site in strict mode: a broken link or anchor fails."""
    sync(session, "docs")
    site = Path(session.create_tmp()) / "site"
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", str(site), env={"NO_MKDOCS_2_WARNING": "1"}
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Render projects and test them (pass pytest arguments after --, e.g. -m 'not slow')."""
    sync(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Measure render time, time to green, memory and throughput; prints, never fails on numbers."""
    sync(session, "test")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(python=PYTHON)
def lock(session: nox.Session) -> None:
    """Regenerate template/uv.lock.jinja from template/pyproject.toml.jinja.

    The template ships one lock body per `api` answer in one file; tests/support/lock.py
    renders the template for each, runs `uv lock` there (pass --upgrade after -- to take
    new releases) and writes the bodies back with their root package's name templated.
    """
    sync(session, "test")
    session.run("python", "-m", "tests.support.lock", *session.posargs)
    if shutil.which("git"):
        session.run("git", "diff", "--stat", str(TEMPLATE_LOCK), external=True)
