"""Answer sets deployed as Heroku deploys them, and requests sent as the router's clients do.

`Deployments` deploys each answer set once per run (`simulate_deploy`: slug, build,
release against the TLS-only PostgreSQL) with the config vars a Heroku Button deploy
sets from the render's app.json. `serving` runs a deployment's web dyno behind the
router and yields a `Site`, whose `request` sends one request through the router.
"""

import contextlib
import http.client
import json
import re
import secrets
import shutil
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.heroku import (
    EMAIL_URL,
    LEGACY_SECOND_LINE,
    Router,
    running_router,
    running_web,
    running_worker,
    simulate_deploy,
    slug_env,
)
from tests.support.ports import free_port
from tests.support.postgres_tls import PostgresTLS
from tests.support.renders import Renders, run

# The simulated app is served at localhost: the only name that reaches 127.0.0.1.
HOST = "localhost"
WEB_CONCURRENCY = 2
# The simulated app's name on Heroku, and the default domain Heroku gives such an app.
APP_NAME = "parapet-deploy"
APP_DEFAULT_DOMAIN = f"{APP_NAME}-5fc113ad890b.herokuapp.com"
# Values for app.json's required config vars without a default: what a deployer types
# into a Heroku Button's form, or Heroku fills in for a review app (HEROKU_APP_NAME).
REQUIRED_CONFIG_VALUES = {"EMAIL_URL": EMAIL_URL, "HEROKU_APP_NAME": APP_NAME}
# The media bucket of the deployment with S3 (on moto's server).
MEDIA_BUCKET = "parapet-deploy-media"


def app_json_config_vars(render: Path) -> dict[str, str]:
    """Config vars as a Heroku Button deploy sets them from the render's app.json, with
    DJANGO_ALLOWED_HOSTS naming the host the tests use."""
    return {**button_config_vars(render), "DJANGO_ALLOWED_HOSTS": HOST}


def button_config_vars(render: Path) -> dict[str, str]:
    """Config vars exactly as a Heroku Button deploy sets them from the render's app.json.

    Generated secrets are new random values, declared values are kept, required ones
    get the deployer's value (REQUIRED_CONFIG_VALUES).
    """
    config_vars = {}
    for name, spec in json.loads((render / "app.json").read_text())["env"].items():
        if spec.get("generator") == "secret":
            config_vars[name] = secrets.token_hex(32)  # what Heroku's generator makes
        elif "value" in spec:
            config_vars[name] = spec["value"]
        elif spec.get("required"):
            if name not in REQUIRED_CONFIG_VALUES:
                pytest.fail(f"app.json requires {name}: add a value to REQUIRED_CONFIG_VALUES")
            config_vars[name] = REQUIRED_CONFIG_VALUES[name]
    return config_vars


def database_name(*parts: str) -> str:
    return "_".join(re.sub(r"\W", "_", part) for part in parts).lower()


def table_exists(slug: Path, database_url: str, table: str) -> bool:
    """Ask PostgreSQL (over TLS, with the slug's psycopg) whether `table` exists."""
    query = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1]) as connection:\n"
        "    row = connection.execute('SELECT to_regclass(%s) IS NOT NULL', [sys.argv[2]])\n"
        "    print(row.fetchone()[0])\n"
    )
    result = run([str(slug / ".venv" / "bin" / "python"), "-c", query, database_url, table],
                 cwd=slug)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


@dataclass
class Deployment:
    name: str
    render: Path
    slug: Path
    answers: dict[str, Any]
    config_vars: dict[str, str]
    database_url: str

    def dyno_env(self, config_vars: dict[str, str] | None = None) -> dict[str, str]:
        """The web dyno's environment: config vars (the deployment's, or these), the
        add-on's DATABASE_URL, Heroku's vars."""
        return slug_env(self.slug, **(self.config_vars if config_vars is None else config_vars),
                        DATABASE_URL=self.database_url,
                        WEB_CONCURRENCY=str(WEB_CONCURRENCY))  # fmt: skip


def shell(deployment: Deployment, code: str, **config_vars: str) -> str:
    """Run Python in the slug's `manage.py shell` with the dyno's config vars; its output."""
    env = {**deployment.dyno_env(), **config_vars}
    result = run(["python", "manage.py", "shell", "--verbosity=0", "-c", code],
                 cwd=deployment.slug, **env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def create_users(deployment: Deployment, addresses: list[str], password: str,
                 **fields: bool) -> None:  # fmt: skip
    """Accounts that have verified their address, as if they signed up and followed the
    link (User fields such as is_staff=True on top)."""
    shell(deployment, (
        "from allauth.account.models import EmailAddress\n"
        "from users.models import User\n"
        f"for address in {addresses!r}:\n"
        f"    user = User.objects.create_user(address, {password!r}, **{fields!r})\n"
        "    EmailAddress.objects.get_or_create(user=user, email=user.email,\n"
        "                                       defaults={'verified': True, 'primary': True})\n"
    ))  # fmt: skip


def create_user(deployment: Deployment, email: str, password: str) -> None:
    create_users(deployment, [email], password)


def on_s3(deployment: Deployment, code: str) -> str:
    """Run boto3 code in the slug with its config vars (`client` is an S3 client)."""
    setup = (
        "import os, boto3\n"
        "client = boto3.client('s3', endpoint_url=os.environ['AWS_S3_ENDPOINT_URL'],\n"
        "                      region_name=os.environ['AWS_S3_REGION_NAME'])\n"
    )
    result = run(["python", "-c", setup + code], cwd=deployment.slug, **deployment.dyno_env())
    assert result.returncode == 0, result.stderr
    return result.stdout


@dataclass
class Deployments:
    """Each answer set deployed once per run (slug, build, release), on first use."""

    renders: Renders
    postgres: PostgresTLS
    workspace: Path
    report: Callable[[str], None]
    done: dict[str, Deployment] = field(default_factory=dict)

    def get(self, name: str, answers: str | None = None, **config_vars: str) -> Deployment:
        """The deployment `name`: answer set `answers` (default: `name`) with these
        config vars on top of app.json's."""
        if name not in self.done:
            render = self.renders.path(answers or name)
            config_vars = {**app_json_config_vars(render), **config_vars}
            database_url = self.postgres.create_database(database_name("deploy", name))
            started = time.monotonic()
            slug = simulate_deploy(render, self.workspace / name, config_vars, database_url)
            self.report(f"deploy [{name}]: slug, build and release in "
                        f"{time.monotonic() - started:.1f} s")  # fmt: skip
            given = yaml.safe_load((render / ".copier-answers.yml").read_text())
            self.done[name] = Deployment(name, render, slug, given, config_vars, database_url)
        return self.done[name]


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes


@dataclass
class Site:
    """A deployed answer set: its web process behind the router, and its log."""

    deployment: Deployment
    router: Router
    log: Path

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        scheme: str = "https",
        host: str = HOST,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        source: str = "127.0.0.1",
        forwarded_for: list[str] | None = None,
    ) -> Response:
        """One request through the router, as a browser on the internet would send it.

        `source` is the client's address as the router sees it (any 127.x.y.z: each is a
        different client). `forwarded_for` are X-Forwarded-For lines the client sends
        itself; a second line reaches the dyno as Heroku's legacy router passed it
        (heroku.LEGACY_SECOND_LINE).
        """
        connection = router_connection(self.router, scheme, source)
        sent = {"Host": host, **(headers or {})}
        if forwarded_for:
            first, *later = forwarded_for
            assert len(later) <= 1, "the simulated router passes one later line"
            sent["X-Forwarded-For"] = first
            if later:
                sent[LEGACY_SECOND_LINE] = later[0]
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


def router_connection(
    router: Router, scheme: str = "https", source: str = "127.0.0.1", timeout: float = 30
) -> http.client.HTTPConnection:
    """A connection to the router from `source`, a loopback address (a client of its own)."""
    if scheme == "https":
        context = ssl.create_default_context(cafile=router.ca.ca_file)
        return http.client.HTTPSConnection("127.0.0.1", router.https_port, context=context,
                                           timeout=timeout, source_address=(source, 0))  # fmt: skip
    return http.client.HTTPConnection(
        "127.0.0.1", router.http_port, timeout=timeout, source_address=(source, 0)
    )


def set_cookies(response: Response) -> dict[str, str]:
    cookies = response.headers.get_all("Set-Cookie", [])
    return dict(cookie.split(";", 1)[0].split("=", 1) for cookie in cookies)


def csrf_token(page: Response) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert found, f"no CSRF token in the page:\n{page.body[-2000:]!r}"
    return found.group(1).decode()


@contextlib.contextmanager
def serving(
    deployment: Deployment,
    workdir: Path,
    http_port: int = 0,
    https_port: int = 0,
    config_vars: dict[str, str] | None = None,
) -> Iterator[Site]:
    """The deployment's web dyno behind the router, on these ports (or free ones), with
    the deployment's config vars or, given `config_vars`, with those instead."""
    web_port = free_port()
    log = workdir / "web.log"
    env = deployment.dyno_env(config_vars)
    with (
        running_web(deployment.slug, web_port, env, log=log),
        running_router(
            workdir / "router", web_port, http_port or free_port(), https_port or free_port()
        ) as router,
    ):
        yield Site(deployment, router, log)


def mail_dyno_env(deployment: Deployment, smtp_url: str, **config_vars: str) -> dict[str, str]:
    """Every dyno's environment with EMAIL_URL at a test SMTP server (and more config vars)."""
    return slug_env(deployment.slug, **{**deployment.config_vars, "EMAIL_URL": smtp_url},
                    DATABASE_URL=deployment.database_url, WEB_CONCURRENCY=str(WEB_CONCURRENCY),
                    **config_vars)  # fmt: skip


@contextlib.contextmanager
def serving_with_worker(
    deployment: Deployment,
    env: dict[str, str],
    workdir: Path,
    worker: bool = True,
    slug: Path | None = None,
) -> Iterator[Site]:
    """The deployment's web dyno (and worker dyno) with `env`, behind the router.

    `slug` runs another copy of the deployment's code (patched_slug) on its database.
    """
    code = slug or deployment.slug
    web_port = free_port()
    with contextlib.ExitStack() as stack:
        stack.enter_context(running_web(code, web_port, env, log=workdir / "web.log"))
        if worker:
            stack.enter_context(running_worker(code, env, workdir / "worker.log"))
        router = stack.enter_context(
            running_router(workdir / "router", web_port, free_port(), free_port())
        )
        yield Site(deployment, router, workdir / "web.log")


def patched_slug(
    deployment: Deployment, destination: Path, edits: dict[str, tuple[str, str]]
) -> Path:
    """A copy of the deployment's code (its virtualenv shared) with `edits` made:
    {path: (old, new)}. A test breaks a safeguard there to prove it would notice."""
    shutil.copytree(deployment.slug, destination, symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", "__pycache__"))  # fmt: skip
    (destination / ".venv").symlink_to(deployment.slug / ".venv")
    for name, (old, new) in edits.items():
        path = destination / name
        text = path.read_text()
        assert old in text, f"{old!r} is not in {name}: the patch no longer applies"
        path.write_text(text.replace(old, new))
    return destination
