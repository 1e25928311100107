"""A request body must keep arriving, or its connection is cut and its thread freed.

Heroku's router buffers a request's line and headers but streams its body, so a client
that sends a body slowly holds one of gunicorn's threads for as long as it likes: a few
dozen such clients stop a dyno (docs/edge.md has the measurement). gunicorn limits the
request line and headers, not how long a body may take. `SlowBodyGuard` wraps the WSGI
application (config/wsgi.py) and gives every body a deadline: BODY_GRACE_SECONDS, plus
one second for every BODY_MIN_RATE bytes received. A watchdog thread checks the
deadlines twice a second and shuts the reading side of an overdue connection; the read
that waited returns, and the application sees an unreadable body (Django answers 403,
or 400/500 for a view without CSRF) instead of waiting on. A slow but honest upload (a
10 MB file at 1 KiB/s) keeps going: its deadline moves with every byte.

A body the application answers without reading (a refusal at the edge, a CSRF failure)
is the same threat in disguise: gunicorn would keep the thread draining it for up to
5 s, then hold its main loop up to 2 s more closing the connection gracefully, while a
slow client trickles. So whatever of it has already arrived is read at once, and if
more is still to come the connection is given up instead: closed after the response,
with nothing left to wait for.

It needs gunicorn's socket (environ["gunicorn.socket"]); under any other server, and
for requests without a body, it does nothing.
"""

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

# The first bytes may take this long, and every BODY_MIN_RATE bytes buy one second more.
BODY_GRACE_SECONDS = 10.0
BODY_MIN_RATE = 1024  # bytes per second
# Bodies are read in pieces this small, so a client trickling inside one piece is seen
# in time: at BODY_MIN_RATE a piece takes at most half the grace.
_PIECE = int(BODY_GRACE_SECONDS * BODY_MIN_RATE / 2)
_CHECK_EVERY = 0.5  # seconds between the watchdog's rounds
# How long an unread body's remainder may take to arrive before the connection is given up.
_SETTLE_SECONDS = 0.1

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SlowBodyError(OSError):
    """The client sent its body too slowly; the connection's reading side was shut."""


class TimedBody:
    """wsgi.input with a deadline that the watchdog enforces."""

    def __init__(
        self, stream: Any, connection: socket.socket, started: float, length: int | None
    ) -> None:
        self.stream = stream
        self.connection = connection
        self.started = started
        self.length = length  # None for a chunked body
        self.received = 0
        self.ended = False
        self.cut = False

    def deadline(self) -> float:
        return self.started + BODY_GRACE_SECONDS + self.received / BODY_MIN_RATE

    @property
    def complete(self) -> bool:
        return self.ended or (self.length is not None and self.received >= self.length)

    def cut_off(self) -> None:
        """Called by the watchdog: the waiting read returns, and raises SlowBodyError."""
        self.cut = True
        self.give_up()

    def give_up(self) -> None:
        """No more of this body will be read: nothing is left to wait for on the socket."""
        # gunicorn's own body reader, marked as failed: gunicorn closes the connection after
        # the response instead of draining the rest and keeping it for another request.
        if hasattr(self.stream, "failed"):
            self.stream.failed = True
        with contextlib.suppress(OSError):  # the client closed it already
            self.connection.shutdown(socket.SHUT_RD)

    def settle(self) -> None:
        """The application answered without reading the whole body: take what has already
        arrived (a small form comes with its headers), and give up on the rest."""
        previous = self.connection.gettimeout()
        try:
            self.connection.settimeout(_SETTLE_SECONDS)
            while not self.complete:
                self.read(_PIECE)
        except OSError:  # the remainder is not there yet (a timeout), or the socket is gone
            self.give_up()
        finally:
            with contextlib.suppress(OSError):
                self.connection.settimeout(previous)

    def _checked(self, data: bytes, wanted: int | None = None) -> bytes:
        if self.cut:
            raise SlowBodyError("the request body arrived too slowly")
        self.received += len(data)
        if not data or (wanted is not None and len(data) < wanted):
            self.ended = True
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            pieces = []
            while piece := self._checked(self.stream.read(_PIECE), _PIECE):
                pieces.append(piece)
            return b"".join(pieces)
        pieces, wanted = [], size
        while wanted > 0:
            step = min(wanted, _PIECE)
            piece = self._checked(self.stream.read(step), step)
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        return b"".join(pieces)

    def readline(self, size: int | None = -1) -> bytes:
        return self._checked(self.stream.readline(-1 if size is None else size))

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(self)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


class _Watchdog:
    """One thread per process that cuts off bodies past their deadline."""

    def __init__(self) -> None:
        self._bodies: set[TimedBody] = set()
        self._lock = threading.Lock()
        self._pid = 0

    def watch(self, body: TimedBody) -> None:
        with self._lock:
            if self._pid != os.getpid():  # the first body in this process (or after a fork)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="slow-body-watchdog", daemon=True).start()
            self._bodies.add(body)

    def forget(self, body: TimedBody) -> None:
        with self._lock:
            self._bodies.discard(body)

    def _run(self) -> None:
        while True:
            time.sleep(_CHECK_EVERY)
            now = time.monotonic()
            with self._lock:
                overdue = [body for body in self._bodies if body.deadline() < now]
                self._bodies.difference_update(overdue)
            for body in overdue:
                body.cut_off()


_watchdog = _Watchdog()


def has_body(environ: dict[str, Any]) -> bool:
    length = environ.get("CONTENT_LENGTH") or ""
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked or (length.isdigit() and int(length) > 0)


class SlowBodyGuard:
    """WSGI middleware: every request body gets a deadline (module docstring)."""

    def __init__(self, application: WSGIApp) -> None:
        self.application = application
        self._refusals: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        connection = environ.get("gunicorn.socket")
        if not isinstance(connection, socket.socket) or not has_body(environ):
            return self.application(environ, start_response)
        declared = environ.get("CONTENT_LENGTH") or ""
        length = int(declared) if declared.isdigit() else None
        body = TimedBody(environ["wsgi.input"], connection, time.monotonic(), length)
        environ["wsgi.input"] = body
        _watchdog.watch(body)
        try:
            return self.application(environ, start_response)
        finally:
            _watchdog.forget(body)
            if body.cut:
                self._log_cut(environ)
            elif not body.complete:
                body.settle()

    def _log_cut(self, environ: dict[str, Any]) -> None:
        """One sampled security line for bodies cut off (security.edge.RefusalLog),
        imported here: config/wsgi.py imports this module before Django is set up."""
        from django.core.handlers.wsgi import WSGIRequest

        from security.edge import RefusalLog

        if self._refusals is None:
            self._refusals = RefusalLog()
        self._refusals.refused("slow_body", WSGIRequest(environ))
