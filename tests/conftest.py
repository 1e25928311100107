"""Fixtures every part of the suite shares: renders of this checkout and the services
they need. The harness code behind them lives in tests/support/.

Each answer set is rendered once per run and each render is synced once; PostgreSQL
and the S3 API server start once. Everything started here is stopped here. Fixtures
of one part live in that part's conftest.py (tests/deploy/, tests/update/,
tests/browser/).
"""

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.postgres_tls import PostgresTLS, running_postgres_tls
from tests.support.renders import Renders, copy_checkout
from tests.support.s3 import running_s3_server
from tests.support.smtp import SMTPServer, running_smtp_server


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


@pytest.fixture(scope="module")
def in_dyno() -> Iterator[PostgresTLS]:
    """PostgreSQL set up as Heroku CI's in-dyno database: no TLS, a superuser."""
    with running_postgres_tls(Path(tempfile.gettempdir()), in_dyno=True) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """An S3 API server (moto's server mode) on 127.0.0.1; yields its endpoint URL.

    It stands in for AWS only: renders' suites talk S3 to it over HTTP.
    """
    with running_s3_server() as endpoint:
        yield endpoint


# Lines for the end of the run (grades, scores, timings): shown in every CI log, never
# asserted. Tests add them through the `report` fixture.
REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    return request.config.stash.setdefault(REPORT, []).append


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    lines = config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("reports")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    """An SMTP server on loopback that takes 300 ms per message, as a slow provider."""
    with running_smtp_server(delay=0.3) as server:
        yield server
