"""Instructions per request in the web process, counted by valgrind's callgrind.

Throughput on a shared 2-core machine moves by 20-30 % between rounds of the same code,
more than the 5 % the hardening may cost, so the web section also counts what no other
load can change: the instructions one gunicorn worker executes per request, warm, for
the hardened and the stripped slug (benchmarks/__main__.py). The worker runs under
callgrind with the Procfile's gunicorn.conf.py (one worker); after 200 warm-up requests
its counters are zeroed, N requests are sent one after another on one keep-alive
connection, and the counters are dumped. User-space instructions only: the kernel's
share (sockets, the same for both) is left out, so the ratio is the stricter one.
"""

import concurrent.futures
import http.client
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.ports import free_port

WARM_UP = 200
MEASURED = 300
START_LIMIT = 300  # seconds: Django's import runs some 50 times slower under callgrind
HEADERS = {"Host": "localhost", "X-Forwarded-Proto": "https"}

Report = Callable[..., None]


def _get(connection: http.client.HTTPConnection, path: str, number: int) -> int:
    # As the router sends them: each request from one of 100 clients, all seen in the warm-up.
    client = f"198.51.{number % 4}.{number % 25 + 1}"
    connection.request("GET", path, headers={**HEADERS, "X-Forwarded-For": client})
    response = connection.getresponse()
    response.read()
    return response.status


def _connect(port: int, path: str) -> http.client.HTTPConnection:
    deadline = time.monotonic() + START_LIMIT
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            _get(connection, path, 0)
        except OSError:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
        else:
            return connection


def instructions_per_request(slug: Path, env: dict[str, str], path: str) -> int:
    """The warm worker's instructions per request for `path` (module docstring)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="callgrind-") as tmp:
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--trace-children=yes",
             f"--callgrind-out-file={tmp}/out.%p", str(slug / ".venv/bin/gunicorn"), "config.wsgi"],
            cwd=slug,
            env={**env, "PORT": str(port), "WEB_CONCURRENCY": "1", "PYTHONHASHSEED": "0",
                 "GUNICORN_CMD_ARGS": "--max-requests 0 --timeout 600 --graceful-timeout 5"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            connection = _connect(port, path)
            statuses = {_get(connection, path, number) for number in range(WARM_UP)}
            (worker,) = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            subprocess.run(["callgrind_control", "--zero", worker], check=True, capture_output=True)
            statuses |= {_get(connection, path, number) for number in range(MEASURED)}
            subprocess.run(
                ["callgrind_control", "--dump=measured", worker], check=True, capture_output=True
            )
            connection.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(60)
        if statuses != {200}:
            raise RuntimeError(f"{path} answered {statuses}, not only 200")
        dump = Path(tmp) / f"out.{worker}.1"
        total = re.search(r"^(?:summary|totals): (\d+)", dump.read_text(errors="replace"), re.M)
        if total is None:
            raise RuntimeError(f"no instruction count in {dump}")
        return int(total.group(1)) // MEASURED


def bench_instructions(
    slugs: dict[str, tuple[Path, dict[str, str]]],
    paths: dict[str, str],
    report: Report,
    target: float,
) -> None:
    """Hardened against stripped, per page, counted side by side (one per core); and, when
    `slugs` has it, the headers-only variant: the stripped project sending the hardened
    project's headers and doing nothing else, whose ratio is the best any hardening with
    those headers could reach."""
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        report("instructions per request", "skipped", "valgrind missing: apt-get install valgrind")
        return
    for name, path in paths.items():
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            counts = {
                variant: pool.submit(instructions_per_request, slug, env, path)
                for variant, (slug, env) in slugs.items()
            }
            hardened, stripped = counts["hardened"].result(), counts["stripped"].result()
            headers_only = counts["headers only"].result() if "headers only" in counts else None
        ratio = stripped / hardened
        report(
            f"{name}: instructions per request in the worker, hardened vs stripped",
            f"{hardened / 1e6:.2f} M vs {stripped / 1e6:.2f} M, ratio {ratio:.1%}",
            f"target >= {target:.0%}: {'met' if ratio >= target else 'MISSED'} (callgrind)",
        )
        if headers_only is not None:
            report(
                f"{name}: the headers alone, stripped + the same headers as constants",
                f"{headers_only / 1e6:.2f} M: +{(headers_only - stripped) / 1e3:.0f} k, "
                f"best possible ratio {stripped / headers_only:.1%}",
                f"the rest of the hardening: +{(hardened - headers_only) / 1e3:.0f} k",
            )
