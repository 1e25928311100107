"""Sensitive changes ask who you are first, and the security notices that follow them.

A session that has not given its password again within five minutes (allauth counts
reauthentications, not the sign-in itself) must do so before it may change the email
address or a second factor, end other sessions, or export or erase its data (their
completion: tests/privacy). The password change asks for the current password itself.
"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD, enrol_totp

pytestmark = pytest.mark.django_db

REAUTHENTICATE = ("/accounts/reauthenticate/", "/accounts/2fa/reauthenticate/")


def long_signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def asks_who_you_are(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(REAUTHENTICATE)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/accounts/2fa/totp/activate/", {}),
        ("get", "/accounts/2fa/webauthn/add/", {}),
        ("post", "/accounts/email/", {"email": "ada@new.example", "action_add": ""}),
        ("post", "/accounts/sessions/", {}),
        ("post", "/accounts/data/", {"action": "export"}),
        ("post", "/accounts/data/", {"action": "delete", "confirm": "on"}),
    ],
)
def test_a_sensitive_change_asks_for_the_password_first(user, method, path, data):
    client = long_signed_in(user)

    response = getattr(client, method)(path, data, secure=True)

    assert asks_who_you_are(response), (response.status_code, response.get("Location"))
    assert not EmailAddress.objects.filter(email="ada@new.example").exists()
    assert type(user).objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/accounts/2fa/totp/deactivate/"),
        ("get", "/accounts/2fa/recovery-codes/generate/"),
    ],
)
def test_changing_a_second_factor_asks_for_it_first(user, method, path):
    enrol_totp(user)
    client = long_signed_in(user)

    response = getattr(client, method)(path, secure=True)

    assert asks_who_you_are(response), (response.status_code, response.get("Location"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_the_password_change_needs_the_current_password(user):
    client = long_signed_in(user)
    new = "a-brand-new-passphrase-77"

    client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-the-password", "password1": new, "password2": new},
        secure=True,
    )

    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# allauth tells once the change is committed: tests that commit.
@pytest.mark.django_db(transaction=True)
def test_removing_an_authenticator_is_told_by_email(user):
    enrol_totp(user)
    client = long_signed_in(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD}, secure=True)

    client.post("/accounts/2fa/totp/deactivate/", secure=True)

    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert any("Deactivated" in m.subject for m in mail.outbox if user.email in m.to)
