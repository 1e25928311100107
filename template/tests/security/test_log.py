"""Security events: one logfmt line each, with user id, client IP and request id.

Lines are captured from the "security" logger as Heroku would receive them.
"""

import json
import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD, enrol_totp, last_mail_match, totp_code, verify_address

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.9"
REQUEST_ID = "0b5a4f3e-6c1d-4e2b-9a7f-1c2d3e4f5a6b"
ROUTER = {"x-forwarded-for": f"198.51.100.1, {CLIENT_IP}", "x-request-id": REQUEST_ID}
NEW_PASSWORD = "a-brand-new-passphrase-77"
PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def parse(line: str) -> dict[str, str]:
    return {
        key: json.loads(value) if value.startswith('"') else value
        for key, value in PAIR.findall(line)
    }


def events(lines) -> list[dict[str, str]]:
    return [parse(line) for line in lines()]


def only(lines, event: str) -> dict[str, str]:
    found = [fields for fields in events(lines) if fields["event"] == event]
    assert len(found) == 1, f"expected one {event} line in {lines()}"
    return found[0]


def post(client, path, data):
    return client.post(path, data, secure=True, headers=ROUTER)


def log_in(client, email="ada@example.com", password=PASSWORD):
    return post(client, "/accounts/login/", {"login": email, "password": password})


def test_every_line_starts_with_event_user_ip_and_request_id(client, user, security_lines):
    log_in(client)

    (line,) = security_lines()
    assert list(parse(line))[:4] == ["event", "user_id", "ip", "request_id"]
    assert "\n" not in line


def test_login_success_is_logged(client, user, security_lines):
    log_in(client)

    fields = only(security_lines, "login_succeeded")
    assert (fields["user_id"], fields["ip"], fields["request_id"]) == (
        str(user.pk),
        CLIENT_IP,
        REQUEST_ID,
    )
    assert (fields["methods"], fields["second_factor"]) == ("password", "false")


def test_a_second_factor_shows_in_the_login_line(client, user, security_lines):
    secret = enrol_totp(user)
    log_in(client)

    post(client, "/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    fields = only(security_lines, "login_succeeded")
    assert (fields["methods"], fields["second_factor"]) == ("password+mfa", "true")


def test_login_failure_is_logged_with_a_masked_address(client, user, security_lines):
    log_in(client, email="ADA@example.com", password="wrong-password-guess")

    fields = only(security_lines, "login_failed")
    assert fields["user_id"] == str(user.pk)
    assert fields["email"] == "a***@example.com"
    assert fields["ip"] == CLIENT_IP


def test_login_failure_for_an_unknown_address_has_no_user_id(client, db, security_lines):
    log_in(client, email="nobody@example.com", password="wrong-password-guess")

    assert only(security_lines, "login_failed")["user_id"] == "-"


def test_lockout_is_logged(client, user, security_lines, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong-password-guess")

    fields = only(security_lines, "lockout")
    assert (fields["user_id"], fields["ip"]) == (str(user.pk), CLIENT_IP)


def test_logout_is_logged(client, user, security_lines):
    log_in(client)

    post(client, "/accounts/logout/", {})

    assert only(security_lines, "logout")["user_id"] == str(user.pk)


def test_password_change_is_logged(client, user, security_lines):
    log_in(client)

    post(
        client,
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert only(security_lines, "password_changed")["user_id"] == str(user.pk)


def reset_password(client) -> str:
    """Request a reset, follow the emailed link, set a new password; returns the link."""
    post(client, "/accounts/password/reset/", {"email": "ada@example.com"})
    link = last_mail_match(r"https://testserver(\S+)")
    form = client.get(link, secure=True, headers=ROUTER)
    post(client, form["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return link


def test_password_reset_request_and_completion_are_logged(client, user, security_lines):
    reset_password(client)

    requested = only(security_lines, "password_reset_requested")
    assert (requested["user_id"], requested["email"]) == (str(user.pk), "a***@example.com")
    assert only(security_lines, "password_reset_completed")["user_id"] == str(user.pk)


def test_password_reset_for_an_unknown_address_is_logged_without_user(client, db, security_lines):
    post(client, "/accounts/password/reset/", {"email": "nobody@example.com"})

    assert only(security_lines, "password_reset_requested")["user_id"] == "-"


def test_second_factor_failure_is_logged(client, user, security_lines):
    secret = enrol_totp(user)
    log_in(client)
    wrong = f"{(int(totp_code(secret)) + 500_000) % 1_000_000:06d}"

    post(client, "/accounts/2fa/authenticate/", {"code": wrong})

    fields = only(security_lines, "second_factor_failed")
    assert (fields["user_id"], fields["type"], fields["ip"]) == (str(user.pk), "totp", CLIENT_IP)


def test_permission_denied_is_logged(client, django_user_model, admin_url, security_lines):
    clerk = verify_address(
        django_user_model.objects.create_user(
            email="clerk@example.com", password=PASSWORD, is_staff=True
        )
    )
    secret = enrol_totp(clerk)
    log_in(client, clerk.email)
    post(client, "/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    response = client.get(admin_url("users/user/"), secure=True, headers=ROUTER)

    assert response.status_code == 403
    fields = only(security_lines, "permission_denied")
    assert (fields["user_id"], fields["path"]) == (str(clerk.pk), admin_url("users/user/"))


def test_a_throttled_attempt_is_logged(client, user, security_lines, settings):
    attempts, _ = settings.FAILURE_BUDGETS["account"]
    for n in range(attempts):
        Client().post(
            "/accounts/login/",
            {"login": user.email, "password": f"guess-{n}"},
            secure=True,
            headers={"x-forwarded-for": f"192.0.2.{n + 1}"},
        )

    log_in(client, password="one-more-guess")

    fields = only(security_lines, "login_throttled")
    assert (fields["email"], fields["ip"]) == ("a***@example.com", CLIENT_IP)
    assert int(fields["retry_after"]) > 0


def test_sign_up_and_verification_are_logged(client, db, security_lines):
    post(
        client,
        "/accounts/signup/",
        {"email": "grace@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    link = last_mail_match(r"https://testserver(\S+/confirm-email/\S+/)")

    post(client, link, {})

    signed_up = only(security_lines, "signed_up")
    assert only(security_lines, "email_verified")["user_id"] == signed_up["user_id"] != "-"


def test_no_line_holds_a_password_token_session_key_or_full_address(user, security_lines):
    client = Client()
    log_in(client, password="a-guessed-password-1")
    log_in(client)
    session_key = client.session.session_key
    link = reset_password(client)
    token = link.rstrip("/").rsplit("/", 1)[-1]

    text = "\n".join(security_lines())
    assert len(security_lines()) >= 4
    for secret in (PASSWORD, NEW_PASSWORD, "a-guessed-password-1", token, session_key):
        assert secret and secret not in text
    assert "ada@example.com" not in text


def test_hostile_input_cannot_break_or_forge_a_line(client, db, security_lines):
    client.post(
        "/accounts/login/",
        {"login": "x@evil.example", "password": "guess"},
        secure=True,
        headers={"x-request-id": "abc\nevent=forged", "x-forwarded-for": CLIENT_IP},
    )

    (line,) = security_lines()
    assert "\n" not in line and line.count("event=") == 1, line
    fields = parse(line)
    assert fields["event"] == "login_failed"
    assert fields["request_id"] == "-"
    assert fields["user_id"] == "-"
