"""The edge, measured through the simulated router (`python -m benchmarks edge`).

The default render is deployed as a slug against the TLS-only PostgreSQL, its web
process (WEB_CONCURRENCY=2) and worker run as Heroku runs them, behind nginx playing
the router, and it is asked:

1. what the request budget's store costs per request: the in-process counter the
   project uses, and the shared database cache it could have used instead;
2. whether eight wrong passwords for one account, each request with a second
   X-Forwarded-For line of the client's choosing (the legacy router's path), meet the
   login lockout;
3. how many slow-body connections stop the dyno answering another client: from one
   client and from as many clients, and how long a held attack keeps it silent;
4. how many database connections the formation's dynos hold at their peak under
   concurrent logins (pg_stat_activity), for app.json's formation and for a deploy's
   overlap, when old and new dynos run side by side, against the 20 of Heroku's
   smallest Postgres plan.

Run it against another checkout (main, say) with --template, to compare before and
after. Numbers are printed, never asserted.
"""

import contextlib
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.support.clients import (
    answers,
    clients,
    login_attempt,
    login_form,
    login_load,
    slow_bodies,
    wait_until_answers,
)
from tests.support.deployments import Deployment, Site, create_user
from tests.support.heroku import (
    build_slug,
    collect_static,
    in_slug,
    production_config,
    running_router,
    running_web,
    running_worker,
    slug_env,
)
from tests.support.ports import free_port
from tests.support.postgres_tls import PostgresTLS, running_postgres_tls

Report = Callable[[str, str, str], None]

PLAN_CONNECTION_LIMIT = 20  # Heroku Postgres essential-0
SLOW_STEPS = (1, 2, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48)
HOLD_SECONDS = 30
LOAD_SECONDS = 15
LOAD_CLIENTS = 32

BUDGET_COST = """
import os, statistics, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.core.cache import cache

def per_call(function, calls):
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for n in range(calls):
            function(n)
        rounds.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(rounds)

def database_counter(n):
    key = f"budget:203.0.113.{n % 200}"
    cache.add(key, 0, timeout=60)
    cache.incr(key)

try:
    from security.edge import RequestBudget
except ImportError:
    memory = None
else:
    budget = RequestBudget(600)
    memory = per_call(lambda n: budget.spend(f"203.0.113.{n % 200}"), 100_000)
print(memory, per_call(database_counter, 300))
"""


def bench_edge(render: Path, work: Path, report: Report) -> None:
    with running_postgres_tls(Path(tempfile.gettempdir())) as postgres:
        database = "bench_edge"
        database_url = postgres.create_database(database)
        config_vars = production_config(DJANGO_ALLOWED_HOSTS="localhost")
        slug = build_slug(render, work / "edge-slug")
        collect_static(slug, config_vars)
        env = {**config_vars, "DATABASE_URL": database_url}
        migrated = in_slug(slug, ["python", "manage.py", "migrate", "--noinput"], env)
        if migrated.returncode != 0:
            raise RuntimeError(migrated.stdout + migrated.stderr)
        deployment = Deployment("bench", render, slug, {}, config_vars, database_url)

        budget_store_cost(deployment, report)
        with serving(deployment, work / "edge-web") as site:
            repeated_forwarded_for(site, report)
            slow_clients(site, report)
        peak_connections(deployment, postgres, database, work / "edge-load", report)


def dyno_env(deployment: Deployment, **extra: str) -> dict[str, str]:
    env = {**deployment.config_vars, "DATABASE_URL": deployment.database_url, **extra}
    return slug_env(deployment.slug, **env, WEB_CONCURRENCY="2")


@contextlib.contextmanager
def serving(
    deployment: Deployment, workdir: Path, web_dynos: int = 1, workers: int = 0
) -> Iterator[Site]:
    """Web dynos (and worker dynos) of `deployment` behind one router."""
    workdir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        ports = []
        for index in range(web_dynos):
            port = free_port()
            log = workdir / f"web-{index}.log"
            stack.enter_context(running_web(deployment.slug, port, dyno_env(deployment), log=log))
            ports.append(port)
        for index in range(workers):
            log = workdir / f"worker-{index}.log"
            stack.enter_context(running_worker(deployment.slug, dyno_env(deployment), log))
        router = stack.enter_context(
            running_router(workdir / "router", ports, free_port(), free_port())
        )
        yield Site(deployment, router, workdir / "web-0.log")


def budget_store_cost(deployment: Deployment, report: Report) -> None:
    env = {**deployment.config_vars, "DATABASE_URL": deployment.database_url}
    result = in_slug(deployment.slug, ["python", "-c", BUDGET_COST], env)
    if result.returncode != 0:
        raise RuntimeError(result.stdout + result.stderr)
    memory, database = result.stdout.split()
    report(
        "request budget store: in-process counter vs database cache (add + incr)",
        f"{float(memory):.1f} µs vs {float(database):.0f} µs per request"
        if memory != "None"
        else f"(no in-process budget) vs {float(database):.0f} µs per request",
        "PostgreSQL over TLS on loopback; Heroku's is across the network",
    )


def repeated_forwarded_for(site: Site, report: Report) -> None:
    """Eight wrong passwords, each with a second X-Forwarded-For line the client chose."""
    email, password = "repeated-lines@example.com", secrets.token_urlsafe(16)
    create_user(site.deployment, email, password)
    form = login_form(site)
    source = "127.0.2.1"
    # The client's own first line, then a second one with a new address each time.
    lines = [["198.51.100.7", f"203.0.113.{n + 1}"] for n in range(8)]
    statuses = [
        login_attempt(site, form, email, f"wrong-{n}", source=source, forwarded_for=line)
        for n, line in enumerate(lines)
    ]
    owner = login_attempt(site, form, email, password, source="127.0.2.2")
    report(
        "8 wrong passwords, a second X-Forwarded-For line each (legacy router)",
        " ".join(str(status) for status in statuses),
        f"the owner, from another address, with the right password: {owner}",
    )


def slow_clients(site: Site, report: Report) -> None:
    probe = "127.0.3.1"
    for label, sources in (("one client", ["127.0.4.1"]), ("one each", clients(48, 10, "127.0.5"))):
        stopped_at = None
        for count in SLOW_STEPS:
            with slow_bodies(site.router, count, sources):
                time.sleep(2.5)
                answered = answers(site.router, probe, timeout=5)
            wait_until_answers(site.router, probe)
            if not answered:
                stopped_at = count
                break
        report(
            f"slow-body connections that stop the dyno answering ({label})",
            str(stopped_at) if stopped_at else f"none up to {SLOW_STEPS[-1]}",
            "2 workers; a byte a second on each body, another client probing",
        )
        if label == "one each" and stopped_at:
            silent = held_attack(site, stopped_at, sources, probe)
            report(
                f"seconds without an answer while {stopped_at} slow clients hold on",
                f"{silent} of {HOLD_SECONDS}",
                "probed once a second",
            )


def held_attack(site: Site, count: int, sources: list[str], probe: str) -> int:
    silent = 0
    with slow_bodies(site.router, count, sources):
        started = time.monotonic()
        while time.monotonic() - started < HOLD_SECONDS:
            tick = time.monotonic()
            if not answers(site.router, probe, timeout=1):
                silent += 1
            time.sleep(max(0.0, 1 - (time.monotonic() - tick)))
    wait_until_answers(site.router, probe)
    return silent


def peak_connections(
    deployment: Deployment, postgres: PostgresTLS, database: str, work: Path, report: Report
) -> None:
    postgres.limit_connections(database, PLAN_CONNECTION_LIMIT)
    try:
        formations = {
            "app.json's formation: 1 web, 1 worker": 1,
            "a deploy's overlap: 2 web, 2 worker": 2,
        }
        for label, dynos in formations.items():
            workdir = work / f"dynos-{dynos}"
            with serving(deployment, workdir, web_dynos=dynos, workers=dynos) as site:
                result = login_load(
                    site,
                    lambda: postgres.connections(database),
                    clients_count=LOAD_CLIENTS,
                    seconds=LOAD_SECONDS,
                )
                time.sleep(1)
                idle = postgres.connections(database)
            report(
                f"peak database connections under {LOAD_CLIENTS} concurrent logins ({label})",
                f"{result.peak} (a second after: {idle}) of {PLAN_CONNECTION_LIMIT}",
                f"{len(result.statuses)} logins in {LOAD_SECONDS} s, "
                f"{result.failures} answered 5xx",
            )
    finally:
        postgres.limit_connections(database, -1)
