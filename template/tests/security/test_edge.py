"""The edge refuses what should never reach a view: blocked clients, clients over their
budget, requests that went around the CDN; before sessions or the database are touched.
"""

import logging

import pytest
from django.http import HttpResponse
from django.test import Client

from security.edge import InFlight, Networks, RefusalLog, RequestBudget, client_key
from security.middleware import EdgeMiddleware

pytestmark = pytest.mark.django_db

ROUTER_SEEN = "203.0.113.9"


def via_router(client_address: str, claimed: str | None = None) -> dict[str, str]:
    """Headers as the router sends them: the client's own claim, then what it saw."""
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return {"x-forwarded-for": forwarded}


@pytest.fixture
def blocked(settings):
    settings.BLOCKED_IPS = ["198.51.100.0/24", "192.0.2.7", "2001:db8:bad::/48"]
    settings.BLOCKED_USER_AGENTS = r"sqlmap|nikto"
    return Client()


@pytest.mark.parametrize(
    "address",
    ["198.51.100.200", "192.0.2.7", "2001:db8:bad::1", "::ffff:198.51.100.3"],
    ids=["in-a-range", "an-address", "ipv6-range", "ipv4-mapped"],
)
def test_blocked_client_gets_a_tiny_403_without_cookies(blocked, address):
    response = blocked.get("/accounts/login/", secure=True, headers=via_router(address))

    assert response.status_code == 403
    assert response.content == b"Forbidden\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert not response.cookies, "a refusal sets no cookie (no session, no CSRF token)"


def test_blocked_client_is_refused_before_the_database_or_the_session(
    blocked, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = blocked.get("/", secure=True, headers=via_router("198.51.100.5"))

    assert response.status_code == 403
    assert not hasattr(response.wsgi_request, "session"), "SessionMiddleware never ran"


def test_blocked_client_is_refused_static_files_too(blocked):
    response = blocked.get("/static/css/site.css", secure=True, headers=via_router("192.0.2.7"))

    assert response.status_code == 403


def test_client_claiming_a_blocked_address_is_not_blocked(blocked):
    response = blocked.get("/", secure=True, headers=via_router(ROUTER_SEEN, "198.51.100.5"))

    assert response.status_code == 200


def test_blocked_client_claiming_another_address_is_still_blocked(blocked):
    response = blocked.get("/", secure=True, headers=via_router("198.51.100.5", ROUTER_SEEN))

    assert response.status_code == 403


def test_blocked_client_sending_a_second_forwarded_line_is_still_blocked(blocked):
    # X-Forwarded-For on two lines (legacy router): no entry is trusted, every one is checked.
    headers = {**via_router("198.51.100.5", ROUTER_SEEN), "x-forwarded-for-lines": "2"}

    response = blocked.get("/", secure=True, headers=headers)

    assert response.status_code == 403


@pytest.mark.parametrize("agent", ["sqlmap/1.8.2#stable (https://sqlmap.org)", "Mozilla Nikto/2.5"])
def test_blocked_user_agent_gets_403(blocked, agent):
    response = blocked.get(
        "/", secure=True, headers={**via_router(ROUTER_SEEN), "user-agent": agent}
    )

    assert response.status_code == 403


def test_other_clients_pass_the_block_lists(blocked):
    headers = {**via_router("198.51.101.1"), "user-agent": "Mozilla/5.0 (X11; Linux x86_64)"}

    assert blocked.get("/", secure=True, headers=headers).status_code == 200


def test_refusals_are_logged_once_a_minute_with_their_count(blocked, security_lines):
    for _ in range(5):
        blocked.get("/", secure=True, headers=via_router("198.51.100.5"))

    lines = [line for line in security_lines() if "event=request_refused" in line]
    assert len(lines) == 1, f"one line for five refusals, not one each: {lines}"
    assert "reason=blocked_ip" in lines[0] and "refused=1" in lines[0]
    assert "ip=198.51.100.5" in lines[0]


def test_refusal_log_reports_the_count_since_its_previous_line(rf, security_lines):
    log = RefusalLog(interval=60)
    request = rf.get("/")

    for second in (0, 1, 2, 30, 61):
        log.refused("blocked_ip", request, now=1000 + second)

    counts = [line.split("refused=")[1] for line in security_lines()]
    assert counts == ["1", "4"], "the first at once, then the next four a minute later"


@pytest.fixture
def budget(settings):
    settings.REQUEST_BUDGET = 5
    return Client()


def test_client_over_its_budget_gets_429_with_retry_after(budget):
    statuses = [
        budget.get("/", secure=True, headers=via_router(ROUTER_SEEN)).status_code for _ in range(6)
    ]
    refused = budget.get("/", secure=True, headers=via_router(ROUTER_SEEN))

    assert statuses == [200] * 5 + [429]
    assert refused.content == b"Too many requests\n"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_budget_is_per_client(budget):
    for _ in range(6):
        budget.get("/", secure=True, headers=via_router(ROUTER_SEEN))

    assert budget.get("/", secure=True, headers=via_router("203.0.113.10")).status_code == 200


def test_budget_counts_an_ipv6_client_by_its_slash_64(budget):
    for host in range(6):
        last = budget.get("/", secure=True, headers=via_router(f"2001:db8:1:2::{host + 1}"))

    assert last.status_code == 429, "a fresh address in the same /64 is the same client"


def test_a_client_claiming_other_addresses_spends_its_own_budget(budget):
    statuses = [
        budget.get("/", secure=True, headers=via_router(ROUTER_SEEN, f"198.51.100.{n}")).status_code
        for n in range(6)
    ]

    assert statuses[-1] == 429


@pytest.mark.parametrize("path", ["/static/css/site.css", "/healthz/"])
def test_static_files_and_the_health_check_are_exempt_from_the_budget(budget, path):
    responses = [budget.get(path, secure=True, headers=via_router(ROUTER_SEEN)) for _ in range(10)]

    assert 429 not in {response.status_code for response in responses}


def test_health_check_answers_ok_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/", secure=True)

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_one_client_cannot_hold_more_than_its_share_of_threads(rf, settings):
    settings.CLIENT_CONCURRENCY = 2
    statuses: dict[int | str, int] = {}

    def request(depth, address=ROUTER_SEEN):
        return rf.get(f"/?depth={depth}", headers=via_router(address))

    def view(request_):
        depth = int(request_.GET["depth"])
        if depth < 2:  # while this request is in progress, its client sends another
            statuses[depth + 1] = middleware(request(depth + 1)).status_code
        if depth == 1:  # ... and so does another client
            statuses["other client"] = middleware(request(9, "203.0.113.10")).status_code
        return HttpResponse("ok")

    middleware = EdgeMiddleware(view)
    first = middleware(request(0))

    assert first.status_code == 200
    assert statuses == {1: 200, 2: 429, "other client": 200}
    assert middleware(request(9)).status_code == 200, "finished requests give their places back"


def test_in_flight_allows_a_client_its_limit_and_frees_places():
    places = InFlight(limit=2)

    assert [places.enter("a"), places.enter("a"), places.enter("a"), places.enter("b")] == [
        True,
        True,
        False,
        True,
    ]
    places.leave("a")
    assert places.enter("a")


def test_request_budget_refills_with_time():
    budget = RequestBudget(per_minute=60)

    assert all(budget.spend("a", now=0) == 0 for _ in range(60))
    assert budget.spend("a", now=0) == pytest.approx(1)
    assert budget.spend("a", now=1) == 0, "one more a second"


def test_request_budget_forgets_clients_whose_budget_is_whole_again():
    budget = RequestBudget(per_minute=60, max_clients=3)
    for n in range(4):
        budget.spend(f"client-{n}", now=0)

    budget.spend("late", now=3600)

    assert len(budget._due) == 1, "only the client still within its minute is kept"


def test_networks_match_addresses_and_ranges_of_both_families():
    networks = Networks(["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"])

    assert "10.20.30.40" in networks and "192.0.2.1" in networks and "2001:db8::9" in networks
    assert "192.0.2.2" not in networks and "2001:db9::1" not in networks
    assert "not-an-address" not in networks and None not in networks


def test_client_key_is_the_address_or_the_ipv6_slash_64():
    assert client_key("203.0.113.9") == "203.0.113.9"
    assert client_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"


@pytest.fixture
def behind_cdn(settings):
    settings.CDN_ORIGIN_SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret-s3cret-s3cret"
    settings.CDN_CLIENT_IP_HEADER = "CF-Connecting-IP"
    settings.TRUSTED_PROXY_COUNT = 2
    settings.BLOCKED_IPS = ["198.51.100.0/24"]
    return Client()


def test_request_without_the_cdn_secret_went_around_it_and_is_refused(behind_cdn):
    response = behind_cdn.get("/", secure=True, headers={"cf-connecting-ip": ROUTER_SEEN})

    assert response.status_code == 403


def test_with_the_cdn_secret_the_cdn_names_the_client(behind_cdn, settings):
    headers = {
        "x-origin-secret": settings.CDN_ORIGIN_SECRET,
        "cf-connecting-ip": "198.51.100.5",
        "x-forwarded-for": f"{ROUTER_SEEN}, 172.64.0.1",
    }

    blocked = behind_cdn.get("/", secure=True, headers=headers)
    served = behind_cdn.get("/", secure=True, headers={**headers, "cf-connecting-ip": ROUTER_SEEN})

    assert blocked.status_code == 403, "the CDN's header named a blocked client"
    assert served.status_code == 200


def test_wrong_cdn_secret_is_refused(behind_cdn):
    headers = {"x-origin-secret": "guessed", "cf-connecting-ip": ROUTER_SEEN}

    assert behind_cdn.get("/", secure=True, headers=headers).status_code == 403


def test_refusals_add_no_django_request_warning_per_request(blocked, caplog):
    logger = logging.getLogger("django.request")  # "django" does not propagate to caplog's
    logger.addHandler(caplog.handler)
    try:
        for _ in range(3):
            blocked.get("/", secure=True, headers=via_router("198.51.100.5"))
    finally:
        logger.removeHandler(caplog.handler)

    assert not [record for record in caplog.records if record.name == "django.request"]
