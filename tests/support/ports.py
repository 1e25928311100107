"""Ports on 127.0.0.1 for the servers the tests start, and waiting for them to listen."""

import contextlib
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
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
