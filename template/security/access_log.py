"""gunicorn's access log without the secrets some URLs carry.

A password-reset or email-confirmation link holds a one-time secret in its path, and
the access log (and every log drain it reaches) would otherwise keep it the first time
the link is opened, for as long as the link works. `redact` replaces these shapes:

    /accounts/password/reset/<uidb64>/<token>/       Django's reset link
    /accounts/password/reset/<uidb64>/set-password/  ... after the token moved to the session
    /accounts/password/reset/key/<uidb36>-<key>/     django-allauth's reset link
    /accounts/password/reset/key/<uidb36>-set-password/
    /accounts/confirm-email/<key>/                   django-allauth's email confirmation
    ?code=... &key=... &token=...                    a secret in the query string

django-allauth's sign-in and reset codes are typed into a form and posted, so they never
reach a URL; the query-string rule covers a link that would carry one. Heroku's router
writes its own log line with the path, which no app setting can change: the docs
(docs/edge.md) say so.

Plain Python with no Django import: gunicorn.conf.py names RedactingLogger as its
logger_class, which gunicorn's master loads before any worker starts. RedactingFilter
does the same for every other log line (settings.LOGGING): Django logs the path of a
404, for one.
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
_SEGMENT = r"[^/?#\s]+"
_DJANGO_RESET = re.compile(rf"(/password/reset/)(?!key/)({_SEGMENT})/({_SEGMENT})(?=/)")
_ALLAUTH_RESET = re.compile(rf"(/password/reset/key/)(?!done/)({_SEGMENT})(?=/)")
_CONFIRM_EMAIL = re.compile(rf"(/confirm-email/)({_SEGMENT})(?=/)")
_SECRET_PARAMETER = re.compile(r"((?:^|[?&;])(?:code|key|token)=)([^&;#\s]+)", re.IGNORECASE)
# The step after a reset link has put its secret in the session: the URL no longer
# holds one, and the log may say which step it was.
_SET_PASSWORD = "set-password"  # noqa: S105  # pragma: allowlist secret (a step's name)

# The atoms of a log line that hold a URL (request line, path, query, referrer, redirect).
URL_ATOMS = ("r", "U", "q", "f", "{referer}i", "{location}o", "{raw_uri}e", "{path_info}e",
             "{query_string}e", "{http_referer}e")  # fmt: skip


def _django_reset(match: re.Match[str]) -> str:
    token = match.group(3)
    return f"{match.group(1)}{REDACTED}/{token if token == _SET_PASSWORD else REDACTED}"


def _allauth_reset(match: re.Match[str]) -> str:
    suffix = f"-{_SET_PASSWORD}" if match.group(2).endswith(f"-{_SET_PASSWORD}") else ""
    return f"{match.group(1)}{REDACTED}{suffix}"


def redact(text: str) -> str:
    """`text` (a path, a query or a whole request line) with any secret replaced."""
    if "/password/reset/" in text:
        text = _ALLAUTH_RESET.sub(_allauth_reset, text)
        text = _DJANGO_RESET.sub(_django_reset, text)
    if "/confirm-email/" in text:
        text = _CONFIRM_EMAIL.sub(rf"\g<1>{REDACTED}", text)
    if "=" in text:
        text = _SECRET_PARAMETER.sub(rf"\g<1>{REDACTED}", text)
    return text


class RedactingFilter(logging.Filter):
    """For Django's own log lines (settings.LOGGING): "Not Found: /accounts/confirm-email/…"
    would keep a link's secret as the access log would."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's logger, with every URL in an access log line passed through `redact`."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in URL_ATOMS:
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
