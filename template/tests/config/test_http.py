"""What a browser sees: HTTPS, HSTS, headers, hosts and the admin's location."""

import pytest
from django.conf import settings

from config import project
from config.hosts import HerokuAppHost

pytestmark = pytest.mark.django_db


def test_plain_http_redirects_permanently_to_https(client):
    response = client.get("/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_https_request_from_the_router_is_served(client):
    response = client.get("/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200


def test_hsts_header_is_exact(client):
    response = client.get("/", secure=True)

    expected = "max-age=31536000; includeSubDomains"
    if project.HSTS_PRELOAD:
        expected += "; preload"
    assert response["Strict-Transport-Security"] == expected


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ],
)
def test_security_header_is_exact(client, header, value):
    response = client.get("/", secure=True)

    assert response[header] == value


def test_unknown_host_gets_400(client):
    response = client.get("/", secure=True, headers={"host": "evil.example"})

    assert response.status_code == 400


def test_production_domain_is_an_allowed_host(client):
    response = client.get("/", secure=True, headers={"host": project.PRODUCTION_DOMAIN})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "host",
    ["parapet-review-0123456789ab.herokuapp.com", "parapet-review.herokuapp.com"],
    ids=["default-domain", "default-domain-before-2023"],
)
def test_a_review_app_answers_on_its_own_herokuapp_host(client, settings, host):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HerokuAppHost("parapet-review")]

    assert client.get("/", secure=True, headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "another-app-0123456789ab.herokuapp.com",
        "parapet-review-0123456789ab.herokuapp.com.evil.example",
        "evil.parapet-review-0123456789ab.herokuapp.com",
        "parapet-review-0123456789abcd.herokuapp.com",
        "parapet-review-0123456789a.herokuapp.com",
        "parapet-reviewx.herokuapp.com",
        "herokuapp.com",
    ],
)
def test_a_review_app_answers_on_no_other_host(client, settings, host):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HerokuAppHost("parapet-review")]

    assert client.get("/", secure=True, headers={"host": host}).status_code == 400


def test_admin_answers_at_its_own_path(client):
    response = client.get(f"/{settings.ADMIN_URL_PATH}/login/", secure=True)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next="), "the site's sign-in"


def test_default_admin_path_is_not_found(client):
    response = client.get("/admin/", secure=True)

    assert response.status_code == 404


def test_unknown_url_shows_no_debug_page(client):
    response = client.get("/no-such-page/", secure=True)

    assert response.status_code == 404
    assert b"URLconf" not in response.content


def test_csrf_cookie_is_host_prefixed_secure_and_lax(client):
    response = client.get("/accounts/login/", secure=True)

    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_session_cookie_is_host_prefixed_secure_httponly_and_lax(client, user):
    response = client.post(
        "/accounts/login/",
        {"login": "ada@example.com", "password": "correct-horse-battery-staple-42"},
        secure=True,
    )

    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_post_without_csrf_token_is_forbidden():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {}, secure=True)

    assert response.status_code == 403
