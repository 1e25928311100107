"""Clients that misbehave on purpose, through the simulated router: slow request bodies,
login attempts with the X-Forwarded-For lines of their choice, and a probe that asks
whether the dyno still answers. Used by the deploy tests and the benchmarks.
"""

import contextlib
import http.client
import re
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.support.deployments import HOST, Site, csrf_token, router_connection, set_cookies
from tests.support.heroku import Router

# The login form's address field: "username" on Django's form, "login" on allauth's.
LOGIN_FIELDS = ("login", "username")


@dataclass
class LoginForm:
    """What a login POST needs: the CSRF cookie and token, and the address field's name."""

    cookie: str
    token: str
    field: str


def login_form(site: Site, path: str = "/accounts/login/") -> LoginForm:
    page = site.request(path)
    field = next(
        (name for name in LOGIN_FIELDS if re.search(rf'name="{name}"'.encode(), page.body)),
        "username",
    )
    cookies = "; ".join(f"{name}={value}" for name, value in set_cookies(page).items())
    return LoginForm(cookies, csrf_token(page), field)


def login_attempt(
    site: Site,
    form: LoginForm,
    email: str,
    password: str,
    *,
    source: str = "127.0.0.1",
    forwarded_for: list[str] | None = None,
    path: str = "/accounts/login/",
) -> int:
    """POST the login form once; the response's status."""
    body = urlencode(
        {"csrfmiddlewaretoken": form.token, form.field: email, "password": password}
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"https://{HOST}",
        "Cookie": form.cookie,
    }
    response = site.request(path, method="POST", headers=headers, body=body, source=source,
                            forwarded_for=forwarded_for)  # fmt: skip
    return response.status


def answers(router: Router, source: str, path: str = "/healthz/", timeout: float = 5) -> bool:
    """Whether the dyno answers a GET from `source` within `timeout` seconds (any status
    the dyno sends counts; the router's own 502 and 504 do not)."""
    connection = router_connection(router, "https", source, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return status not in (502, 504)


@dataclass
class SlowBodies:
    """Connections that each announce a request body and send it a byte at a time.

    `open(n, source)` starts n of them from `source`; a thread sends every one a byte
    every `interval` seconds until `close()`. The router streams each body to the dyno,
    as Heroku's does, so each holds a gunicorn thread while the dyno reads it.
    """

    router: Router
    path: str = "/accounts/login/"
    length: int = 100_000
    interval: float = 1.0
    connections: list[ssl.SSLSocket] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def open(self, count: int, source: str) -> None:
        context = ssl.create_default_context(cafile=self.router.ca.ca_file)
        # A same-site Origin and a well-formed CSRF cookie: Django refuses a POST without
        # them before reading its body; with them it reads the body, as an attacker wants.
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {HOST}\r\nOrigin: https://{HOST}\r\n"
            f"Cookie: __Host-csrftoken={'a' * 32}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {self.length}\r\n\r\n"
        ).encode()
        for _ in range(count):
            raw = socket.create_connection(
                ("127.0.0.1", self.router.https_port), timeout=10, source_address=(source, 0)
            )
            connection = context.wrap_socket(raw, server_hostname=HOST)
            connection.sendall(head + b"a")
            self.connections.append(connection)
        if self._thread is None:
            self._thread = threading.Thread(target=self._trickle, daemon=True)
            self._thread.start()

    def _trickle(self) -> None:
        while not self._stop.wait(self.interval):
            for connection in list(self.connections):
                with contextlib.suppress(OSError):
                    connection.sendall(b"a")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.close()
        self.connections.clear()


@contextlib.contextmanager
def slow_bodies(router: Router, count: int, sources: list[str]) -> Iterator[SlowBodies]:
    """`count` slow bodies spread over `sources` (one client, or one each), then closed."""
    bodies = SlowBodies(router)
    try:
        for index in range(count):
            bodies.open(1, sources[index % len(sources)])
        yield bodies
    finally:
        bodies.close()


def clients(count: int, first: int = 10, network: str = "127.0.1") -> list[str]:
    """`count` distinct loopback addresses: as many clients, to the router."""
    return [f"{network}.{first + index}" for index in range(count)]


def wait_until_answers(router: Router, source: str, limit: float = 60) -> float:
    """Seconds until the dyno answers again (after slow clients went away)."""
    started = time.monotonic()
    while not answers(router, source, timeout=2):
        if time.monotonic() - started > limit:
            raise TimeoutError(f"the dyno did not answer again within {limit} s")
    return time.monotonic() - started


@dataclass
class LoadResult:
    """What `login_load` saw: database connections sampled, and the answers."""

    samples: list[int]
    statuses: list[int]

    @property
    def peak(self) -> int:
        return max(self.samples, default=0)

    @property
    def failures(self) -> int:
        return sum(1 for status in self.statuses if status >= 500)


def login_load(
    site: Site,
    connections: Callable[[], int],
    *,
    clients_count: int,
    seconds: float,
    network: str = "127.0.6",
) -> LoadResult:
    """`clients_count` clients, each from its own address, posting wrong passwords for
    unknown addresses (each runs the password hasher and queries the database) for
    `seconds`, while `connections()` (the database's count) is sampled ten times a second."""
    form = login_form(site)
    stop = threading.Event()
    result = LoadResult([], [])

    def client(source: str) -> None:
        while not stop.is_set():
            address = f"nobody-{secrets.token_hex(4)}@example.com"
            with contextlib.suppress(OSError, http.client.HTTPException):
                result.statuses.append(login_attempt(site, form, address, "wrong", source=source))

    def sample() -> None:
        while not stop.wait(0.1):
            result.samples.append(connections())

    threads = [threading.Thread(target=client, args=(source,))
               for source in clients(clients_count, 10, network)]  # fmt: skip
    threads.append(threading.Thread(target=sample))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return result
