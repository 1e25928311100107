"""Failure budgets: stuffing and spraying are slowed (429, Retry-After), owners get in.

The budgets (settings.FAILURE_BUDGETS) count in the counters' cache, per network across
accounts and per account across networks; a browser that signed in before has its own.
The clock is moved with time-machine rather than waited for.
"""

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, last_mail_match, sign_in

pytestmark = pytest.mark.django_db

# Smaller budgets than production's (the same windows), so each test sends few requests;
# the template's deploy tests attack production's budgets through the router.
NETWORK_ATTEMPTS, NETWORK_SECONDS = 6, settings.FAILURE_BUDGETS["network"][1]
ACCOUNT_ATTEMPTS, ACCOUNT_SECONDS = 4, settings.FAILURE_BUDGETS["account"][1]
DEVICE_ATTEMPTS, DEVICE_SECONDS = 3, settings.FAILURE_BUDGETS["device"][1]
WRONG = "not-the-password-at-all"


@pytest.fixture(autouse=True)
def small_budgets(settings):
    settings.FAILURE_BUDGETS = {
        "network": (NETWORK_ATTEMPTS, NETWORK_SECONDS),
        "account": (ACCOUNT_ATTEMPTS, ACCOUNT_SECONDS),
        "device": (DEVICE_ATTEMPTS, DEVICE_SECONDS),
    }


def attempt(client, email, password=WRONG, ip="203.0.113.9"):
    """One sign-in attempt from client IP `ip` (the router's X-Forwarded-For entry)."""
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        secure=True,
        headers={"x-forwarded-for": ip},
    )


def spray(email, count, first_ip=10):
    """`count` wrong passwords for one account, each from another network."""
    return [
        attempt(Client(), email, ip=f"198.51.100.{first_ip + n}").status_code for n in range(count)
    ]


def test_one_network_failing_across_accounts_is_slowed(client, user):
    statuses = [
        attempt(client, f"someone-{n}@example.com").status_code for n in range(NETWORK_ATTEMPTS)
    ]

    refused = attempt(client, user.email, PASSWORD)

    assert statuses == [200] * NETWORK_ATTEMPTS, "each is a wrong password, answered normally"
    assert refused.status_code == 429, "even the right password waits: it is not tried"
    assert 0 < int(refused["Retry-After"]) <= NETWORK_SECONDS


def test_another_network_is_not_slowed_by_it(client, user):
    for n in range(NETWORK_ATTEMPTS):
        attempt(client, f"someone-{n}@example.com")

    assert attempt(Client(), user.email, PASSWORD, ip="192.0.2.50").status_code == 302


def test_a_forged_forwarded_entry_buys_no_fresh_budget(client, user):
    for n in range(NETWORK_ATTEMPTS):
        attempt(client, f"someone-{n}@example.com", ip="203.0.113.9")

    forged = attempt(client, user.email, PASSWORD, ip="192.0.2.1, 203.0.113.9")

    assert forged.status_code == 429, "the router's entry (right-most) is the client"


def test_ipv6_clients_in_one_slash_64_share_a_budget(client, user):
    for n in range(NETWORK_ATTEMPTS):
        attempt(client, f"someone-{n}@example.com", ip=f"2001:db8:1:2::{n + 1:x}")

    neighbour = attempt(client, user.email, PASSWORD, ip="2001:db8:1:2:ffff::1")

    assert neighbour.status_code == 429


def test_one_account_failing_across_networks_is_slowed(user):
    statuses = spray(user.email, ACCOUNT_ATTEMPTS)

    refused = attempt(Client(), user.email, PASSWORD, ip="192.0.2.200")

    assert statuses == [200] * ACCOUNT_ATTEMPTS
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= ACCOUNT_SECONDS
    page = refused.content.decode()
    assert "/accounts/login/code/" in page and "/accounts/password/reset/" in page, (
        "the page says how the owner still gets in"
    )


def test_the_account_is_slowed_whatever_the_letter_case(user):
    spray(user.email.upper(), ACCOUNT_ATTEMPTS)

    assert attempt(Client(), user.email, PASSWORD, ip="192.0.2.200").status_code == 429


def test_a_right_password_gives_its_attempt_back(client, user):
    spray(user.email, ACCOUNT_ATTEMPTS - 1)
    assert attempt(Client(), user.email, PASSWORD, ip="192.0.2.200").status_code == 302

    last = spray(user.email, 1, first_ip=100)

    assert last == [200], "the right password did not spend the last attempt"


def test_the_owners_browser_gets_in_while_the_account_is_slowed(client, user):
    assert attempt(client, user.email, PASSWORD).status_code == 302
    assert any(name.endswith("device") for name in client.cookies), "the browser is now known"
    client.post("/accounts/logout/", secure=True)

    spray(user.email, ACCOUNT_ATTEMPTS + 5)
    owner = attempt(client, user.email, PASSWORD)

    assert owner.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_known_browser_has_a_small_budget_of_its_own(client, user):
    attempt(client, user.email, PASSWORD)
    client.post("/accounts/logout/", secure=True)

    statuses = [attempt(client, user.email).status_code for _ in range(DEVICE_ATTEMPTS)]
    refused = attempt(client, user.email, PASSWORD)

    assert statuses == [200] * DEVICE_ATTEMPTS, "django-axes leaves the known browser alone"
    assert refused.status_code == 429, "a stolen device cookie buys only its own budget"


def test_a_browser_known_to_one_account_is_a_stranger_to_another(client, user, django_user_model):
    from tests.conftest import verify_address

    other = verify_address(django_user_model.objects.create_user("grace@example.com", PASSWORD))
    attempt(client, user.email, PASSWORD)
    client.post("/accounts/logout/", secure=True)

    spray(other.email, ACCOUNT_ATTEMPTS)

    assert attempt(client, other.email, PASSWORD).status_code == 429


def test_refused_attempts_spend_nothing_so_the_account_is_never_locked(user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        spray(user.email, ACCOUNT_ATTEMPTS)
        for minute in range(14):
            clock.shift(timedelta(minutes=1))
            assert attempt(Client(), user.email, ip=f"192.0.2.{minute + 1}").status_code == 429

        clock.shift(timedelta(seconds=ACCOUNT_SECONDS - 14 * 60 + 1))
        owner = attempt(Client(), user.email, PASSWORD, ip="192.0.2.200")

    assert owner.status_code == 302, "once the oldest failure ages out, the owner is in"


def test_retry_after_counts_down_to_when_the_oldest_failure_ages_out(user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        spray(user.email, 1)
        clock.shift(timedelta(minutes=5))
        spray(user.email, ACCOUNT_ATTEMPTS - 1, first_ip=50)

        refused = attempt(Client(), user.email, ip="192.0.2.200")

    assert int(refused["Retry-After"]) == ACCOUNT_SECONDS - 5 * 60


def test_a_code_by_email_signs_the_owner_in_while_the_account_is_slowed(client, user):
    spray(user.email, ACCOUNT_ATTEMPTS)

    client.post("/accounts/login/code/", {"email": user.email}, secure=True)
    code = last_mail_match(r"^([A-Z0-9][A-Z0-9-]{4,}[A-Z0-9])$", re.MULTILINE)
    response = client.post("/accounts/login/code/confirm/", {"code": code}, secure=True)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_budgets_fail_closed_when_the_cache_is_down(user):
    client = Client(raise_request_exception=False)
    with mock.patch("accounts.budgets.cache.add", side_effect=OperationalError("no database")):
        response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 500
    assert "_auth_user_id" not in client.session


def test_a_refused_attempt_is_logged(client, user, caplog):
    spray(user.email, ACCOUNT_ATTEMPTS)

    with caplog.at_level("INFO", logger="security"):
        attempt(Client(), user.email, ip="192.0.2.200")

    line = next(r.getMessage() for r in caplog.records if "login_throttled" in r.getMessage())
    assert "email=a***@example.com" in line and "retry_after=" in line


def cached_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  # nosec B608: fixed names
        return cursor.fetchone()[0]


def test_budgets_and_allauths_limits_count_in_the_counters_cache(client, user):
    """CACHES["ratelimit"] never culls a live entry (security.cache); the default
    cache would, and a flood would reset the limits that hold it back."""
    attempt(client, user.email)  # the budgets, and allauth's login limits
    client.post("/accounts/password/reset/", {"email": user.email}, secure=True)  # allauth's

    assert cached_rows("ratelimit_cache") >= 4
    assert cached_rows("django_cache") == 0
