"""The one entry point for Parapet's own checks: `uvx nox` runs lint and tests.

Sessions install from this repository's uv.lock, so CI and every developer use the
same tool versions. `nox -s lock` regenerates the lock the template ships.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "docs", "tests"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PYTHON = "3.13"
TEMPLATE_LOCK = ROOT / "template" / "uv.lock.jinja"
# The root package's name in the template's lock is rendered from the slug.
LOCK_ROOT_NAME = 'name = "{{ project_distribution_name }}"'


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
    """ruff lint and format check over the repository and the template's plain Python."""
    sync(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


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
    session.run("python", "-m", "tests.benchmarks")


@nox.session(python=PYTHON)
def lock(session: nox.Session) -> None:
    """Regenerate template/uv.lock.jinja from template/pyproject.toml.jinja.

    The template ships two lock bodies in one file, chosen by the `api` answer: the
    default one and one with the REST API's dependencies. For each, renders the template
    with default answers (and api on or off), runs `uv lock` there (pass --upgrade after
    -- to take new releases), and writes the body back with its root package name
    templated again.
    """
    sync(session, "test")
    bodies = {api: locked_body(session, api) for api in (False, True)}
    TEMPLATE_LOCK.write_text(
        "{% if api -%}\n" + bodies[True] + "{% else -%}\n" + bodies[False] + "{% endif %}"
    )
    session.log(f"wrote {TEMPLATE_LOCK.relative_to(ROOT)}")
    if shutil.which("git"):
        session.run("git", "diff", "--stat", str(TEMPLATE_LOCK), external=True)


def locked_body(session: nox.Session, api: bool) -> str:
    """`uv lock` in a render with this `api` answer; the lock with its root name templated."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        session.run(
            "copier", "copy", "--defaults", "--quiet", "--vcs-ref=HEAD",
            "--data", "project_slug=lock_probe", "--data", f"api={str(api).lower()}",
            str(ROOT), str(project),
        )  # fmt: skip
        (project / "uv.lock").unlink()
        env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
        env.pop("UV_PROJECT_ENVIRONMENT", None)
        subprocess.run(["uv", "lock", *session.posargs], cwd=project, env=env, check=True)
        text = (project / "uv.lock").read_text()
    marker = 'name = "lock-probe"'
    if text.count(marker) != 1:
        session.error(f"expected exactly one {marker!r} in the new lock")
    return text.replace(marker, LOCK_ROOT_NAME)
