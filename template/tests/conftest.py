"""Shared fixtures. The suite runs with production settings (see [tool.pytest_env])."""

import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A strong, throwaway password that passes every validator.
PASSWORD = "correct-horse-battery-staple-42"

# What the Content-Security-Policy refuses: inline scripts, style blocks and attributes,
# and event-handler attributes. Pages must load code only from static files.
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Tests only: a fast hasher (Argon2 is slow on purpose) and unhashed static names
    # (the manifest exists only after collectstatic, which the deploy simulation runs).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="static-root-")


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


def enrol_device(user):
    """A confirmed TOTP device, as `manage.py enrol_totp` creates one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device) -> str:
    """The code the device's authenticator app shows now."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, digits=device.digits).token():0{device.digits}d}"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="ada@example.com", password=PASSWORD)


@pytest.fixture
def staff(django_user_model):
    """A superuser with an enrolled authenticator app."""
    admin = django_user_model.objects.create_superuser(email="root@example.com", password=PASSWORD)
    enrol_device(admin)
    return admin


@pytest.fixture
def admin_url():
    from django.conf import settings

    return lambda path="": f"/{settings.ADMIN_URL_PATH}/{path}"
