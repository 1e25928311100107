"""moto's S3 API server on 127.0.0.1, standing in for AWS S3 (never for its access rules).

moto's server mode speaks the S3 API but enforces neither credentials nor Block Public
Access. It is installed by uvx into a throwaway tool environment of its own; the first
run installs it from PyPI into the shared uv cache.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.ports import free_port, wait_for_port
from tests.support.renders import child_env

MOTO_SERVER = "moto[server]==5.2.5"


@contextlib.contextmanager
def running_s3_server() -> Iterator[str]:
    """moto's S3 API server on a free port; yields its endpoint URL, then stops it."""
    if shutil.which("uvx") is None:
        raise RuntimeError("uvx is missing: install uv (python3 -m pip install uv) to start moto")
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        ["uvx", "--from", MOTO_SERVER, "moto_server", "-H", "127.0.0.1", "-p", str(port)],
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        try:
            wait_for_port(port, process, limit=300)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(
                f"moto's S3 server did not start ({error}):\n{Path(log.name).read_text()}"
            ) from None
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
