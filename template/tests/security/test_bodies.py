"""A request body that stops arriving is cut off, and its thread freed (security/bodies.py).

A socket pair stands in for gunicorn's connection: the test writes the client's side,
the guard reads the other through the WSGI environ as gunicorn hands it over.
"""

import socket
import threading
import time

import pytest

from security import bodies
from security.bodies import SlowBodyError, SlowBodyGuard


@pytest.fixture
def quick_deadline(monkeypatch):
    """A one-second grace and 1 KiB/s, so a test waits seconds, not minutes."""
    monkeypatch.setattr(bodies, "BODY_GRACE_SECONDS", 1.0)
    monkeypatch.setattr(bodies, "_PIECE", 512)
    monkeypatch.setattr(bodies, "_CHECK_EVERY", 0.1)


def guarded_read(connection: socket.socket, length: int) -> dict:
    """What the application sees reading the whole body through the guard."""
    seen: dict = {}

    def application(environ, start_response):
        started = time.monotonic()
        try:
            seen["body"] = environ["wsgi.input"].read(length)
        except SlowBodyError as error:
            seen["error"] = error
        seen["seconds"] = time.monotonic() - started
        return [b""]

    environ = {
        "gunicorn.socket": connection,
        "wsgi.input": connection.makefile("rb"),
        "CONTENT_LENGTH": str(length),
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000",
        "wsgi.url_scheme": "http",
    }
    SlowBodyGuard(application)(environ, lambda *args: None)
    return seen


def trickle(client: socket.socket, pieces: int, pause: float, size: int = 1) -> threading.Thread:
    def send():
        for _ in range(pieces):
            try:
                client.sendall(b"a" * size)
            except OSError:
                return
            time.sleep(pause)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db
def test_body_trickling_below_the_minimum_rate_is_cut_off(quick_deadline):
    server, client = socket.socketpair()
    with server, client:
        trickle(client, pieces=100, pause=0.2)  # 5 bytes a second against 1024

        seen = guarded_read(server, 10_000)

    assert isinstance(seen.get("error"), SlowBodyError), seen
    assert seen["seconds"] < 3, "cut at the deadline, not when the client gave up"


def test_body_sent_at_a_good_pace_is_read_whole(quick_deadline):
    server, client = socket.socketpair()
    with server, client:
        trickle(client, pieces=8, pause=0.25, size=1024)  # 4 KiB a second, for two seconds

        seen = guarded_read(server, 8 * 1024)

    assert seen.get("body") == b"a" * 8 * 1024, seen.get("error")


def test_requests_without_a_body_or_gunicorn_pass_untouched():
    def application(environ, start_response):
        return [type(environ["wsgi.input"]).__name__.encode()]

    guard = SlowBodyGuard(application)
    marker = object()

    without_body = guard({"wsgi.input": marker, "CONTENT_LENGTH": "0",
                          "gunicorn.socket": socket.socket()}, None)  # type: ignore[arg-type]  # fmt: skip
    without_gunicorn = guard({"wsgi.input": marker, "CONTENT_LENGTH": "10"}, None)  # type: ignore[arg-type]

    assert without_body == [b"object"] and without_gunicorn == [b"object"]


class LengthReader:
    """Reads no further than the body's length, as gunicorn's body reader does."""

    def __init__(self, connection: socket.socket, length: int) -> None:
        self.file, self.left = connection.makefile("rb"), length

    def read(self, size: int) -> bytes:
        data = self.file.read(min(size, self.left))
        self.left -= len(data)
        return data


def unread(connection: socket.socket, length: int) -> object:
    """The application answers without reading the body; what does the guard leave behind?"""
    stream = LengthReader(connection, length)

    def application(environ, start_response):
        return [b"refused"]

    environ = {"gunicorn.socket": connection, "wsgi.input": stream,
               "CONTENT_LENGTH": str(length)}  # fmt: skip
    SlowBodyGuard(application)(environ, lambda *args: None)
    return stream


def test_an_unread_body_that_has_arrived_is_taken_and_the_connection_kept():
    server, client = socket.socketpair()
    with server, client:
        client.sendall(b"a" * 100)
        unread(server, 100)

        client.sendall(b"next request")
        assert server.recv(64) == b"next request", "the connection still reads"


def test_an_unread_body_still_arriving_gives_up_the_connection():
    server, client = socket.socketpair()
    with server, client:
        client.sendall(b"a" * 10)
        started = time.monotonic()
        unread(server, 10_000)
        seconds = time.monotonic() - started

        assert seconds < 1, "no waiting for the rest of a slow body"
        assert server.recv(64) == b"", "nothing more will be read on this connection"
