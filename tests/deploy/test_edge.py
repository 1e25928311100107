"""The edge, through the router: block lists, budgets, repeated X-Forwarded-For lines,
gunicorn's forwarded headers, slow clients, the access log and database connections.

One web dyno of the default deployment (no new deploy) restarts with block lists and a
small budget set as config vars. Each test's clients come from their own loopback
addresses, which the router sees as different clients (tests/support/clients.py).
"""

import json
import secrets
import ssl
import time
from collections.abc import Callable, Iterator

import pytest

from tests.support.clients import (
    answers,
    login_attempt,
    login_form,
    login_load,
    slow_bodies,
)
from tests.support.deployments import (
    WEB_CONCURRENCY,
    Deployment,
    Deployments,
    Site,
    create_user,
    serving,
)
from tests.support.heroku import running_router, running_web, running_worker
from tests.support.ports import free_port
from tests.support.postgres_tls import PostgresTLS
from tests.support.renders import run

pytestmark = pytest.mark.slow

BLOCKED_RANGE = "127.0.9.0/24"
BUDGET = 10  # requests a minute per client and web process
EDGE_CONFIG = {
    "DJANGO_BLOCKED_IPS": f"192.0.2.7,{BLOCKED_RANGE},2001:db8::/32",
    "DJANGO_BLOCKED_USER_AGENTS": "sqlmap|nikto",
    "DJANGO_REQUEST_BUDGET": str(BUDGET),
}
PLAN_CONNECTION_LIMIT = 20  # Heroku Postgres essential-0


@pytest.fixture(scope="module")
def default(deployments: Deployments) -> Deployment:
    return deployments.get("default")


@pytest.fixture(scope="module")
def edge_site(default: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    config_vars = {**default.config_vars, **EDGE_CONFIG}
    with serving(default, tmp_path_factory.mktemp("edge-site"), config_vars=config_vars) as site:
        yield site


def refused_lines(site: Site, reason: str) -> list[str]:
    return [
        line
        for line in site.log_lines()
        if "event=request_refused" in line and f"reason={reason}" in line
    ]


def test_blocked_address_gets_a_tiny_403_through_the_router(edge_site, report):
    response = edge_site.request("/accounts/login/", source="127.0.9.5")

    report(
        f"block list [{BLOCKED_RANGE}]: 127.0.9.5 -> {response.status} {response.body!r}, "
        f"Set-Cookie: {response.headers.get_all('Set-Cookie')}"
    )
    assert response.status == 403
    assert response.body == b"Forbidden\n"
    assert not response.headers.get_all("Set-Cookie"), "no session, no CSRF cookie"


def test_an_address_claimed_left_of_the_routers_blocks_and_unblocks_no_one(edge_site, report):
    claiming_blocked = edge_site.request("/", source="127.0.8.1", forwarded_for=["127.0.9.5"])
    blocked_claiming_other = edge_site.request("/", source="127.0.9.6", forwarded_for=["127.0.8.1"])

    report(
        f"block list: 127.0.8.1 claiming 127.0.9.5 -> {claiming_blocked.status}; "
        f"127.0.9.6 claiming 127.0.8.1 -> {blocked_claiming_other.status}"
    )
    assert claiming_blocked.status == 200
    assert blocked_claiming_other.status == 403


def test_blocked_address_with_a_second_forwarded_line_is_still_blocked(edge_site):
    response = edge_site.request(
        "/", source="127.0.9.7", forwarded_for=["198.51.100.1", "127.0.8.2"]
    )

    assert response.status == 403


def test_blocked_user_agent_gets_403(edge_site, report):
    agent = "sqlmap/1.8.2#stable (https://sqlmap.org)"
    response = edge_site.request("/", source="127.0.8.3", headers={"User-Agent": agent})

    report(f"user-agent block list [sqlmap|nikto]: {agent!r} -> {response.status}")
    assert response.status == 403


def test_refusals_are_logged_once_per_minute_and_process(edge_site):
    for n in range(12):
        edge_site.request("/", source=f"127.0.9.{20 + n}")

    deadline = time.monotonic() + 5
    while not refused_lines(edge_site, "blocked_ip") and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = refused_lines(edge_site, "blocked_ip")
    assert 1 <= len(lines) <= WEB_CONCURRENCY, lines


def test_client_over_its_budget_gets_429_with_retry_after(edge_site, report):
    # Each of the two web processes keeps its own count: 2 x BUDGET + 1 overflow one.
    statuses: list[int] = []
    while 429 not in statuses and len(statuses) <= 2 * BUDGET + 1:
        refused = edge_site.request("/", source="127.0.7.1")
        statuses.append(refused.status)
    other = edge_site.request("/", source="127.0.7.2")

    report(
        f"request budget [{BUDGET}/min per process]: {statuses.count(200)} x 200 then "
        f"{refused.status} Retry-After {refused.headers['Retry-After']}; "
        f"another client -> {other.status}"
    )
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert other.status == 200, "the budget is per client"


def test_static_files_and_the_health_check_are_exempt_from_the_budget(edge_site):
    manifest = edge_site.deployment.slug / "staticfiles" / "staticfiles.json"
    css = "/static/" + json.loads(manifest.read_text())["paths"]["css/site.css"]

    statuses = {
        edge_site.request(path, source="127.0.7.3").status
        for path in [css, "/healthz/"] * (BUDGET + 1)
    }

    assert statuses == {200}


def test_repeated_forwarded_for_lines_meet_the_login_lockout(edge_site, report):
    """Issue 17's finding: through the legacy router a second X-Forwarded-For line, chosen
    by the client, ended up right-most; eight wrong passwords got eight 200s."""
    email, password = "second-line@example.com", secrets.token_urlsafe(16)
    create_user(edge_site.deployment, email, password)
    form = login_form(edge_site)

    statuses = [
        login_attempt(
            edge_site,
            form,
            email,
            f"wrong-{n}",
            source="127.0.6.200",
            forwarded_for=["198.51.100.7", f"203.0.113.{n + 1}"],
        )
        for n in range(8)
    ]
    right_password = login_attempt(
        edge_site,
        form,
        email,
        password,
        source="127.0.6.200",
        forwarded_for=["198.51.100.7", "203.0.113.99"],
    )
    owner = login_attempt(edge_site, form, email, password, source="127.0.6.201")
    report(
        f"8 wrong passwords, each with a second X-Forwarded-For line of the client's "
        f"choosing (legacy router): {statuses}; the right password so -> {right_password}; "
        f"the owner from elsewhere -> {owner}"
    )

    assert statuses == [200] * 4 + [429] * 4, "the fifth failure locks them all out"
    assert right_password == 429
    assert owner == 302, "the lockout holds the shared bucket, not the owner"


def test_no_header_sets_script_name_through_gunicorn(edge_site, report):
    response = edge_site.request(
        "/evil/accounts/login/", source="127.0.8.4", headers={"SCRIPT_NAME": "/evil"}
    )

    report(f"SCRIPT_NAME: /evil on /evil/accounts/login/ -> {response.status}")
    assert response.status == 404, "gunicorn took a mount point from a client's header"


def test_a_client_claiming_https_another_way_is_ignored(edge_site):
    response = edge_site.request(
        "/", scheme="http", source="127.0.8.5", headers={"X-Forwarded-Ssl": "on"}
    )

    assert response.status == 301, "redirected to HTTPS, not a 400 from disagreeing headers"


def reset_link_path(deployment: Deployment, email: str) -> str:
    code = (
        "from django.contrib.auth.tokens import default_token_generator as g\n"
        "from django.utils.encoding import force_bytes\n"
        "from django.utils.http import urlsafe_base64_encode as b64\n"
        "from users.models import User\n"
        f"user = User.objects.get(email={email!r})\n"
        "print(f'/accounts/password/reset/{b64(force_bytes(user.pk))}/{g.make_token(user)}/')\n"
    )
    result = run(
        ["python", "manage.py", "shell", "--verbosity=0", "-c", code],
        cwd=deployment.slug,
        **deployment.dyno_env(),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_access_log_keeps_no_secret_of_a_reset_or_confirmation_link(edge_site, report):
    email = "reset-link@example.com"
    create_user(edge_site.deployment, email, secrets.token_urlsafe(16))
    django_link = reset_link_path(edge_site.deployment, email)
    allauth_key = f"4-{secrets.token_hex(16)}"
    confirmation = secrets.token_urlsafe(24)
    paths = [
        django_link,
        f"/accounts/password/reset/key/{allauth_key}/",
        f"/accounts/confirm-email/{confirmation}/",
    ]

    statuses = [edge_site.request(path, source="127.0.8.6").status for path in paths]
    time.sleep(0.5)

    log = edge_site.log.read_text()
    secrets_sent = [django_link.split("/")[-2], allauth_key, confirmation]
    report(
        f"access log: {statuses} for a Django reset link, an allauth reset link and an "
        f"allauth confirmation; secrets in the log: "
        f"{[secret for secret in secrets_sent if secret in log]}"
    )
    for secret in secrets_sent:
        assert secret not in log, f"{secret} is in the access log"
    assert log.count("[redacted]") >= len(paths)


def test_one_client_with_slow_bodies_cannot_stop_the_dyno(edge_site, report):
    """A client with twelve bodies trickling a byte a second holds at most its share of
    threads; another client is answered meanwhile, and the bodies are cut off."""
    with slow_bodies(edge_site.router, 12, ["127.0.5.1"]) as bodies:
        time.sleep(2.5)
        answered = answers(edge_site.router, "127.0.5.2")
        started = time.monotonic()
        cut = [connection for connection in bodies.connections if _answered(connection, 20)]
        seconds = time.monotonic() - started + 2.5
    report(
        f"slow bodies: 12 from one client, another client answered: {answered}; "
        f"{len(cut)} of 12 cut off within {seconds:.0f} s"
    )

    assert answered, "the dyno stopped answering other clients"
    assert len(cut) == 12, "every slow body was answered (cut off or refused)"


def _answered(connection: ssl.SSLSocket, timeout: float) -> bool:
    """Whether a response arrives on a slow connection within `timeout` seconds."""
    connection.settimeout(timeout)
    try:
        first: bytes = connection.recv(16)
    except OSError:
        return False
    return first.startswith(b"HTTP/1.1 ")


@pytest.fixture
def database_name(default: Deployment) -> str:
    return default.database_url.rsplit("/", 1)[1].split("?")[0]


def test_peak_database_connections_fit_the_smallest_plan(
    default: Deployment,
    postgres: PostgresTLS,
    database_name: str,
    tmp_path,
    report: Callable[[str], None],
):
    """app.json's formation (a web and a worker dyno) under 32 concurrent logins holds at
    most half the plan's connections: a deploy runs old and new dynos side by side."""
    web_port = free_port()
    env = default.dyno_env()
    postgres.limit_connections(database_name, PLAN_CONNECTION_LIMIT)
    try:
        with (
            running_web(default.slug, web_port, env, log=tmp_path / "web.log"),
            running_worker(default.slug, env, tmp_path / "worker.log"),
            running_router(tmp_path / "router", web_port, free_port(), free_port()) as router,
        ):
            site = Site(default, router, tmp_path / "web.log")
            others = postgres.connections(database_name)  # other tests' dynos, idle
            result = login_load(
                site, lambda: postgres.connections(database_name), clients_count=32, seconds=8
            )
    finally:
        postgres.limit_connections(database_name, -1)
    ours = result.peak - others
    report(
        f"database connections under 32 concurrent logins (1 web + 1 worker dyno): peak "
        f"{ours} (plus {others} of other dynos) of the plan's {PLAN_CONNECTION_LIMIT}; "
        f"{len(result.statuses)} logins, {result.failures} answered 5xx"
    )

    assert result.statuses and result.failures == 0
    assert ours <= PLAN_CONNECTION_LIMIT // 2, f"{ours} connections at the peak"
