"""A throwaway PostgreSQL server that accepts TLS connections only, for tests.

The server mimics Heroku Postgres: it listens on 127.0.0.1 only, requires TLS for every TCP
connection (``hostssl`` + ``scram-sha-256``; plain TCP is rejected by ``pg_hba.conf``) and hands
out a password-authenticated role. Administration (creating the role and databases) goes over a
unix socket in the server's private temporary directory.

Only the Python standard library (and tests/support/ports.py) is used, so this module can be
imported by pytest even when no PostgreSQL driver is installed. It needs the PostgreSQL server
binaries (``initdb``, ``pg_ctl``, ``postgres``), ``psql`` and ``openssl``. When running as root,
the server runs as the ``postgres`` system user (via ``runuser``), because PostgreSQL refuses to
run as root.

Example::

    with running_postgres_tls() as pg:
        url = pg.create_database("app")  # postgres://...@127.0.0.1:PORT/app?sslmode=require
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import pwd
import secrets
import shutil
import subprocess
import tempfile
import urllib.parse
from collections.abc import Iterator, Sequence

from tests.support.ports import free_port

__all__ = ["PostgresTLS", "running_postgres_tls"]

HOST = "127.0.0.1"
TEST_ROLE = "test_user"
SERVER_OS_USER = "postgres"  # OS account that runs the server when we are root
_FALLBACK_BIN_DIR = pathlib.Path("/usr/lib/postgresql/15/bin")  # Debian/Ubuntu layout
_START_TIMEOUT = 30  # seconds, passed to ``pg_ctl -t``
_PORT_ATTEMPTS = 3  # the free port can be stolen between probing and binding; retry then
_MAX_SOCKET_PATH = 107  # sun_path is 108 bytes including the terminating NUL


@dataclasses.dataclass(frozen=True)
class PostgresTLS:
    """Connection details of a running TLS-only PostgreSQL server (see `running_postgres_tls`)."""

    host: str
    """Always ``"127.0.0.1"``."""
    port: int
    """The TCP port the server listens on, chosen when the server starts."""
    user: str
    """A password-authenticated role with ``CREATEDB`` (a superuser when started in-dyno)."""
    password: str = dataclasses.field(repr=False)
    """The role's random password."""
    ca_file: pathlib.Path | None
    """The server's self-signed certificate; usable as ``sslrootcert`` for ``verify-full``.
    None for a server started like Heroku CI's in-dyno database (no TLS)."""
    _admin: _Admin = dataclasses.field(repr=False, compare=False)

    def url(self, dbname: str) -> str:
        """Return ``postgres://user:password@127.0.0.1:port/dbname?sslmode=require``.

        Without ``?sslmode=require`` for an in-dyno server, as Heroku CI gives it.
        """
        user = urllib.parse.quote(self.user, safe="")
        password = urllib.parse.quote(self.password, safe="")
        db = urllib.parse.quote(dbname, safe="")
        query = "?sslmode=require" if self.ca_file else ""
        return f"postgres://{user}:{password}@{self.host}:{self.port}/{db}{query}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` owned by `user` and return its URL (see `url`)."""
        self._admin.sql(f"CREATE DATABASE {_ident(name)} OWNER {_ident(self.user)}")
        return self.url(name)

    def connections(self, dbname: str) -> int:
        """How many server processes serve database ``dbname`` now (pg_stat_activity)."""
        # _literal quotes the name as PostgreSQL requires: no injection through it.
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = " + _literal(dbname)  # noqa: S608
        return int(self._admin.query(query))

    def limit_connections(self, dbname: str, limit: int) -> None:
        """Refuse connections to ``dbname`` beyond ``limit``, as a Heroku plan does (-1: none)."""
        self._admin.sql(f"ALTER DATABASE {_ident(dbname)} CONNECTION LIMIT {int(limit)}")


@contextlib.contextmanager
def running_postgres_tls(
    base_dir: pathlib.Path | None = None, *, in_dyno: bool = False
) -> Iterator[PostgresTLS]:
    """Start a TLS-only PostgreSQL server on 127.0.0.1, yield its details, then stop it.

    With ``in_dyno`` the server is instead set up as Heroku CI's in-dyno database is:
    without TLS, plain TCP allowed, and the role a superuser.

    Everything (cluster, certificate, socket, log) lives in a fresh temporary directory, created
    under ``base_dir`` if given (it must be reachable by the ``postgres`` user when running as
    root) or else by `tempfile.mkdtemp`. The server is stopped and the directory removed when
    the ``with`` block exits, also when it raises.

    Raises:
        RuntimeError: the binaries are missing, or the server could not be set up or started
            (the message then includes the tail of the server log).

    """
    bins = _find_binaries()
    root = os.geteuid() == 0
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="pgtls-", dir=base_dir)).resolve()
    admin = _Admin(bins=bins, workdir=workdir, as_postgres=root)
    started = False
    try:
        if root:
            _chown_to_server_user(workdir)
            admin.check_workdir_access()
        if len(str(workdir / ".s.PGSQL.65535")) > _MAX_SOCKET_PATH:
            raise RuntimeError(
                f"temporary directory path too long for a unix socket: {workdir} "
                "(pass a shorter base_dir)"
            )
        admin.initdb()
        ca_file = None if in_dyno else admin.make_certificate()
        admin.write_config(tls=not in_dyno)
        started = True  # from here on, always try to stop (pg_ctl may start and then time out)
        admin.start()
        password = secrets.token_urlsafe(24)
        power = "SUPERUSER" if in_dyno else "CREATEDB"
        admin.sql(f"CREATE ROLE {_ident(TEST_ROLE)} LOGIN {power} PASSWORD {_literal(password)}")
        yield PostgresTLS(
            host=HOST,
            port=admin.port,
            user=TEST_ROLE,
            password=password,
            ca_file=ca_file,
            _admin=admin,
        )
    finally:
        try:
            if started:
                admin.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            if workdir.exists():
                raise RuntimeError(f"could not remove temporary directory {workdir}")


@dataclasses.dataclass(frozen=True)
class _Binaries:
    initdb: str
    pg_ctl: str
    psql: str
    openssl: str


@dataclasses.dataclass
class _Admin:
    """Runs the server-side commands; private helper of `running_postgres_tls`."""

    bins: _Binaries
    workdir: pathlib.Path
    as_postgres: bool
    port: int = 0

    @property
    def data_dir(self) -> pathlib.Path:
        return self.workdir / "data"

    @property
    def log_file(self) -> pathlib.Path:
        return self.workdir / "server.log"

    def run(
        self,
        args: Sequence[str],
        *,
        as_server: bool = True,
        input: str | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command (as the server's OS user if ``as_server``) and capture its output."""
        cmd = list(args)
        if as_server and self.as_postgres:
            cmd = ["runuser", "-u", SERVER_OS_USER, "--", *cmd]
        return subprocess.run(
            cmd,
            cwd=self.workdir,  # the postgres user may not be able to read our cwd
            env=_clean_env(),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def check(
        self,
        args: Sequence[str],
        what: str,
        *,
        as_server: bool = True,
        input: str | None = None,
    ) -> str:
        """Like `run` but raise RuntimeError with the output if the command fails."""
        proc = self.run(args, as_server=as_server, input=input)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{what} failed (exit {proc.returncode}): {' '.join(args)}\n"
                f"{proc.stdout}{proc.stderr}".rstrip()
            )
        return proc.stdout

    def check_workdir_access(self) -> None:
        """Fail clearly if the server user cannot use the workdir (e.g. a 0700 parent dir)."""
        proc = self.run(["test", "-w", str(self.workdir), "-a", "-x", str(self.workdir)])
        if proc.returncode != 0:
            raise RuntimeError(
                f"user {SERVER_OS_USER!r} cannot access {self.workdir}; pass a base_dir whose "
                f"parent directories {SERVER_OS_USER!r} can traverse (or none to use the "
                "system temporary directory)"
            )

    def initdb(self) -> None:
        self.check(
            [
                self.bins.initdb,
                f"--pgdata={self.data_dir}",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-locale",
                "--auth-local=trust",
                "--auth-host=reject",
                "--no-sync",
                "--no-instructions",
            ],
            "initdb",
        )

    def make_certificate(self) -> pathlib.Path:
        """Create a self-signed certificate for localhost/127.0.0.1; return the cert path."""
        cert, key = self.workdir / "server.crt", self.workdir / "server.key"
        self.check(
            [
                self.bins.openssl,
                *["req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost"],
                *["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
                *["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                *["-addext", "basicConstraints=critical,CA:TRUE"],
                *["-keyout", str(key), "-out", str(cert)],
            ],
            "openssl req",
            as_server=False,
        )
        key.chmod(0o600)
        cert.chmod(0o644)
        if self.as_postgres:
            _chown_to_server_user(key, cert)
        return cert

    def write_config(self, tls: bool = True) -> None:
        """Append our settings to postgresql.conf and replace pg_hba.conf."""
        certificate = {
            "ssl": "on",
            "ssl_cert_file": str(self.workdir / "server.crt"),
            "ssl_key_file": str(self.workdir / "server.key"),
        }
        settings = {
            "listen_addresses": HOST,
            "unix_socket_directories": str(self.workdir),
            **(certificate if tls else {}),
            "password_encryption": "scram-sha-256",
            "max_connections": "100",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        conf = "".join(f"{name} = {_literal(value)}\n" for name, value in settings.items())
        # Opening existing files keeps their owner (the server user) and mode.
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write("\n# Added by tests/support/postgres_tls.py\n" + conf)
        with open(self.data_dir / "pg_hba.conf", "w", encoding="utf-8") as f:
            f.write(
                "local all postgres trust\n"
                "hostssl all all 127.0.0.1/32 scram-sha-256\n"
                + (
                    "hostnossl all all 0.0.0.0/0 reject\n"
                    if tls
                    else "hostnossl all all 127.0.0.1/32 scram-sha-256\n"
                )
            )

    def start(self) -> None:
        """Start the server on a free port, retrying if another process grabs the port first."""
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            self.port = free_port()
            proc = self.run(
                [
                    self.bins.pg_ctl,
                    "start",
                    f"--pgdata={self.data_dir}",
                    f"--log={self.log_file}",
                    "--wait",
                    f"--timeout={_START_TIMEOUT}",
                    f"--options=-p {self.port}",
                ],
                timeout=_START_TIMEOUT + 30,
            )
            if proc.returncode == 0:
                return
            log = self.log_tail()
            if "could not bind" not in log or attempt == _PORT_ATTEMPTS:
                raise RuntimeError(
                    f"PostgreSQL failed to start (pg_ctl exit {proc.returncode}):\n"
                    f"{proc.stdout}{proc.stderr}\n--- tail of {self.log_file} ---\n{log}"
                )

    def stop(self) -> None:
        """Stop the server (fast mode, falling back to immediate); ok if it is not running."""
        for mode in ("fast", "immediate"):
            proc = self.run(
                [
                    self.bins.pg_ctl,
                    "stop",
                    f"--pgdata={self.data_dir}",
                    f"--mode={mode}",
                    "--wait",
                    "--timeout=30",
                ],
                timeout=60,
            )
            if proc.returncode == 0 or not (self.data_dir / "postmaster.pid").exists():
                return
        raise RuntimeError(f"could not stop PostgreSQL:\n{proc.stdout}{proc.stderr}")

    def sql(self, statement: str) -> None:
        """Run one SQL statement as the ``postgres`` superuser over the unix socket."""
        self.check(
            [
                self.bins.psql,
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                f"--host={self.workdir}",
                f"--port={self.port}",
                "--username=postgres",
                "--dbname=postgres",
            ],
            "psql",
            as_server=False,
            input=statement + ";\n",  # via stdin: keeps passwords out of the process list
        )

    def query(self, statement: str) -> str:
        """The single value one SQL query returns, as the ``postgres`` superuser."""
        result = self.check(
            [
                self.bins.psql,
                "--no-psqlrc",
                "--quiet",
                "--tuples-only",
                "--no-align",
                "--set=ON_ERROR_STOP=1",
                f"--host={self.workdir}",
                f"--port={self.port}",
                "--username=postgres",
                "--dbname=postgres",
            ],
            "psql",
            as_server=False,
            input=statement + ";\n",
        )
        return result.strip()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])


def _find_binaries() -> _Binaries:
    """Locate the server binaries on PATH (or in the Debian PostgreSQL 15 directory)."""
    found: dict[str, str | None] = {}
    for name in ("initdb", "pg_ctl"):
        found[name] = shutil.which(name) or shutil.which(name, path=str(_FALLBACK_BIN_DIR))
    if not (found["initdb"] and found["pg_ctl"]):
        raise RuntimeError(
            "PostgreSQL 15 server binaries (initdb, pg_ctl) are not on PATH: "
            "apt-get install postgresql-15 and add /usr/lib/postgresql/15/bin to PATH "
            "(or brew install postgresql@15)"
        )
    # Prefer the psql next to the real pg_ctl (same version), else the one on PATH.
    bin_dir = pathlib.Path(found["pg_ctl"]).resolve().parent
    psql = shutil.which("psql", path=str(bin_dir)) or shutil.which("psql")
    openssl = shutil.which("openssl")
    if not psql:
        raise RuntimeError("psql is not on PATH: apt-get install postgresql-client-15")
    if not openssl:
        raise RuntimeError("openssl is not on PATH: apt-get install openssl")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_OS_USER)
        except KeyError:
            raise RuntimeError(
                f"running as root but there is no {SERVER_OS_USER!r} system user to run "
                "PostgreSQL (apt-get install postgresql-15 creates it)"
            ) from None
        if not shutil.which("runuser"):
            raise RuntimeError("running as root but runuser is not on PATH (util-linux)")
    return _Binaries(
        initdb=str(found["initdb"]), pg_ctl=str(found["pg_ctl"]), psql=psql, openssl=openssl
    )


def _chown_to_server_user(*paths: pathlib.Path) -> None:
    entry = pwd.getpwnam(SERVER_OS_USER)
    for path in paths:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _clean_env() -> dict[str, str]:
    """Return the current environment minus libpq ``PG*`` variables, with C-locale messages."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _ident(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    """Quote an SQL (or postgresql.conf) string literal."""
    return "'" + value.replace("'", "''") + "'"
