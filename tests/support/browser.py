"""The default render in production mode behind the router, set up for a browser.

`serving_for_browser` builds a slug of a render, migrates a SQLite database, creates
an admin (createsuperuser) with an authenticator app and a member, creates the media
bucket on the S3 API server it is given, and serves the Procfile's web process behind
the router; `launched_chromium` starts Debian's headless Chromium through Playwright,
trusting the router's throwaway certificate (passkeys need a page without certificate
errors).
"""

import base64
import contextlib
import hashlib
import secrets
import subprocess
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
MEMBER_EMAIL = "member@example.com"
MEMBER_PASSWORD = secrets.token_urlsafe(16)
# The admin's authenticator app and the member's verified address, as the two-factor
# page and the verification link would leave them.
SET_UP_ACCOUNTS = f"""
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from users.models import User
admin = User.objects.get(email={ADMIN_EMAIL!r})
secret = generate_totp_secret()
TOTP.activate(admin, secret)
RecoveryCodes.activate(admin)
member = User.objects.create_user({MEMBER_EMAIL!r}, {MEMBER_PASSWORD!r})
EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
print(settings.ADMIN_URL_PATH, secret)
"""


MEDIA_BUCKET = "parapet-browser-media"
# Signs the admin in without the login form, as Django's test client does: the session
# cookie's value, printed.
SESSION_FOR_ADMIN = f"""
from django.conf import settings
from django.test import Client
from users.models import User
client = Client()
client.force_login(User.objects.get(email={ADMIN_EMAIL!r}))
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


class BrowserSite(NamedTuple):
    router: Router
    admin_path: str
    totp_secret: str
    admin_session: str  # the value of a session cookie signed in as ADMIN_EMAIL


@contextlib.contextmanager
def serving_for_browser(render: Path, workdir: Path, s3_endpoint: str) -> Iterator[BrowserSite]:
    """The render's slug behind the router, with an admin (ADMIN_EMAIL) enrolled in TOTP
    and a media bucket on the S3 API server at `s3_endpoint`."""
    project = build_slug(render, workdir / "slug")
    env = slug_env(
        project,
        **production_config(
            DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
            DJANGO_ALLOWED_HOSTS="localhost",
            WEB_CONCURRENCY="2",
            DJANGO_SUPERUSER_EMAIL=ADMIN_EMAIL,
            DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
            AWS_STORAGE_BUCKET_NAME=MEDIA_BUCKET,
            AWS_S3_ENDPOINT_URL=s3_endpoint,
            AWS_S3_REGION_NAME="us-east-1",
            AWS_ACCESS_KEY_ID="browser-test",
            AWS_SECRET_ACCESS_KEY=secrets.token_hex(20),
        ),
    )
    python = str(project / ".venv" / "bin" / "python")
    create_bucket = (
        "import os, boto3; boto3.client('s3', endpoint_url=os.environ['AWS_S3_ENDPOINT_URL'],"
        " region_name='us-east-1').create_bucket(Bucket=os.environ['AWS_STORAGE_BUCKET_NAME'])"
    )
    result = run([python, "-c", create_bucket], cwd=project, **env)
    assert result.returncode == 0, result.stderr
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"],
                    ["createsuperuser", "--noinput"],
                    ["shell", "--verbosity=0", "-c", SET_UP_ACCOUNTS]):  # fmt: skip
        result = run([python, "manage.py", *command], cwd=project, **env)
        assert result.returncode == 0, result.stdout + result.stderr
    admin_path, totp_secret = result.stdout.split()
    session = run([python, "manage.py", "shell", "--verbosity=0", "-c", SESSION_FOR_ADMIN],
                  cwd=project, **env)  # fmt: skip
    assert session.returncode == 0, session.stderr
    web_port = free_port()
    with (
        running_web(project, web_port, env),
        running_router(workdir / "router", web_port, free_port(), free_port()) as router,
    ):
        yield BrowserSite(router, admin_path, totp_secret, session.stdout.strip())


def spki_pin(certificate: Path) -> str:
    """The certificate's public key as Chromium pins it: base64 of its SHA-256."""
    key = subprocess.run(["openssl", "x509", "-in", str(certificate), "-pubkey", "-noout"],
                         capture_output=True, check=True).stdout  # fmt: skip
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=key,
                         capture_output=True, check=True).stdout  # fmt: skip
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@contextlib.contextmanager
def launched_chromium(trusted_certificate: Path) -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright (whose own browser download fails).

    The router's certificate is trusted by its key, as if a real CA had signed it: a page
    with a certificate error may not use passkeys (WebAuthn).
    """
    if not CHROMIUM.exists():
        raise RuntimeError("Chromium is missing: apt-get install chromium (.ci/run installs it)")
    flags = [
        *CHROMIUM_FLAGS,
        f"--ignore-certificate-errors-spki-list={spki_pin(trusted_certificate)}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=flags)
        try:
            yield browser
        finally:
            browser.close()
