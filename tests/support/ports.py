"""Ports on 127.0.0.1 for the servers the tests start, and waiting for them to listen."""

import contextlib
import errno
import random
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_handed_out: set[int] = set()


def _first_ephemeral_port() -> int:
    """Where the kernel's range for the local ports of outgoing connections starts."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _bindable(port: int) -> bool:
    """Whether a server could listen on `port` on every address, IPv4 and IPv6
    (gunicorn binds [::], which covers 127.0.0.1)."""
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):  # noqa: S104
        try:
            with socket.socket(family) as probe:
                probe.bind((address, port))
        except OSError as error:
            if family == socket.AF_INET6 and error.errno == errno.EAFNOSUPPORT:
                continue  # no IPv6 on this machine: the IPv4 check is the whole check
            return False
    return True


def free_port() -> int:
    """A TCP port free a moment ago on every address, never handed out before here.

    It comes from below the kernel's ephemeral range: an outgoing connection (to
    PostgreSQL, say) takes its local port from that range, and could take a port
    chosen there before the server meant for it binds it ("Address already in use").
    """
    top = _first_ephemeral_port()
    candidates = range(max(1024, top - 12000), top)
    for _ in range(500):
        port = random.choice(candidates)  # noqa: S311 (a port, not a secret)
        if port not in _handed_out and _bindable(port):
            _handed_out.add(port)
            return port
    with socket.socket() as probe:  # every candidate taken: let the kernel choose
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_for_port(
    port: int,
    process: subprocess.Popen[bytes] | None,
    limit: float = 60,
    log: Path | None = None,
) -> None:
    """Return once 127.0.0.1:port accepts connections; fail if it never does."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = log.read_text(errors="replace") if log is not None else ""
            raise RuntimeError(f"process exited with {process.returncode}:\n{output}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {HOST}:{port} within {limit} s")


def wait_for_page(
    url: str,
    process: subprocess.Popen[bytes] | None = None,
    limit: float = 60,
    headers: dict[str, str] | None = None,
) -> str:
    """The page's text once a server on loopback answers `url`; fail if it never does.

    A `process` that exits first fails at once, with its output if it was piped.
    """
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback http)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"process exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
                return str(response.read().decode())
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {limit} s")
