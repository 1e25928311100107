"""Fixtures that render projects from this checkout and start the services they need.

Each answer set is rendered once per run and each render is synced once; PostgreSQL
and the S3 API server start once. Everything started here is stopped here.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import copier
import pytest

from tests.postgres_tls import PostgresTLS, running_postgres_tls

ROOT = Path(__file__).resolve().parent.parent
# moto's S3 API server, installed by uvx into a throwaway tool environment of its own.
MOTO_SERVER = "moto[server]==5.2.5"

# Awkward but valid free text: quotes, apostrophes, backslashes, non-ASCII letters,
# Markdown and HTML syntax, and text that looks like Jinja.
AWKWARD_TEXT = {
    "project_name": 'Ça "marche" l\'été \\o/ {{ boom }} *à* <b>',
    "description": 'Fête\'s "best" {% raw %} \\n <script>alert(1)</script> `code` [x](y)',
    "author_name": 'Zoë O\'Brien "ZB" \\ {# note #}',
}

ANSWER_SETS: dict[str, dict[str, object]] = {
    "default": {},
    "python-3.12": {"python_version": "3.12"},
    "no-preload": {"hsts_preload": False},
    "python-3.12-no-preload": {"python_version": "3.12", "hsts_preload": False},
    "awkward-text": {**AWKWARD_TEXT, "project_slug": "awkward_site"},
    "api": {"api": True},
    "api-without-documents": {"api": True, "documents": False},
}
# The optional parts (each a Copier question that brings its own files). Every
# combination of them renders lint-clean (tests/test_render.py); the answer sets above
# run the generated suites and deploys of the combinations that matter.
OPTIONAL_PARTS = ("documents", "api")

# Variables a child process may inherit; everything else (DJANGO_*, VIRTUAL_ENV, nox's
# UV_PROJECT_ENVIRONMENT...) would leak this runner's state into the project.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_ROOT", "PYENV_VERSION",
             "UV_CACHE_DIR", "UV_PYTHON_DOWNLOADS", "UV_INDEX_URL", "UV_DEFAULT_INDEX",
             "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CI")  # fmt: skip


def child_env(**extra: str) -> dict[str, str]:
    """A minimal environment for running uv, pytest or manage.py in a render."""
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.update(extra)
    return env


def run(
    args: list[str], cwd: Path, timeout: float = 600, **env: str
) -> subprocess.CompletedProcess:
    """Run a command in a render; the caller asserts on returncode and output."""
    return subprocess.run(
        args,
        cwd=cwd,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def checkout_files(root: Path) -> list[str]:
    """Files of this checkout as git sees them: tracked plus untracked, not ignored."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in listing.stdout.split("\0") if name and (root / name).exists()]


def copy_checkout(destination: Path) -> Path:
    """Copy the working tree (with uncommitted edits) to a plain directory."""
    for name in checkout_files(ROOT):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return destination


@dataclass
class Renders:
    """Renders each answer set once, and syncs each render's environment once."""

    template: Path
    workspace: Path
    rendered: dict[str, Path] = field(default_factory=dict)
    synced: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        if name not in self.rendered:
            destination = self.workspace / name
            copier.run_copy(
                str(self.template),
                str(destination),
                data=dict(ANSWER_SETS[name]),
                defaults=True,
                unsafe=False,
                quiet=True,
            )
            self.rendered[name] = destination
        return self.rendered[name]

    def sync(self, name: str) -> Path:
        """`uv sync --locked` (dev group included), as a developer does after copying."""
        project = self.path(name)
        if name not in self.synced:
            self.synced[name] = run(["uv", "sync", "--locked"], cwd=project)
        result = self.synced[name]
        assert result.returncode == 0, f"uv sync --locked failed:\n{result.stderr}"
        return project


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_checkout(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def renders(template_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Renders:
    return Renders(template=template_dir, workspace=tmp_path_factory.mktemp("renders"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresTLS]:
    """PostgreSQL 15 accepting TLS connections only, as Heroku Postgres does."""
    with running_postgres_tls(Path(tempfile.gettempdir())) as server:
        yield server


# Lines for the end of the run (grades, scores, timings): shown in every CI log, never
# asserted. Tests add them through the `report` fixture.
REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    return request.config.stash.setdefault(REPORT, []).append


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("reports")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def deployments(renders, postgres, tmp_path_factory, report):
    """Each answer set deployed once per run, shared by the deploy-simulation modules."""
    from tests.test_deploy_simulation import Deployments

    return Deployments(renders, postgres, tmp_path_factory.mktemp("deploys"), report)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """An S3 API server (moto's server mode) on 127.0.0.1; yields its endpoint URL.

    It stands in for AWS only: renders' suites talk S3 to it over HTTP. The first run
    installs moto from PyPI through uvx's cache.
    """
    from tests.heroku import free_port, wait_for_port

    if shutil.which("uvx") is None:
        pytest.fail("uvx is missing: install uv (python3 -m pip install uv) to start moto")
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        ["uvx", "--from", MOTO_SERVER, "moto_server", "-H", "127.0.0.1", "-p", str(port)],
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        try:
            wait_for_port(port, process, limit=300)
        except (RuntimeError, TimeoutError) as error:
            pytest.fail(f"moto's S3 server did not start ({error}):\n{Path(log.name).read_text()}")
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


@dataclass
class SMTPServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

    It waits `delay` seconds before accepting each message, as a slow provider does.
    """

    port: int
    delay: float = 0.0
    received: list = field(default_factory=list)  # aiosmtpd envelopes, in order

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        import asyncio

        await asyncio.sleep(self.delay)
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    """An SMTP server on loopback that takes 300 ms per message."""
    from aiosmtpd.controller import Controller

    from tests.heroku import free_port

    server = SMTPServer(free_port(), delay=0.3)
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
