"""The default render in production mode behind the router, set up for a browser.

`serving_for_browser` builds a slug of a render, migrates a SQLite database, creates
an admin enrolled in TOTP, and serves the Procfile's web process behind the router;
`launched_chromium` starts Debian's headless Chromium through Playwright.
"""

import contextlib
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import Browser, sync_playwright

from tests.support.heroku import (
    Router,
    build_slug,
    production_config,
    running_router,
    running_web,
    slug_env,
)
from tests.support.ports import free_port
from tests.support.renders import run

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = secrets.token_urlsafe(16)


class BrowserSite(NamedTuple):
    router: Router
    admin_path: str
    totp_secret: str


@contextlib.contextmanager
def serving_for_browser(render: Path, workdir: Path) -> Iterator[BrowserSite]:
    """The render's slug behind the router, with an admin (ADMIN_EMAIL) enrolled in TOTP."""
    project = build_slug(render, workdir / "slug")
    env = slug_env(
        project,
        **production_config(
            DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
            DJANGO_ALLOWED_HOSTS="localhost",
            WEB_CONCURRENCY="2",
            DJANGO_SUPERUSER_EMAIL=ADMIN_EMAIL,
            DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
        ),
    )
    python = str(project / ".venv" / "bin" / "python")
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"],
                    ["createsuperuser", "--noinput"], ["enrol_totp", ADMIN_EMAIL]):  # fmt: skip
        result = run([python, "manage.py", *command], cwd=project, **env)
        assert result.returncode == 0, result.stdout + result.stderr
    # The admin asks for a code after the password; enrol_totp printed the secret.
    enrolled = re.search(r"secret: ([A-Z2-7]+)", result.stdout)
    assert enrolled, f"enrol_totp printed no secret:\n{result.stdout}"
    admin_path = run(
        [python, "manage.py", "shell", "--verbosity=0", "-c",
         "from django.conf import settings; print(settings.ADMIN_URL_PATH)"],
        cwd=project, **env,
    ).stdout.strip()  # fmt: skip
    web_port = free_port()
    with (
        running_web(project, web_port, env),
        running_router(workdir / "router", web_port, free_port(), free_port()) as router,
    ):
        yield BrowserSite(router, admin_path, enrolled.group(1))


@contextlib.contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright (whose own browser download fails)."""
    if not CHROMIUM.exists():
        raise RuntimeError("Chromium is missing: apt-get install chromium (.ci/run installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
