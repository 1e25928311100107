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

gunicorn builds every atom it knows for each line, some sixty with every request and
response header and every WSGI environ entry, and copies them once more to escape
quotes (its SafeAtoms), to fill a format that names six: some 6 % of the instructions a
page cost the worker, 14 % of a static file's (docs/performance.md). `AccessAtoms` gives the same
values, escaped as SafeAtoms escapes them, working each out only when the format asks;
tests/security/test_access_log.py compares it with gunicorn's own, atom by atom.
"""

import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

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


class Line(NamedTuple):
    """What gunicorn hands its logger for one access-log line."""

    logger: Logger
    resp: Any
    req: Any
    environ: dict[str, Any]
    request_time: Any  # a datetime.timedelta


def _status(line: Line) -> object:
    status = line.resp.status
    return status.split(None, 1)[0] if isinstance(status, str) else status


def _sent(line: Line) -> object:
    return getattr(line.resp, "sent", None)


def _sent_or_dash(line: Line) -> str:
    sent = _sent(line)
    return "-" if sent is None else str(sent)


def _environ(key: str, default: str | None = None) -> Callable[[Line], object]:
    """An atom read from the request's WSGI environ (not the process's environment)."""
    return lambda line: line.environ.get(key, default)


# gunicorn's atoms (Logger.atoms in gunicorn/glogging.py), one function each.
ATOMS: dict[str, Callable[[Line], object]] = {
    "h": _environ("REMOTE_ADDR", "-"),
    "l": lambda line: "-",
    "u": lambda line: line.logger._get_user(line.environ) or "-",
    "t": lambda line: line.logger.now(),
    "r": lambda line: " ".join(
        str(line.environ[key]) for key in ("REQUEST_METHOD", "RAW_URI", "SERVER_PROTOCOL")
    ),
    "s": _status,
    "m": _environ("REQUEST_METHOD"),
    "U": _environ("PATH_INFO"),
    "q": _environ("QUERY_STRING"),
    "H": _environ("SERVER_PROTOCOL"),
    "b": _sent_or_dash,
    "B": _sent,
    "f": _environ("HTTP_REFERER", "-"),
    "a": _environ("HTTP_USER_AGENT", "-"),
    "T": lambda line: line.request_time.seconds,
    "D": lambda line: line.request_time.seconds * 1000000 + line.request_time.microseconds,
    "M": lambda line: line.request_time.seconds * 1000 + int(line.request_time.microseconds / 1000),
    "L": lambda line: f"{line.request_time.seconds}.{line.request_time.microseconds:06d}",
    "p": lambda line: f"<{os.getpid()}>",
}


def _pairs(headers: Any) -> list[tuple[str, Any]]:
    return list(headers.items() if hasattr(headers, "items") else headers)


class AccessAtoms(Mapping[str, object]):
    """One line's atoms, as gunicorn's SafeAtoms(Logger.atoms(...)) holds them (quotes
    escaped, "-" for an atom it lacks, {name}i, {name}o and {name}e in any case) with
    every URL redacted; each worked out when the format names it (module docstring)."""

    def __init__(self, line: Line) -> None:
        self.line = line

    def _entries(self, source: str) -> list[tuple[str, Any]]:
        """The request headers (i), the response headers (o) or the environ (e)."""
        line = self.line
        if source == "i":
            return _pairs(line.req.headers if hasattr(line.req, "headers") else line.req)
        if source == "o":
            return _pairs(line.resp.headers)
        return _pairs(line.environ) if source == "e" else []

    def _value(self, key: str) -> object:
        if key in ATOMS:
            return ATOMS[key](self.line)
        if key.startswith("{") and key[-2:-1] == "}":
            name = key[1:-2]
            # The last of several same-named entries, as gunicorn's dict keeps it.
            for entry, value in reversed(self._entries(key[-1])):
                if entry.lower() == name:
                    return value
        return "-"

    def __getitem__(self, key: str) -> object:
        if key.startswith("{"):
            key = key.lower()
        value = self._value(key)
        if key in URL_ATOMS and isinstance(value, str):
            value = redact(value)
        return value.replace('"', '\\"') if isinstance(value, str) else value

    def __iter__(self) -> Iterator[str]:
        keys = dict.fromkeys(ATOMS)
        for source in "ioe":
            names = (f"{{{name.lower()}}}{source}" for name, _ in self._entries(source))
            keys.update(dict.fromkeys(names))
        return iter(keys)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return True  # never empty, and logging asks before it formats: no need to count


def _already_safe(atoms: AccessAtoms) -> AccessAtoms:
    return atoms


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's logger, with every URL in an access log line passed through `redact`,
    and only the atoms the format names worked out (AccessAtoms)."""

    # gunicorn wraps what atoms() returns in this before it formats the line: AccessAtoms
    # escapes as its SafeAtoms would, one atom at a time.
    atoms_wrapper_class = staticmethod(_already_safe)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        return AccessAtoms(Line(self, resp, req, environ, request_time))
