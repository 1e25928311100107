"""Two-factor authentication for everyone, required for staff; the admin needs it done."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client

from tests.conftest import (
    PASSWORD,
    enrol_totp,
    recovery_code,
    sign_in,
    sign_in_with_code,
    totp_code,
    verify_address,
)

pytestmark = pytest.mark.django_db

CHALLENGE = "/accounts/2fa/authenticate/"


def code_step(client, code):
    return client.post(CHALLENGE, {"code": code}, secure=True)


@pytest.fixture
def totp_user(user):
    user.totp_secret = enrol_totp(user)
    return user


@pytest.fixture
def bare_staff(django_user_model):
    """A staff member who has not set up any second factor yet."""
    staff = django_user_model.objects.create_user(
        email="clerk@example.com", password=PASSWORD, is_staff=True
    )
    return verify_address(staff)


def test_an_account_with_an_authenticator_is_asked_for_its_code(client, totp_user):
    response = sign_in(client, totp_user.email)

    assert response["Location"] == CHALLENGE
    assert "_auth_user_id" not in client.session, "the password alone signs nobody in"


def test_the_current_code_completes_the_sign_in(client, totp_user):
    response = sign_in_with_code(client, totp_user)

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(totp_user.pk)


def test_a_wrong_code_is_refused(client, totp_user):
    sign_in(client, totp_user.email)
    wrong = f"{(int(totp_code(totp_user.totp_secret)) + 1) % 1_000_000:06d}"

    response = code_step(client, wrong)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_code_works_once(totp_user):
    code = totp_code(totp_user.totp_secret)
    first, replay = Client(), Client()
    sign_in(first, totp_user.email)
    code_step(first, code)
    sign_in(replay, totp_user.email)

    code_step(replay, code)

    assert "_auth_user_id" not in replay.session


def test_wrong_codes_are_limited_per_account(client, totp_user):
    sign_in(client, totp_user.email)
    for _ in range(5):
        code_step(client, "000000")

    response = code_step(client, totp_code(totp_user.totp_secret))

    assert "_auth_user_id" not in client.session, response


def test_a_recovery_code_signs_in_once(totp_user):
    code = recovery_code(totp_user)
    first, again = Client(), Client()
    sign_in(first, totp_user.email)
    assert code_step(first, code)["Location"] == "/"

    sign_in(again, totp_user.email)
    code_step(again, code)

    assert "_auth_user_id" in first.session and "_auth_user_id" not in again.session


@pytest.mark.parametrize("path", ["/", "/accounts/email/", "/accounts/data/", "admin"])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, bare_staff, admin_url, path):
    client.force_login(bare_staff)

    response = client.get(admin_url() if path == "admin" else path, secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"


@pytest.mark.parametrize(
    "path", ["/accounts/2fa/", "/accounts/2fa/totp/activate/", "/accounts/2fa/webauthn/add/"]
)
def test_staff_without_an_authenticator_reach_the_set_up_pages(client, bare_staff, path):
    sign_in(client, bare_staff.email)

    response = client.get(path, secure=True)

    assert response.status_code == 200 or response["Location"].startswith(
        "/accounts/reauthenticate/"
    ), "set-up pages open (some ask to confirm the password first)"


def test_staff_set_up_an_authenticator_and_the_admin_opens(client, bare_staff, admin_url):
    sign_in(client, bare_staff.email)
    page = client.get("/accounts/2fa/totp/activate/", secure=True)
    if page.status_code == 302:  # confirm who you are first
        client.post(page["Location"], {"password": PASSWORD}, secure=True)
        client.get("/accounts/2fa/totp/activate/", secure=True)
    secret = client.session["mfa.totp.secret"]

    activated = client.post(
        "/accounts/2fa/totp/activate/", {"code": totp_code(secret)}, secure=True
    )

    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=bare_staff, type="totp").exists()
    assert client.get(admin_url(), secure=True).status_code == 302, (
        "this session signed in with a password only: it confirms the new factor first"
    )
    client.get(admin_url("login/"), secure=True)
    confirmed = client.post(
        "/accounts/2fa/reauthenticate/", {"code": totp_code(secret)}, secure=True
    )
    assert confirmed.status_code == 302
    assert client.get(admin_url(), secure=True).status_code == 200


def test_the_admin_opens_for_a_session_that_completed_mfa(client, staff, admin_url):
    sign_in_with_code(client, staff)

    response = client.get(admin_url(), secure=True)

    assert response.status_code == 200
    assert b"Site administration" in response.content


def test_the_admin_login_is_the_sites_sign_in(client, admin_url):
    to_admin_login = client.get(admin_url(), secure=True)
    to_sign_in = client.get(to_admin_login["Location"], secure=True)

    assert to_admin_login["Location"].startswith(admin_url("login/"))
    assert to_sign_in["Location"] == f"/accounts/login/?next={admin_url().replace('/', '%2F')}"
    assert b'name="login"' in client.get(to_sign_in["Location"], secure=True).content


def test_the_admin_login_never_sends_anyone_off_site(client, staff, admin_url):
    sign_in_with_code(client, staff)

    response = client.get(admin_url("login/") + "?next=//evil.example/", secure=True)

    assert response["Location"] == admin_url()


def test_the_admin_refuses_signed_in_users_who_are_not_staff(client, user, admin_url):
    sign_in(client, user.email)

    response = client.get(admin_url(), secure=True, follow=True)

    assert response.status_code == 403


def test_staff_cannot_remove_their_last_authenticator(client, staff):
    sign_in_with_code(client, staff)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD}, secure=True)

    client.post("/accounts/2fa/totp/deactivate/", secure=True)

    assert Authenticator.objects.filter(user=staff, type="totp").exists()


def test_other_users_can_remove_theirs(client, totp_user):
    sign_in_with_code(client, totp_user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD}, secure=True)

    client.post("/accounts/2fa/totp/deactivate/", secure=True)

    assert not Authenticator.objects.filter(user=totp_user, type="totp").exists()


def test_remove_mfa_command_clears_a_lost_second_factor(staff):
    signed_in = Client()
    sign_in_with_code(signed_in, staff)
    out = StringIO()

    call_command("remove_mfa", "ROOT@example.com", stdout=out)

    assert not Authenticator.objects.filter(user=staff).exists()
    assert "must set up a new one" in out.getvalue()
    assert signed_in.get("/accounts/email/", secure=True).status_code == 302, "sessions ended"
