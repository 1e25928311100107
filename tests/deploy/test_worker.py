"""Mail leaves the request: the worker runs next to web, from the slug, behind the router.

The default deployment (shared with the other modules of tests/deploy/) runs its Procfile's web
and worker processes with the same config vars, EMAIL_URL pointing at an SMTP server on
127.0.0.1 that takes 300 ms per message, as a slow provider does. Through the router,
the password-reset form must answer a registered and an unknown address equally fast
(no enumeration by timing), and the reset mail must arrive with a link that works.
The same slug with DJANGO_TASKS_IMMEDIATE=true, which sends mail inside the request,
shows that the measurement sees the difference when the queue is not there.
"""

import contextlib
import email
import email.policy
import re
import secrets
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.deployments import (
    HOST,
    WEB_CONCURRENCY,
    Deployment,
    Site,
    create_user,
    csrf_token,
    set_cookies,
)
from tests.support.heroku import running_router, running_web, running_worker, slug_env
from tests.support.ports import free_port

pytestmark = pytest.mark.slow

REGISTERED = "reset-timing@example.com"
UNKNOWN = "nobody-here@example.com"
SAMPLES = 15  # requests per address, after warm-up requests
MAX_MEDIAN_SECONDS = 0.250
MAX_GAP_SECONDS = 0.100


def dyno_env(deployment: Deployment, smtp_url: str, **config_vars: str) -> dict[str, str]:
    """Every dyno's environment: the deployment's config vars, EMAIL_URL at the test server."""
    return slug_env(deployment.slug, **{**deployment.config_vars, "EMAIL_URL": smtp_url},
                    DATABASE_URL=deployment.database_url, WEB_CONCURRENCY=str(WEB_CONCURRENCY),
                    **config_vars)  # fmt: skip


@contextlib.contextmanager
def serving_with_worker(deployment: Deployment, env: dict[str, str], workdir: Path,
                        worker: bool = True) -> Iterator[Site]:  # fmt: skip
    web_port = free_port()
    with contextlib.ExitStack() as stack:
        stack.enter_context(running_web(deployment.slug, web_port, env, log=workdir / "web.log"))
        if worker:
            stack.enter_context(running_worker(deployment.slug, env, workdir / "worker.log"))
        router = stack.enter_context(
            running_router(workdir / "router", web_port, free_port(), free_port())
        )
        yield Site(deployment, router, workdir / "web.log")


def reset_timings(site: Site) -> dict[str, list[float]]:
    """Seconds per reset request through the router, for each address, interleaved."""
    form = site.request("/accounts/password/reset/")
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in set_cookies(form).items()),
        "Origin": f"https://{HOST}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    token = csrf_token(form)

    def post(address: str) -> float:
        body = urlencode({"csrfmiddlewaretoken": token, "email": address}).encode()
        started = time.perf_counter()
        response = site.request("/accounts/password/reset/", method="POST", headers=headers,
                                body=body)  # fmt: skip
        elapsed = time.perf_counter() - started
        assert response.status == 302, response.body[-2000:]
        return elapsed

    for address in (REGISTERED, UNKNOWN) * WEB_CONCURRENCY:
        post(address)  # warm-up: the first requests load code in each gunicorn worker
    timings: dict[str, list[float]] = {REGISTERED: [], UNKNOWN: []}
    for _ in range(SAMPLES):
        for address in timings:
            timings[address].append(post(address))
    return timings


def medians(timings: dict[str, list[float]]) -> tuple[float, float]:
    return statistics.median(timings[REGISTERED]), statistics.median(timings[UNKNOWN])


@pytest.fixture(scope="module")
def queue_site(deployments, smtp_server, tmp_path_factory) -> Iterator[Site]:
    """The default deployment's web and worker dynos, mail going to the SMTP server."""
    deployment = deployments.get("default")
    create_user(deployment, REGISTERED, secrets.token_urlsafe(16))
    env = dyno_env(deployment, smtp_server.url)
    with serving_with_worker(deployment, env, tmp_path_factory.mktemp("queue-site")) as site:
        yield site


@pytest.fixture(scope="module")
def queued_timings(queue_site, report) -> dict[str, list[float]]:
    timings = reset_timings(queue_site)
    registered, unknown = medians(timings)
    report(f"password reset through the router, mail queued (SMTP takes 300 ms): median "
           f"{registered * 1000:.0f} ms registered, {unknown * 1000:.0f} ms unknown, "
           f"{SAMPLES} requests each")  # fmt: skip
    return timings


def wait_for_mail(smtp_server, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(smtp_server.received) < count:
        assert time.monotonic() < deadline, f"{len(smtp_server.received)} of {count} mails came"
        time.sleep(0.1)


def test_reset_page_answers_registered_and_unknown_addresses_alike_and_fast(queued_timings):
    registered, unknown = medians(queued_timings)

    assert registered < MAX_MEDIAN_SECONDS, f"registered: {registered * 1000:.0f} ms"
    assert unknown < MAX_MEDIAN_SECONDS, f"unknown: {unknown * 1000:.0f} ms"
    assert abs(registered - unknown) < MAX_GAP_SECONDS, (
        f"registered {registered * 1000:.0f} ms vs unknown {unknown * 1000:.0f} ms: "
        "the reset form tells which addresses have accounts"
    )


def test_worker_delivers_the_reset_mail_with_a_link_that_works(
    queue_site, queued_timings, smtp_server
):
    wait_for_mail(smtp_server, SAMPLES + WEB_CONCURRENCY)  # the warm-up requests' mail too

    assert {tuple(envelope.rcpt_tos) for envelope in smtp_server.received} == {(REGISTERED,)}
    last = email.message_from_bytes(smtp_server.received[-1].content, policy=email.policy.default)
    body = last.get_body(("plain",))
    assert body is not None, "the reset mail has a plain-text part"
    link = re.search(rf"https://{HOST}(/accounts/password/reset/\S+/)", body.get_content())
    assert link, "the reset mail carries a link to the site"
    path = link.group(1)
    redirect = queue_site.request(path)
    form = queue_site.request(redirect.headers["Location"], headers={
        "Cookie": "; ".join(f"{k}={v}" for k, v in set_cookies(redirect).items())})  # fmt: skip
    assert redirect.status == 302
    assert b'name="new_password1"' in form.body, "the link opens the set-password form"


def test_timing_shows_the_leak_when_mail_is_sent_inside_the_request(
    queue_site, queued_timings, smtp_server, tmp_path, report
):
    """The measurement can fail: the same slug sending mail in the request is caught."""
    deployment = queue_site.deployment
    env = dyno_env(deployment, smtp_server.url, DJANGO_TASKS_IMMEDIATE="true")
    with serving_with_worker(deployment, env, tmp_path, worker=False) as site:
        registered, unknown = medians(reset_timings(site))
    report(
        f"password reset with mail sent inside the request (DJANGO_TASKS_IMMEDIATE): median "
        f"{registered * 1000:.0f} ms registered, {unknown * 1000:.0f} ms unknown"
    )

    assert registered - unknown > MAX_GAP_SECONDS, "the gap that enumerates accounts"
    assert registered > MAX_MEDIAN_SECONDS
