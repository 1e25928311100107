"""Brute-force lockout (django-axes): an email address and IP pair, in the database.

The clock is moved with time-machine rather than waited for.
"""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import INLINE_CODE, PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
COOL_OFF = settings.AXES_COOLOFF_TIME
CLIENT_IP = "203.0.113.9"
WRONG = "not-the-password-at-all"


def log_in(client, email, password, ip=CLIENT_IP, **extra):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password, **extra},
        secure=True,
        headers={"x-forwarded-for": ip},
    )


def fail(client, times=LIMIT, email="ada@example.com", ip=CLIENT_IP):
    for _ in range(times):
        response = log_in(client, email, WRONG, ip=ip)
    return response


def test_failures_below_the_limit_do_not_lock(client, user):
    fail(client, times=LIMIT - 1)

    assert log_in(client, "ada@example.com", PASSWORD).status_code == 302


def test_right_password_is_refused_while_locked_out(client, user):
    fail(client)

    response = log_in(client, "ada@example.com", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_out_page_says_what_happened_and_when_to_retry(client, user):
    response = fail(client)

    assert response.status_code == 429
    assert response["Retry-After"] == str(int(COOL_OFF.total_seconds()))
    page = response.content.decode()
    assert "Too many attempts" in page
    assert f"{int(COOL_OFF.total_seconds() // 60)} minutes" in page
    assert not INLINE_CODE.search(page), "CSP forbids inline code"


def test_right_password_is_accepted_after_the_cool_off(client, user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(client)
        assert log_in(client, "ada@example.com", PASSWORD).status_code == 429

        clock.shift(COOL_OFF + timedelta(seconds=1))
        response = log_in(client, "ada@example.com", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_attempts_during_the_lockout_restart_the_cool_off(client, user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(client)
        clock.shift(COOL_OFF - timedelta(minutes=1))
        log_in(client, "ada@example.com", PASSWORD)  # refused, and the pause restarts

        clock.shift(timedelta(minutes=2))
        response = log_in(client, "ada@example.com", PASSWORD)

    assert response.status_code == 429


@pytest.mark.parametrize(
    "variant", ["ADA@example.com", "Ada@Example.Com", " ada@EXAMPLE.com "], ids=str.strip
)
def test_changing_the_email_case_does_not_dodge_the_lockout(client, user, variant):
    fail(client, times=LIMIT - 1, email="ada@example.com")
    fail(client, times=1, email=variant)

    assert log_in(client, variant, PASSWORD).status_code == 429


def test_spoofed_forwarded_entries_do_not_unlock(client, user):
    fail(client, ip=f"198.51.100.1, {CLIENT_IP}")

    # Same client behind the router, a different address claimed in front of it.
    response = log_in(client, "ada@example.com", PASSWORD, ip=f"198.51.100.2, {CLIENT_IP}")

    assert response.status_code == 429


def test_the_same_address_from_another_ip_is_not_locked_out(client, user):
    fail(client, ip=CLIENT_IP)

    assert log_in(client, "ada@example.com", PASSWORD, ip="192.0.2.77").status_code == 302


def test_lockout_is_recorded_in_the_database_with_the_normalised_address(client, user):
    fail(client, email="ADA@Example.com")

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("ada@example.com", CLIENT_IP)
    assert attempt.failures_since_start == LIMIT
    assert WRONG not in attempt.post_data


def test_a_successful_login_clears_earlier_failures(client, user):
    fail(client, times=LIMIT - 1)
    log_in(client, "ada@example.com", PASSWORD)

    assert not AccessAttempt.objects.exists()


def test_reauthentication_is_locked_out_too(client, user):
    """A stolen session cannot guess the password at the reauthentication page."""
    client.force_login(user)
    for _ in range(LIMIT):
        client.post(
            "/accounts/reauthenticate/",
            {"password": WRONG},
            secure=True,
            headers={"x-forwarded-for": CLIENT_IP},
        )

    response = client.post(
        "/accounts/reauthenticate/",
        {"password": PASSWORD},
        secure=True,
        headers={"x-forwarded-for": CLIENT_IP},
    )

    assert response.status_code == 429


def test_reset_command_unlocks_an_address_early(client, user):
    fail(client)

    call_command("axes_reset_username", "ada@example.com", stdout=StringIO())

    assert log_in(client, "ada@example.com", PASSWORD).status_code == 302
