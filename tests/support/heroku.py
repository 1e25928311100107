"""Run a rendered project the way Heroku does: build, release, Procfile processes.

`simulate_deploy` is Heroku's deploy without Heroku: a slug from `git archive`, the
buildpack's `uv sync` and `collectstatic` (config vars, no database), then the
Procfile's `release` command; any failing step raises `DeployFailed`, as it would fail
the deploy. `running_web` starts the Procfile's `web` command (read from the file, never
copied) with PORT and WEB_CONCURRENCY set, and `running_worker` its `worker` command.
`running_router` puts nginx in front of it as
Heroku's router: it terminates TLS with a certificate from a throwaway local CA, sets
X-Forwarded-Proto/-For/-Port and X-Request-Id, and forwards plain HTTP with
X-Forwarded-Proto: http. Like Heroku's router it buffers a request's line and headers
but streams its body to the dyno, keeps idle connections to the dyno for 90 s, passes
header names with underscores on, limits no body size and gives up on a dyno after 30 s.
The real router is not available here; nginx plays its part.

X-Forwarded-For: nginx, like Router 2.0, joins the lines a client sent and appends the
address it saw. Heroku's legacy router appended to the first line only and passed later
lines on untouched; nginx cannot split a client's lines apart, so a client that wants a
second line as the legacy router would pass it sends it as LEGACY_SECOND_LINE, which the
router forwards as a second X-Forwarded-For line (Site.request's `forwarded_for`).
"""

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.git import committed_copy
from tests.support.ports import wait_for_port
from tests.support.renders import child_env

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# A request header only the simulated router reads: its value goes to the dyno as a
# second X-Forwarded-For line, as Heroku's legacy router passed a client's second line.
LEGACY_SECOND_LINE = "X-Test-Legacy-Second-Forwarded-For"


def procfile_command(project: Path, process_type: str) -> str:
    for line in (project / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process_type:
            return command.strip()
    raise KeyError(f"no {process_type!r} process in {project / 'Procfile'}")


# What a deployer sets as EMAIL_URL (app.json requires it and gives no default).
EMAIL_URL = "smtp+tls://user:password@smtp.example.com:587"


def production_config(**extra: str) -> dict[str, str]:
    """Config vars a production dyno needs, for tests that do not read app.json."""
    return {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": EMAIL_URL,
        **extra,
    }


def slug_env(project: Path, **env: str) -> dict[str, str]:
    """The dyno's environment: the slug's virtualenv first on PATH, plus config vars."""
    base = child_env(**env)
    base["PATH"] = f"{project / '.venv' / 'bin'}:{base['PATH']}"
    return base


class DeployFailed(RuntimeError):
    """A step of the simulated deploy failed; on Heroku the deploy would stop there."""

    def __init__(self, step: str, output: str) -> None:
        super().__init__(f"{step} failed:\n{output}")
        self.step = step
        self.output = output


def build_slug(project: Path, destination: Path) -> Path:
    """What Heroku's Python buildpack makes of a project, without its build cache.

    Only committed files reach Heroku: a copy of the render (the render itself is
    shared with other tests and stays untouched) is committed, honouring its
    .gitignore, and `git archive`d into `destination`; dependencies come from `uv sync
    --locked --no-default-groups --compile-bytecode` with the Python in .python-version,
    as the buildpack runs it.
    """
    repository = committed_copy(project, destination.with_name(f"{destination.name}-repository"))
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=repository, check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive.stdout, check=True)
    sync = subprocess.run(
        ["uv", "sync", "--locked", "--no-default-groups", "--compile-bytecode"],
        cwd=destination,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if sync.returncode != 0:
        raise DeployFailed("build (uv sync)", sync.stderr)
    return destination


def in_slug(slug: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A command in the slug, on the dyno's PATH, with these config vars."""
    return subprocess.run(
        args,
        cwd=slug,
        env=slug_env(slug, **env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def collect_static(slug: Path, config_vars: dict[str, str]) -> None:
    """The buildpack's `collectstatic --noinput`: config vars only, no database, no S3."""
    result = in_slug(slug, ["python", "manage.py", "collectstatic", "--noinput"], config_vars)
    if result.returncode != 0:
        raise DeployFailed("build (collectstatic)", result.stdout + result.stderr)


def run_release(slug: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The Procfile's release command, read from the slug's Procfile, with config vars."""
    return in_slug(slug, ["bash", "-c", procfile_command(slug, "release")], env)


def simulate_deploy(
    render: Path, workdir: Path, config_vars: dict[str, str], database_url: str
) -> Path:
    """Heroku's deploy of `render`: slug, build, release; DeployFailed at the failing step.

    `config_vars` are present from the build on, as on Heroku; the database is not
    reachable at build time, so DATABASE_URL (the add-on's config var) is given to the
    release phase only. Returns the slug, ready for `running_web`.
    """
    slug = build_slug(render, workdir / "slug")
    collect_static(slug, config_vars)
    release = run_release(slug, {**config_vars, "DATABASE_URL": database_url})
    if release.returncode != 0:
        raise DeployFailed("release", release.stdout + release.stderr)
    return slug


@contextlib.contextmanager
def running_web(
    project: Path, port: int, env: dict[str, str], log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """The Procfile's web process on PORT; stopped with SIGTERM as a dyno is.

    Its output goes to a file (`log`, or a temporary one), never to a pipe: nobody reads
    a pipe while the process runs, and once it holds 64 KB of access log, gunicorn
    blocks mid-request.
    """
    command = procfile_command(project, "web")
    log_file = log or Path(tempfile.mkstemp(prefix="web-", suffix=".log")[1])
    with log_file.open("w") as output:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=project,
            env={**env, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, process, log=log_file)
        yield process
    finally:
        stop_dyno(process)
        if log is None:
            log_file.unlink(missing_ok=True)


@contextlib.contextmanager
def running_worker(
    project: Path, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """The Procfile's worker process, with the dyno's config vars; stopped as a dyno is.

    It listens on no port: it is up once its log says the worker started.
    """
    command = procfile_command(project, "worker")
    with log.open("w") as output:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while "Starting worker" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield process
    finally:
        stop_dyno(process)


def stop_dyno(process: subprocess.Popen[bytes], grace: float = 30) -> float:
    """Stop a dyno as Heroku does; return the seconds it took.

    SIGTERM goes to every process of the dyno (its process group); whatever still runs
    after `grace` seconds gets SIGKILL, as Heroku's 30 s limit would.
    """
    started = time.monotonic()
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return time.monotonic() - started


@dataclass(frozen=True)
class LocalCA:
    """A throwaway certificate authority and a server certificate it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_local_ca(directory: Path, host: str = "localhost") -> LocalCA:
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl(
        "req",
        "-x509",
        *new_key,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Parapet test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    )
    openssl("req", *new_key, "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={host}")
    (directory / "server.ext").write_text(
        f"subjectAltName=DNS:{host},DNS:localhost,IP:127.0.0.1\n"
        "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n"
    )
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2",
            "-extfile", "server.ext")  # fmt: skip
    return LocalCA(directory / "ca.pem", directory / "server.pem", directory / "server.key")


@dataclass(frozen=True)
class Router:
    http_port: int
    https_port: int
    ca: LocalCA

    def url(self, path: str = "/", host: str = "localhost", scheme: str = "https") -> str:
        port = self.https_port if scheme == "https" else self.http_port
        default = 443 if scheme == "https" else 80
        netloc = host if port == default else f"{host}:{port}"
        return f"{scheme}://{netloc}{path}"


@contextlib.contextmanager
def running_router(
    directory: Path, upstream_port: int | list[int], http_port: int, https_port: int
) -> Iterator[Router]:
    """nginx as Heroku's router in front of 127.0.0.1:upstream_port (a web dyno), or of
    several dynos, each request to one of them in turn."""
    if not Path(NGINX).exists():
        raise RuntimeError("nginx is not installed: apt-get install nginx-light (.ci/run does)")
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_local_ca(directory)
    ports = upstream_port if isinstance(upstream_port, list) else [upstream_port]
    dynos = " ".join(f"server 127.0.0.1:{port};" for port in ports)
    second_line = "$http_" + LEGACY_SECOND_LINE.lower().replace("-", "_")
    forward = f"""
        proxy_pass http://dyno;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_request_buffering off;
        proxy_read_timeout 30s;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-For {second_line};
        proxy_set_header {LEGACY_SECOND_LINE} "";
        proxy_set_header X-Request-Id $heroku_request_id;
        proxy_redirect off;
    """
    user = "user root root;" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    underscores_in_headers on;
    client_max_body_size 0;
    upstream dyno {{
        {dynos}
        keepalive 32;
        keepalive_timeout 90s;
    }}
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    server_tokens off;
    # Heroku's router keeps a client's X-Request-Id of 20 to 200 such characters and
    # makes up one otherwise.
    map $http_x_request_id $heroku_request_id {{
        "~^[A-Za-z0-9+/=-]{{20,200}}$" $http_x_request_id;
        default $request_id;
    }}
    server {{
        listen 127.0.0.1:{http_port};
        location / {{
            {forward}
            proxy_set_header X-Forwarded-Proto http;
            proxy_set_header X-Forwarded-Port {http_port};
        }}
    }}
    server {{
        listen 127.0.0.1:{https_port} ssl http2;
        ssl_certificate {ca.cert_file};
        ssl_certificate_key {ca.key_file};
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {{
            {forward}
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-Port {https_port};
        }}
    }}
}}
""")
    process = subprocess.Popen(
        [NGINX, "-c", str(directory / "nginx.conf"), "-e", str(directory / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(https_port, process, limit=20)
        wait_for_port(http_port, process, limit=20)
        yield Router(http_port, https_port, ca)
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
