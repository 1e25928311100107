"""Sessions you control, passwords, email changes, and the notices that tell you."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import (
    INLINE_CODE,
    PASSWORD,
    enrol_totp,
    last_mail_match,
    sign_in,
    sign_in_with_code,
    totp_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"


def signed_in(user, agent="Firefox on a laptop") -> Client:
    client = Client(headers={"user-agent": agent})
    assert sign_in(client, user.email)["Location"] == "/"
    return client


def is_signed_in(client) -> bool:
    return client.get("/accounts/email/", secure=True).status_code == 200


def reauthenticate(client, path="/accounts/reauthenticate/"):
    """The password again; `path` may carry the suspended request's ?next=."""
    return client.post(path, {"password": PASSWORD}, secure=True)


def change_password(client):
    return client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        secure=True,
    )


def subjects_to(address: str) -> list[str]:
    return [str(message.subject) for message in mail.outbox if address in message.to]


def test_the_sessions_page_lists_device_ip_and_last_seen(user):
    laptop, phone = signed_in(user), signed_in(user, agent="Safari on a phone")

    page = laptop.get("/accounts/sessions/", secure=True).content.decode()

    assert "Firefox on a laptop" in page and "Safari on a phone" in page
    assert "127.0.0.1" in page and "Last seen" in page
    assert not INLINE_CODE.search(page), "CSP forbids inline code"
    assert is_signed_in(phone)


def test_ending_the_other_sessions_asks_who_you_are_first(user):
    laptop, phone = signed_in(user), signed_in(user, agent="Safari on a phone")

    asked = laptop.post("/accounts/sessions/", secure=True)
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert is_signed_in(phone), "nothing ended before the password was given again"
    done = reauthenticate(laptop, asked["Location"])

    assert done.status_code == 302, "the suspended request goes on after reauthentication"
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert UserSession.objects.filter(user=user).count() == 1


def test_a_password_change_ends_every_other_session_at_once(user):
    here, elsewhere = signed_in(user), signed_in(user, agent="Safari on a phone")

    response = change_password(here)

    assert response.status_code == 302
    assert UserSession.objects.filter(user=user).count() == 1, "rows gone, not just unusable"
    assert not is_signed_in(elsewhere)
    assert is_signed_in(here)


def test_a_password_change_is_told_by_email(user):
    change_password(signed_in(user))

    assert any("Password Changed" in subject for subject in subjects_to(user.email))


def reset_link() -> str:
    found = re.search(
        r"https://testserver(/accounts/password/reset/key/\S+/)", str(mail.outbox[-1].body)
    )
    assert found, mail.outbox[-1].body
    return found.group(1)


def reset_password(client, email):
    client.post("/accounts/password/reset/", {"email": email}, secure=True)
    form = client.get(reset_link(), secure=True)
    return client.post(
        form["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, secure=True
    )


def test_a_password_reset_signs_in_and_ends_every_other_session(user):
    elsewhere = signed_in(user)
    client = Client()

    response = reset_password(client, user.email)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk), "the link proved the mailbox"
    assert not is_signed_in(elsewhere)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert any(s.endswith("Password Reset") for s in subjects_to(user.email)), "the notice"


def test_a_reset_link_works_once(user):
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email}, secure=True)
    link = reset_link()
    form = client.get(link, secure=True)
    client.post(
        form["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, secure=True
    )

    reused = Client().get(link, secure=True, follow=True)

    assert b'name="password1"' not in reused.content
    assert b"invalid, possibly because it has already been used" in reused.content


def test_a_reset_for_an_unknown_address_answers_alike_and_tells_that_address(client, user):
    known = Client().post("/accounts/password/reset/", {"email": user.email}, secure=True)
    unknown = Client().post(
        "/accounts/password/reset/", {"email": "nobody@example.com"}, secure=True
    )

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert any("Unknown Account" in subject for subject in subjects_to("nobody@example.com"))


def test_reset_mails_to_one_address_are_limited(client, user):
    statuses = [
        Client()
        .post(
            "/accounts/password/reset/",
            {"email": user.email},
            secure=True,
            headers={"x-forwarded-for": f"192.0.2.{n}"},
        )
        .status_code
        for n in range(1, 6)
    ]

    assert statuses == [302, 302, 302, 429, 429], "three an hour, whoever asks"
    assert len(subjects_to(user.email)) == 3


def test_a_changed_email_is_verified_first_and_the_old_address_told(user):
    client = signed_in(user)
    reauthenticate(client)

    client.post("/accounts/email/", {"email": "ada@new.example", "action_add": ""}, secure=True)
    assert [m.to for m in mail.outbox] == [["ada@new.example"]], "the new address is verified"
    user.refresh_from_db()
    assert user.email == "ada@example.com", "nothing changes before it is verified"
    link = last_mail_match(r"https://testserver(/accounts/confirm-email/\S+/)")
    client.post(link, secure=True)

    user.refresh_from_db()
    assert user.email == "ada@new.example"
    assert any("Email Changed" in subject for subject in subjects_to("ada@example.com"))


# allauth tells once the new authenticator is committed: a test that commits.
@pytest.mark.django_db(transaction=True)
def test_an_added_authenticator_is_told_by_email(client, user):
    sign_in(client, user.email)
    reauthenticate(client)
    client.get("/accounts/2fa/totp/activate/", secure=True)
    secret = client.session["mfa.totp.secret"]

    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)}, secure=True)

    assert any("Authenticator App Activated" in s for s in subjects_to(user.email))


@pytest.mark.django_db(transaction=True)
def test_an_added_passkey_is_told_by_email(client, user, monkeypatch):
    """The WebAuthn ceremony is mocked: it needs an authenticator, which the template's
    browser test has (Chromium's virtual one registers and signs in for real). Here the
    registration allauth's form checks is taken as valid, so what runs is the rest: the
    view, allauth's flow and the notice."""
    from allauth.mfa.webauthn.internal import auth

    verified = type("Binding", (), {"is_user_verified": lambda self: True})()
    monkeypatch.setattr(auth, "parse_registration_response", lambda credential: None)
    monkeypatch.setattr(auth, "complete_registration", lambda credential: verified)
    sign_in(client, user.email)
    reauthenticate(client)

    response = client.post(
        "/accounts/2fa/webauthn/add/",
        {"name": "This laptop", "credential": '{"id": "a-credential"}'},
        secure=True,
    )

    assert response.status_code == 302, response.content
    assert any("Security Key Added" in s for s in subjects_to(user.email))


def test_an_idle_session_ends(user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in(user)
        clock.shift(timedelta(seconds=settings.IDLE_SESSION_TIMEOUT - 60))
        assert is_signed_in(client), "still in use"

        clock.shift(timedelta(seconds=settings.IDLE_SESSION_TIMEOUT + 1))
        assert not is_signed_in(client)


def test_a_session_that_opened_the_admin_ends_sooner_when_idle(staff, admin_url):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = Client()
        sign_in_with_code(client, staff)
        assert client.get(admin_url(), secure=True).status_code == 200

        clock.shift(timedelta(seconds=settings.IDLE_ADMIN_SESSION_TIMEOUT + 1))
        response = client.get(admin_url(), secure=True)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_session_that_never_opened_the_admin_keeps_the_longer_timeout(user):
    enrol_totp(user)  # not staff: the admin's timeout does not apply
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = Client()
        sign_in(client, user.email)
        clock.shift(timedelta(seconds=settings.IDLE_ADMIN_SESSION_TIMEOUT + 1))

        assert client.get("/", secure=True).status_code == 200
