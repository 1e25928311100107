"""The web dyno, probed through the router as the router's clients would probe it."""

import http.client
import json
import secrets
import time
from urllib.parse import urlencode

import pytest

from tests.support.deployments import (
    HOST,
    WEB_CONCURRENCY,
    Response,
    Site,
    create_user,
    csrf_token,
    set_cookies,
)
from tests.support.heroku import running_web, stop_dyno
from tests.support.ports import free_port

pytestmark = pytest.mark.slow

HEROKU_STOP_GRACE = 30  # seconds: Heroku's SIGKILL follows SIGTERM after 30 s
ONE_YEAR = 31_536_000
CSRF_COOKIE = "__Host-csrftoken"


@pytest.fixture(scope="module")
def home_page(site: Site) -> Response:
    return site.request("/")


def test_web_process_runs_web_concurrency_workers(site):
    booted = [line for line in site.log_lines() if "Booting worker with pid" in line]

    assert len(booted) == WEB_CONCURRENCY, "\n".join(site.log_lines())


def test_plain_http_is_redirected_permanently_to_https(site):
    response = site.request("/", scheme="http")

    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/"


def test_https_home_page_is_served(home_page):
    assert home_page.status == 200


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cross-Origin-Embedder-Policy", "credentialless"),
    ],
)
def test_https_page_carries_security_header(home_page, header, value):
    assert home_page.headers[header] == value


def test_https_page_carries_hsts_for_a_year_with_subdomains_preloaded_as_answered(site, home_page):
    directives = [d.strip() for d in home_page.headers["Strict-Transport-Security"].split(";")]

    assert directives[:2] == [f"max-age={ONE_YEAR}", "includeSubDomains"]
    assert ("preload" in directives) == site.deployment.answers["hsts_preload"]


def test_https_page_carries_a_strict_content_security_policy(home_page):
    policy = home_page.headers["Content-Security-Policy"]

    for directive in ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'",
                      "object-src 'none'", "form-action 'self'"):  # fmt: skip
        assert directive in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_https_page_switches_off_unused_browser_features(home_page):
    policy = home_page.headers["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy, policy


def test_unknown_host_is_refused_with_400(site):
    response = site.request("/", host="evil.example.com")

    assert response.status == 400


def hashed_static_path(site: Site, name: str) -> str:
    manifest = site.deployment.slug / "staticfiles" / "staticfiles.json"
    hashed: str = json.loads(manifest.read_text())["paths"][name]
    return "/static/" + hashed


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_hashed_static_file_is_served_compressed(site, encoding):
    response = site.request(
        hashed_static_path(site, "css/site.css"), headers={"Accept-Encoding": encoding}
    )

    assert response.status == 200
    assert response.headers["Content-Encoding"] == encoding


def test_hashed_static_file_is_cached_immutably_for_at_least_a_year(site):
    response = site.request(hashed_static_path(site, "css/site.css"))

    directives = [d.strip() for d in response.headers["Cache-Control"].split(",")]
    max_age = next(int(d.split("=")[1]) for d in directives if d.startswith("max-age="))
    assert "immutable" in directives
    assert max_age >= ONE_YEAR


def test_default_admin_path_is_not_found(site):
    assert site.request("/admin/").status == 404


def test_admin_path_reaches_the_sites_sign_in(site):
    admin = f"/{site.deployment.answers['admin_url_path']}/"

    redirect = site.request(admin)
    admin_login = site.request(redirect.headers["Location"])
    login = site.request(admin_login.headers["Location"])

    assert redirect.status == 302
    assert redirect.headers["Location"].startswith(f"{admin}login/")
    assert admin_login.status == 302, "the admin has no login form of its own"
    assert admin_login.headers["Location"].startswith("/accounts/login/?next=")
    assert login.status == 200
    assert b'name="login"' in login.body and b'name="password"' in login.body


def test_login_page_sets_only_host_prefixed_secure_cookies(site):
    response = site.request("/accounts/login/")

    cookies = response.headers.get_all("Set-Cookie") or []
    assert any(cookie.startswith("__Host-csrftoken=") for cookie in cookies), cookies
    for cookie in cookies:
        _, *attributes = (part.strip() for part in cookie.split(";"))
        flags = {name.lower(): value for name, _, value in (a.partition("=") for a in attributes)}
        assert cookie.startswith("__Host-"), cookie
        assert "secure" in flags and flags.get("path") == "/" and "domain" not in flags, cookie


def test_unknown_url_shows_no_debug_page(site):
    response = site.request("/no-such-page/", headers={"Accept": "text/html"})

    assert response.status == 404
    for leak in (b"DEBUG = True", b"Traceback", b"Using the URLconf defined in"):
        assert leak not in response.body, f"{leak!r} in the 404 page"


def test_api_exists_only_when_answered_and_refuses_anonymous_clients(site):
    response = site.request("/api/me/", headers={"Accept": "application/json"})

    if site.deployment.answers.get("api"):
        assert response.status == 401
        assert response.headers["Content-Type"] == "application/json"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    else:
        assert response.status == 404


def test_post_without_csrf_token_is_forbidden(site):
    response = site.request(
        "/accounts/login/",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Origin": f"https://{HOST}"},
        body=b"login=someone%40example.com&password=not-the-password",
    )  # fmt: skip

    assert response.status == 403


def test_lockout_holds_behind_the_router_even_with_a_spoofed_client_ip(site: Site, report):
    """Credential stuffing through the real router path: five failures lock the pair.

    The fifth failure is answered 429 already; the next attempt, with the right
    password, gets 429 too, and so do attempts that claim another client IP in
    X-Forwarded-For, because the router appends the real one.
    """
    email, password = "victim@example.com", secrets.token_urlsafe(16)
    create_user(site.deployment, email, password)
    form = site.request("/accounts/login/")
    cookie = next(
        f"{name}={value}" for name, value in set_cookies(form).items() if name == CSRF_COOKIE
    )
    token = csrf_token(form)

    def attempt(secret: str, **extra_headers: str) -> int:
        body = urlencode(
            {"csrfmiddlewaretoken": token, "login": email, "password": secret}
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{HOST}",
            "Cookie": cookie,
            **extra_headers,
        }
        return site.request("/accounts/login/", method="POST", headers=headers, body=body).status

    failures = [attempt(f"wrong-password-{n}") for n in range(5)]
    right_password = attempt(password)
    spoofed = attempt(password, **{"X-Forwarded-For": "198.51.100.23"})
    other_case = attempt(password, **{"X-Forwarded-For": "198.51.100.24"})
    report(
        f"lockout [{site.deployment.name}]: 5 wrong passwords -> {failures}, "
        f"right password -> {right_password}, with spoofed X-Forwarded-For -> {spoofed}, "
        f"again -> {other_case}"
    )

    assert failures == [200, 200, 200, 200, 429], "four re-show the form, the fifth locks"
    assert right_password == 429, "the right password is refused while locked out"
    assert spoofed == 429 and other_case == 429, "a client-sent IP does not unlock anything"


def test_access_log_line_carries_the_request_id(site):
    request_id = f"parapet-{secrets.token_hex(12)}"

    site.request("/", headers={"X-Request-Id": request_id})

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(f"request_id={request_id}" in line for line in site.log_lines()):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"no access log line with request_id={request_id}:\n{site.log.read_text()}")


def test_sigterm_stops_the_web_process_cleanly_within_heroku_s_grace_period(site, tmp_path, report):
    """A dyno of its own, stopped while a keep-alive connection (as the router keeps) idles."""
    deployment = site.deployment
    port = free_port()
    log = tmp_path / "web.log"
    with running_web(deployment.slug, port, deployment.dyno_env(), log=log) as process:
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        idle.request("GET", "/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        served = idle.getresponse()
        served.read()
        assert served.status == 200
        seconds = stop_dyno(process, grace=HEROKU_STOP_GRACE + 5)
        idle.close()
    report(f"SIGTERM [{deployment.name}]: the web process stopped in {seconds:.1f} s")

    output = log.read_text()
    assert process.returncode == 0, output
    assert seconds < HEROKU_STOP_GRACE, f"took {seconds:.1f} s: Heroku would SIGKILL"
    assert "WORKER TIMEOUT" not in output, output
