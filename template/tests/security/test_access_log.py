"""The access log keeps no secret of a reset or confirmation link (security/access_log.py)."""

import datetime
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from security.access_log import REDACTED, RedactingLogger, redact

UIDB64 = "MTIz"
TOKEN = "cj3x4k-5f1e9a2b7c8d0e6f4a3b2c1d0e9f8a7b"
KEY = "a1b2c3-d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9"
CONFIRMATION = "MjA:1tXyZa:Qm9vbGVhbnNBcmVOb3RTZWNyZXRzQnV0VGhpc0lz"


RESET = "/accounts/password/reset/"
CASES = {
    # Django's reset link, and the step after it, which holds no secret.
    "django-reset": (f"{RESET}{UIDB64}/{TOKEN}/", f"{RESET}{REDACTED}/{REDACTED}/"),
    "django-set-password": (f"{RESET}{UIDB64}/set-password/", f"{RESET}{REDACTED}/set-password/"),
    # django-allauth's reset link, and its next step.
    "allauth-reset": (f"{RESET}key/3f-{KEY}/", f"{RESET}key/{REDACTED}/"),
    "allauth-set-password": (
        f"{RESET}key/3f-set-password/",
        f"{RESET}key/{REDACTED}-set-password/",
    ),
    # django-allauth's email confirmation link.
    "allauth-confirm-email": (
        f"/accounts/confirm-email/{CONFIRMATION}/",
        f"/accounts/confirm-email/{REDACTED}/",
    ),
    # A secret in the query string.
    "code-parameter": (
        "/login/code/?code=ABCD-EFGH&next=/",
        f"/login/code/?code={REDACTED}&next=/",
    ),
    "token-and-key": ("/verify/?token=abc&key=def", f"/verify/?token={REDACTED}&key={REDACTED}"),
}


@pytest.mark.parametrize(("path", "expected"), CASES.values(), ids=CASES.keys())
def test_secrets_in_links_are_redacted(path, expected):
    assert redact(path) == expected
    assert redact(f"GET {path} HTTP/1.1") == f"GET {expected} HTTP/1.1"


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/password/reset/", "/accounts/password/reset/sent/",
     "/accounts/password/reset/complete/", "/accounts/password/reset/done/",
     "/accounts/password/reset/key/done/", "/accounts/confirm-email/", "/search/?page=2"],
)  # fmt: skip
def test_paths_without_secrets_are_kept(path):
    assert redact(path) == path


def test_access_log_line_carries_no_token():
    logger = RedactingLogger(Config())
    path = f"/accounts/password/reset/{UIDB64}/{TOKEN}/"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.2.3",
               "HTTP_REFERER": f"https://example.com{path}"}  # fmt: skip
    response = SimpleNamespace(status="302 Found", headers=[("Location", path)], sent=0)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))

    line = " ".join(str(value) for value in atoms.values())
    assert TOKEN not in line and UIDB64 not in line, line
    assert atoms["r"] == f"GET /accounts/password/reset/{REDACTED}/{REDACTED}/ HTTP/1.1"


def test_every_atom_is_the_one_gunicorn_would_log():
    """AccessAtoms works each atom out on demand; gunicorn's SafeAtoms(Logger.atoms(...))
    builds them all. For a request with no secret, the two agree on every atom, on the
    same names in other cases, and on atoms neither knows."""
    logger = RedactingLogger(Config())
    logger.now = lambda: "[02/Dec/2026:01:02:03 +0000]"  # the same second for both
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/search/?page=2", "PATH_INFO": "/search/",
               "QUERY_STRING": "page=2", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.2.3",
               "HTTP_REFERER": "https://example.com/", "HTTP_USER_AGENT": 'curl "8.0"',
               "HTTP_AUTHORIZATION": "Basic YWxpY2U6", "wsgi.url_scheme": "https"}  # fmt: skip
    response = SimpleNamespace(
        status="201 Created",
        headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Set-Cookie", 'b="2"')],
        sent=1234,
    )
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "f00d"), ("USER-AGENT", 'curl "8.0"')])
    elapsed = datetime.timedelta(seconds=2, microseconds=34567)

    ours = logger.atoms(response, request, environ, elapsed)
    theirs = SafeAtoms(Logger.atoms(logger, response, request, environ, elapsed))

    assert dict(ours) == dict(theirs)
    for key in ("{X-Request-Id}i", "{CONTENT-TYPE}o", "{set-cookie}o", "{Path_Info}e",
                "{missing}i", "{missing}o", "nope", "{unclosed"):  # fmt: skip
        assert ours[key] == theirs[key], key
    assert logger.atoms_wrapper_class(ours) is ours  # not copied, so not all worked out


def test_django_log_lines_are_redacted_too():
    from security.access_log import RedactingFilter

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s",
        ("Not Found", f"/accounts/confirm-email/{CONFIRMATION}/"), None,
    )  # fmt: skip

    RedactingFilter().filter(record)

    assert record.getMessage() == f"Not Found: /accounts/confirm-email/{REDACTED}/"


def test_the_console_handler_redacts():
    from django.conf import settings

    logging_config: dict[str, Any] = settings.LOGGING
    assert "redact" in logging_config["handlers"]["console"]["filters"]
