"""Shared fixtures. The suite runs with production settings (see [tool.pytest_env]).

The S3 tests need an S3 API server: they run against the one TEST_S3_ENDPOINT_URL names
(the template's own tests start moto's server on 127.0.0.1 and set it) and are skipped
without it. Start one yourself with
`uvx --from 'moto[server]==5.2.5' moto_server -H 127.0.0.1 -p 5000` and run
`TEST_S3_ENDPOINT_URL=http://127.0.0.1:5000 uv run pytest`.
"""

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A strong, throwaway password that passes every validator.
PASSWORD = "correct-horse-battery-staple-42"

# What the Content-Security-Policy refuses: inline scripts, style blocks and attributes,
# and event-handler attributes. Pages must load code only from static files; a script
# element of type application/json is data (django-allauth's passkey pages), never run.
INLINE_CODE = re.compile(
    r'<script(?![^>]*\b(?:src=|type="application/json"))|<style|\sstyle=|\son[a-z]+=',
    re.IGNORECASE,
)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Tests only: a fast hasher (Argon2 is slow on purpose) and unhashed static names
    # (the manifest exists only after collectstatic, which the deploy simulation runs).
    # Production without a bucket refuses uploads: tests that are about neither S3 nor
    # that refusal store files on local disk, as development does.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Sign-ups answer at once (one test checks the production floor, accounts/views.py).
    settings.SIGNUP_MIN_RESPONSE_SECONDS = 0
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="static-root-")
    media_root = tempfile.mkdtemp(prefix="media-root-")
    settings.MEDIA_ROOT = media_root
    config.add_cleanup(lambda: shutil.rmtree(media_root, ignore_errors=True))


def production_env(**overrides: str | None) -> dict[str, str]:
    """A production environment for a child process: nothing from .env, a strong key."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "HEROKU_")) and key not in {"EMAIL_URL"}
    }
    environment.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        EMAIL_URL="smtp+tls://user:password@smtp.example.com:587",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:///test-db.sqlite3"),
    )
    for key, value in overrides.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a child process, as Heroku's release phase or a dyno would."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def verify_address(user):
    """A verified, primary EmailAddress: the account can sign in (mandatory verification)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def enrol_totp(user) -> str:
    """An authenticator app and recovery codes for `user`, as the two-factor page sets
    them up; returns the app's secret."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, step: int = 30) -> str:
    """The code an authenticator app shows now for this base32 secret (RFC 6238)."""
    counter = struct.pack(">Q", int(time.time()) // step)
    digest = hmac.new(base64.b32decode(secret), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def recovery_code(user) -> str:
    """One of the user's unused recovery codes."""
    from allauth.mfa.models import Authenticator

    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return codes.wrap().get_unused_codes()[0]


def sign_in(client, email="ada@example.com", password=PASSWORD, **data):
    """The login form posted as a browser posts it (HTTPS)."""
    return client.post(
        "/accounts/login/", {"login": email, "password": password, **data}, secure=True
    )


def sign_in_with_code(client, user, password=PASSWORD):
    """Password, then the authenticator app's code: a session that completed MFA."""
    response = sign_in(client, user.email, password)
    assert response["Location"] == "/accounts/2fa/authenticate/", response
    return client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(user.totp_secret)}, secure=True
    )


@pytest.fixture
def user(django_user_model):
    return verify_address(
        django_user_model.objects.create_user(email="ada@example.com", password=PASSWORD)
    )


@pytest.fixture
def staff(django_user_model):
    """A superuser with an authenticator app (`staff.totp_secret`) and recovery codes."""
    admin = django_user_model.objects.create_superuser(email="root@example.com", password=PASSWORD)
    admin.totp_secret = enrol_totp(admin)
    return admin


@pytest.fixture
def admin_url():
    from django.conf import settings

    return lambda path="": f"/{settings.ADMIN_URL_PATH}/{path}"


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """An empty local media directory for this test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@dataclass
class S3Bucket:
    """A fresh bucket on the test S3 server, and every request the storage sent to it."""

    client: Any
    name: str
    endpoint: str
    requests: list = field(default_factory=list)

    def object_keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def record(self, request, **kwargs) -> None:
        self.requests.append(request)


@pytest.fixture
def s3_bucket(settings) -> Iterator[S3Bucket]:
    """Default storage on a new bucket of the real S3 API at TEST_S3_ENDPOINT_URL.

    The storage keeps every option of MEDIA_S3_OPTIONS (no ACL, signed links, no
    overwriting, the media/ prefix); only where to connect changes. Nothing of AWS is
    mocked: the server speaks S3 over HTTP on 127.0.0.1.
    """
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL")
    if not endpoint:
        pytest.skip(
            "needs an S3 API server: start `uvx --from 'moto[server]==5.2.5' moto_server "
            "-H 127.0.0.1 -p 5000` and set TEST_S3_ENDPOINT_URL=http://127.0.0.1:5000"
        )
    import boto3
    from django.core.files.storage import default_storage

    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
    bucket = S3Bucket(client, f"parapet-test-{secrets.token_hex(8)}", endpoint)
    client.create_bucket(Bucket=bucket.name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "media.storage.PrivateMediaStorage",
            "OPTIONS": {
                **settings.MEDIA_S3_OPTIONS,
                "bucket_name": bucket.name,
                "endpoint_url": endpoint,
                "addressing_style": "path",
                "region_name": "us-east-1",
                "access_key": credentials["aws_access_key_id"],
                "secret_key": credentials["aws_secret_access_key"],
            },
        },
    }
    # Every request the storage sends, headers included, as it goes on the wire.
    s3 = default_storage.connection  # type: ignore[attr-defined]  # S3Storage's boto3 resource
    s3.meta.client.meta.events.register("before-send.s3", bucket.record)
    yield bucket
    for key in bucket.object_keys():
        client.delete_object(Bucket=bucket.name, Key=key)
    client.delete_bucket(Bucket=bucket.name)


# --- The task queue: a file database a worker can share, an SMTP server, workers ---


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, so a worker process can open it too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


def worker_database_url() -> str:
    """DATABASE_URL for a child process that must see this test database."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture
def queued_mail(settings):
    """The project's mailers as settings.py has them (the test runner swaps every
    mailer for locmem): the default one queues, "direct" fills mail.outbox."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "background.mail.QueuedEmailBackend",
            "OPTIONS": {"deliver_with": "direct"},
        },
        "direct": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }


def run_queued_tasks() -> None:
    """What the Procfile's worker does, in this process: every due task, then return.

    Between tasks the worker closes stale connections, which would close the test's own
    transaction; like Django's test client, this keeps it open.
    """
    from background.management.commands.db_worker import Worker

    worker = Worker(queue_names=["*"], excluded_queue_names=[], batch=True, interval=0,
                    backend_name="default", startup_delay=False, max_tasks=None,
                    worker_id="in-process-test-worker")  # fmt: skip
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()


@dataclass
class SMTPServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd): what it received, how it answers."""

    port: int
    received: list = field(default_factory=list)  # aiosmtpd envelopes, in order
    attempts: int = 0  # messages offered, whatever the answer
    delay: float = 0.0  # seconds before each answer, as a slow provider takes
    refusal: str | None = None  # e.g. "451 4.3.0 Try again later": refuse every message

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        await asyncio.sleep(self.delay)
        if self.refusal:
            return self.refusal
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SMTPServer(port)
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    yield server
    controller.stop()


@dataclass
class WorkerProcess:
    """The Procfile's worker process, running against this test database."""

    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, grace: float = 30) -> float:
        """Signal the worker as Heroku does; return the seconds until it exited."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return time.monotonic() - started


def procfile_command(process_type: str) -> str:
    for line in (PROJECT_DIR / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process_type:
            return command.strip()
    raise KeyError(f"no {process_type!r} process in the Procfile")


@pytest.fixture
def start_worker(transactional_db, tmp_path) -> Iterator:
    """Start the Procfile's worker on this test database, with EMAIL_URL as given.

    Tests that use it commit their writes (transactional_db), so the worker sees them.
    Every worker started is stopped at the end, before the database is flushed.
    """
    workers: list[WorkerProcess] = []

    from django.conf import settings

    def start(email_url: str) -> WorkerProcess:
        log = tmp_path / f"worker-{len(workers) + 1}.log"
        # The same config vars as this process: the key that sealed the queued mail too.
        env = production_env(DATABASE_URL=worker_database_url(), EMAIL_URL=email_url,
                             DJANGO_SECRET_KEY=settings.SECRET_KEY)  # fmt: skip
        env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
        with log.open("w") as output:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {procfile_command('worker')}"],
                cwd=PROJECT_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        workers.append(WorkerProcess(process, log))
        return workers[-1]

    yield start
    for number, worker in enumerate(workers, 1):
        worker.stop(signal.SIGKILL)
        print(f"--- worker {number} (exit {worker.process.returncode}) ---\n{worker.output()}")


def last_mail_match(pattern: str, flags: int = 0) -> str:
    """Group 1 of `pattern` in the body of the last mail sent; fails the test without one."""
    from django.core import mail

    body = str(mail.outbox[-1].body) if mail.outbox else ""
    found = re.search(pattern, body, flags)
    assert found, f"no {pattern!r} in the last mail:\n{body}"
    return found[1]


def wait_for(condition, timeout: float = 20, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def security_lines(caplog):
    """The messages the "security" logger wrote, in order (it does not propagate)."""
    logger = logging.getLogger("security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="security")
    yield lambda: [record.getMessage() for record in caplog.records if record.name == "security"]
    logger.removeHandler(caplog.handler)
