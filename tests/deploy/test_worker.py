"""Mail leaves the request: the worker runs next to web, from the slug, behind the router.

The default deployment (shared with the other modules of tests/deploy/) runs its Procfile's web
and worker processes with the same config vars, EMAIL_URL pointing at an SMTP server on
127.0.0.1 that takes 300 ms per message, as a slow provider does (the `mail_site`
fixture). Through the router, the password-reset form must answer a registered and an
unknown address equally fast (no enumeration by timing), and the reset mail must arrive
with a link that works. The same slug with DJANGO_TASKS_IMMEDIATE=true, which sends
mail inside the request, shows that the measurement sees the difference when the queue
is not there. Each request asks for another address from another client IP: the reset
form's own limits (three mails an hour per address) would refuse repeats.
"""

import re
import secrets
import statistics
import time

import pytest

from tests.support.accounts import Visitor, body_text, wait_for_mails
from tests.support.deployments import (
    WEB_CONCURRENCY,
    Site,
    create_users,
    mail_dyno_env,
    serving_with_worker,
)

pytestmark = pytest.mark.slow

SAMPLES = 15  # requests per kind of address, after warm-up requests
REGISTERED = [f"reset-timing-{n}@example.com" for n in range(SAMPLES + WEB_CONCURRENCY)]
UNKNOWN = [f"nobody-here-{n}@example.com" for n in range(SAMPLES + WEB_CONCURRENCY)]
MAX_MEDIAN_SECONDS = 0.250
MAX_GAP_SECONDS = 0.100


def reset_timings(site: Site, registered: list[str], unknown: list[str]) -> dict[str, list[float]]:
    """Seconds per reset request through the router, for each kind of address, interleaved."""
    clients = iter(range(10, 250))

    def post(address: str) -> float:
        visitor = Visitor(site, client_ip=f"127.0.1.{next(clients)}")
        visitor.get("/accounts/password/reset/")
        started = time.perf_counter()
        response = visitor.post("/accounts/password/reset/", {"email": address})
        elapsed = time.perf_counter() - started
        assert response.status == 302, response.body[-2000:]
        return elapsed

    for number in range(WEB_CONCURRENCY):
        post(registered[number])  # warm-up: the first requests load code in each worker
        post(unknown[number])
    timings: dict[str, list[float]] = {"registered": [], "unknown": []}
    for number in range(WEB_CONCURRENCY, WEB_CONCURRENCY + SAMPLES):
        timings["registered"].append(post(registered[number]))
        timings["unknown"].append(post(unknown[number]))
    return timings


def medians(timings: dict[str, list[float]]) -> tuple[float, float]:
    return statistics.median(timings["registered"]), statistics.median(timings["unknown"])


@pytest.fixture(scope="module")
def queue_site(mail_site: Site) -> Site:
    create_users(mail_site.deployment, REGISTERED, secrets.token_urlsafe(16))
    return mail_site


@pytest.fixture(scope="module")
def queued_timings(queue_site, report) -> dict[str, list[float]]:
    timings = reset_timings(queue_site, REGISTERED, UNKNOWN)
    registered, unknown = medians(timings)
    report(f"password reset through the router, mail queued (SMTP takes 300 ms): median "
           f"{registered * 1000:.0f} ms registered, {unknown * 1000:.0f} ms unknown, "
           f"{SAMPLES} requests each")  # fmt: skip
    return timings


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
    address = REGISTERED[-1]
    (message,) = wait_for_mails(smtp_server, address, 1)

    assert "Password Reset" in message["Subject"]
    link = re.search(r"https://localhost(/accounts/password/reset/key/\S+/)", body_text(message))
    assert link, "the reset mail carries a link to the site"
    visitor = Visitor(queue_site)
    form = visitor.follow(visitor.get(link.group(1)))
    assert b'name="password1"' in form.body, "the link opens the set-password form"


def test_an_unknown_address_is_told_by_mail_not_on_the_page(queued_timings, smtp_server):
    (message,) = wait_for_mails(smtp_server, UNKNOWN[-1], 1)

    assert "Unknown Account" in message["Subject"]


def test_timing_shows_the_wait_when_mail_is_sent_inside_the_request(
    queue_site, queued_timings, smtp_server, tmp_path, report
):
    """The measurement can fail: the same slug sending mail in the request is caught.

    django-allauth mails an unknown address too ("no account here"), so inside the
    request both kinds wait for the SMTP server: the speed check is what fails.
    """
    deployment = queue_site.deployment
    env = mail_dyno_env(deployment, smtp_server.url, DJANGO_TASKS_IMMEDIATE="true")
    registered_again = [f"immediate-{address}" for address in REGISTERED]
    create_users(deployment, registered_again, secrets.token_urlsafe(16))
    unknown_again = [f"immediate-{address}" for address in UNKNOWN]
    with serving_with_worker(deployment, env, tmp_path, worker=False) as site:
        registered, unknown = medians(reset_timings(site, registered_again, unknown_again))
    report(
        f"password reset with mail sent inside the request (DJANGO_TASKS_IMMEDIATE): median "
        f"{registered * 1000:.0f} ms registered, {unknown * 1000:.0f} ms unknown"
    )

    assert registered > MAX_MEDIAN_SECONDS and unknown > MAX_MEDIAN_SECONDS
