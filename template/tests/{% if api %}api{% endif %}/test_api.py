"""The REST API: locked down by default, throttled, JSON only, CORS by allow-list.

Requests go through Django's test client over "https" (secure=True), with tokens from
the API's own login endpoint. /api/me/ (the signed-in user's account) stands for every
endpoint here; the example app's endpoint has tests of its own when the project has it.
"""

import pytest

from security.cache import counters
from tests.conftest import PASSWORD, enrol_totp, recovery_code, sign_in, totp_code, verify_address

pytestmark = pytest.mark.django_db

ALLOWED_ORIGIN = "https://app.example.org"


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts live in the rate-limit counters' cache; each test starts from zero."""
    counters.clear()
    yield
    counters.clear()


@pytest.fixture
def other(django_user_model):
    return verify_address(
        django_user_model.objects.create_user(email="grace@example.com", password=PASSWORD)
    )


def login(client, email: str, password: str = PASSWORD):
    return client.post(
        "/api/auth/login/",
        {"email": email, "password": password},
        content_type="application/json",
        secure=True,
    )


def token_for(client, user) -> str:
    response = login(client, user.email)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def test_unauthenticated_request_is_refused(client):
    response = client.get("/api/me/", secure=True)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json", "JSON, never a login redirect"
    assert "detail" in response.json()


def test_token_opens_the_signed_in_users_own_account(client, user):
    token = token_for(client, user)

    response = client.get("/api/me/", secure=True, **auth(token))

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "email": user.email, "name": user.name}


def test_responses_are_json_only(client, user):
    token = token_for(client, user)

    response = client.get("/api/me/", secure=True, HTTP_ACCEPT="text/html", **auth(token))

    assert response.status_code == 406


def test_api_responses_carry_the_content_security_policy(client):
    response = client.get("/api/me/", secure=True)

    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_token_is_stored_hashed(client, user):
    from knox.models import AuthToken

    token = token_for(client, user)

    stored = AuthToken.objects.get(user=user)
    assert token not in (stored.digest, stored.token_key)


def test_revoked_token_is_refused(client, user):
    token = token_for(client, user)

    logout = client.post("/api/auth/logout/", secure=True, **auth(token))
    response = client.get("/api/me/", secure=True, **auth(token))

    assert logout.status_code == 204
    assert response.status_code == 401


def test_wrong_password_gets_no_token(client, user):
    response = login(client, user.email, "not-the-password-at-all")

    assert response.status_code == 400
    assert "token" not in response.json()


def test_too_many_logins_get_429_with_retry_after(client, user, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    limit = int(rates["sensitive"].split("/")[0])
    for _ in range(limit):
        login(client, "nobody@example.com", "wrong-password-here")

    response = login(client, user.email)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_throttle_counts_the_client_ip_not_a_forged_header(client, user):
    """Each request claims a new address first; the router's entry, last, stays the same."""
    for number in range(20):
        client.defaults["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{number}, 203.0.113.7"
        login(client, "nobody@example.com", "wrong-password-here")

    response = login(client, user.email)

    assert response.status_code == 429


def test_a_flood_of_other_clients_never_resets_a_throttle_count(client, user):
    """Each client's count is a cache entry; 400 more (other clients' counts) would make
    Django's database cache cull a third of its live entries, this client's among them."""
    from api.throttling import SensitiveThrottle

    client.defaults["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    for _ in range(20):
        login(client, "nobody@example.com", "wrong-password-here")
    assert login(client, user.email).status_code == 429
    for n in range(400):
        SensitiveThrottle.cache.set(f"throttle_sensitive_203.0.{n // 250}.{n % 250}", [1], 3600)

    assert login(client, user.email).status_code == 429, "the count must survive"


def test_disallowed_origin_gets_no_cors_headers(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]

    response = client.options(
        "/api/me/",
        secure=True,
        HTTP_ORIGIN="https://evil.example.net",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert not [name for name in response.headers if name.lower().startswith("access-control")]


def test_listed_origin_may_call_the_api_with_credentials(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]

    response = client.options(
        "/api/me/",
        secure=True,
        HTTP_ORIGIN=ALLOWED_ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_no_origin_is_allowed_by_default(client):
    response = client.get("/api/me/", secure=True, HTTP_ORIGIN=ALLOWED_ORIGIN)

    assert "Access-Control-Allow-Origin" not in response


# --- The token login: JSON only, and tokens die with the password ---------------------

NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"],
)
def test_token_login_refuses_what_a_cross_site_form_can_post(client, user, content_type):
    """A page elsewhere cannot spend a visitor's lockout and budgets by posting forms here."""
    from axes.models import AccessAttempt

    response = client.post(
        "/api/auth/login/",
        b"email=ada%40example.com&password=guess",
        content_type=content_type,
        secure=True,
    )

    assert response.status_code == 415
    assert not AccessAttempt.objects.exists(), "no failure was counted"


def test_an_unverified_account_gets_no_token(client, django_user_model):
    django_user_model.objects.create_user(email="new@example.com", password=PASSWORD)

    response = login(client, "new@example.com")

    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_account_with_two_factor_needs_its_code(client, user):
    secret = enrol_totp(user)

    without = login(client, user.email)
    wrong = client.post(
        "/api/auth/login/",
        {"email": user.email, "password": PASSWORD, "code": "000000"},
        content_type="application/json",
        secure=True,
    )
    right = client.post(
        "/api/auth/login/",
        {"email": user.email, "password": PASSWORD, "code": totp_code(secret)},
        content_type="application/json",
        secure=True,
    )

    assert (without.status_code, wrong.status_code, right.status_code) == (400, 400, 200)
    assert "code" in without.json()


def test_a_recovery_code_gets_a_token_too(client, user):
    enrol_totp(user)

    response = client.post(
        "/api/auth/login/",
        {"email": user.email, "password": PASSWORD, "code": recovery_code(user)},
        content_type="application/json",
        secure=True,
    )

    assert response.status_code == 200


def test_a_spent_failure_budget_answers_json_with_retry_after(client, user, settings):
    from django.test import Client

    attempts, _ = settings.FAILURE_BUDGETS["account"]
    for number in range(attempts):
        Client().post(
            "/api/auth/login/",
            {"email": user.email, "password": f"guess-{number}"},
            content_type="application/json",
            secure=True,
            headers={"x-forwarded-for": f"192.0.2.{number + 1}"},
        )

    response = login(client, user.email)

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0


def test_a_password_change_on_the_site_revokes_every_token(client, user):
    tokens = [token_for(client, user), token_for(client, user)]
    sign_in(client, user.email)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        secure=True,
    )

    assert [client.get("/api/me/", secure=True, **auth(t)).status_code for t in tokens] == [
        401,
        401,
    ]


def test_a_password_reset_revokes_every_token(client, user):
    import re

    from django.core import mail
    from django.test import Client

    token = token_for(client, user)
    browser = Client()
    browser.post("/accounts/password/reset/", {"email": user.email}, secure=True)
    link = re.search(r"https://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form = browser.get(link[1], secure=True)
    browser.post(
        form["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, secure=True
    )

    assert client.get("/api/me/", secure=True, **auth(token)).status_code == 401


def test_a_password_set_anywhere_else_revokes_every_token(client, user):
    """The admin's password form, `manage.py changepassword`, code: all call set_password()."""
    token = token_for(client, user)

    user.set_password(NEW_PASSWORD)
    user.save()

    assert client.get("/api/me/", secure=True, **auth(token)).status_code == 401
