"""Sign-up with mandatory email verification, and no way to tell a taken address apart."""

import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import hashers
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

NEW_ADDRESS = "grace@example.com"


def sign_up(client, email, password=PASSWORD):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": password, "password2": password},
        secure=True,
    )


def link(message, pattern=r"/accounts/confirm-email/[^/\s]+/") -> str:
    found = re.search(rf"https://testserver({pattern})", message.body)
    assert found, message.body
    return found.group(1)


def confirm(client, path):
    """Open the verification link and press its button, as a browser does."""
    page = client.get(path, secure=True)
    assert page.status_code == 200, page
    return client.post(path, secure=True)


def test_sign_up_sends_a_verification_mail_and_waits_for_it(client, db):
    response = sign_up(client, NEW_ADDRESS)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert [message.to for message in mail.outbox] == [[NEW_ADDRESS]]
    assert "Confirm" in mail.outbox[0].subject
    assert "_auth_user_id" not in client.session, "no session before the address is verified"


def test_an_unverified_account_cannot_sign_in(db):
    sign_up(Client(), NEW_ADDRESS)
    first_link = link(mail.outbox[0])
    mail.outbox.clear()
    client = Client()

    response = sign_in(client, NEW_ADDRESS)

    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    # Within three minutes no second mail goes out (ACCOUNT_RATE_LIMITS["confirm_email"]):
    # the link already sent still works.
    assert mail.outbox == []
    assert confirm(client, first_link).status_code == 302
    assert EmailAddress.objects.get(email=NEW_ADDRESS).verified


def test_verified_account_signs_in(client, db):
    sign_up(client, NEW_ADDRESS)
    confirm(client, link(mail.outbox[0]))
    assert EmailAddress.objects.get(email=NEW_ADDRESS).verified

    browser = Client()
    response = sign_in(browser, NEW_ADDRESS)

    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" in browser.session


def test_a_weak_password_is_refused_next_to_its_field(client, db):
    response = sign_up(client, NEW_ADDRESS, password="password123")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'id="id_password1_error"' in page, "the error is tied to the password field"


def responses_for(address: str):
    """The sign-up's answer for `address` in a fresh browser, and the page it leads to."""
    client = Client()
    client.get("/accounts/signup/", secure=True)
    submitted = sign_up(client, address)
    return submitted, client.get(submitted["Location"], secure=True)


def masked(page: bytes) -> str:
    """A page without what differs on every request (CSRF tokens, CSP nonces)."""
    text = page.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", text)
    return re.sub(r'nonce="[^"]+"', "nonce", text)


def test_a_taken_address_answers_exactly_like_a_new_one(user):
    new, new_page = responses_for(NEW_ADDRESS)
    taken, taken_page = responses_for(user.email)

    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert taken.cookies.keys() == new.cookies.keys()
    same_address = new_page.content.replace(NEW_ADDRESS.encode(), user.email.encode())
    assert masked(taken_page.content) == masked(same_address)


def test_a_taken_address_mails_its_owner_instead(user):
    sign_up(Client(), "ADA@example.com", password="someone-elses-passphrase-9")

    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "Already Exists" in mail.outbox[0].subject
    user.refresh_from_db()
    assert user.check_password(PASSWORD), "the existing account is untouched"


def hashes_during(action) -> int:
    """How many passwords were hashed while `action` ran."""
    hasher = type(hashers.get_hasher())
    with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode:
        action()
    return encode.call_count


def test_a_taken_address_hashes_the_password_as_a_new_account_does(user):
    """The time a new account spends hashing (Argon2 in production) is spent either way."""
    new = hashes_during(lambda: sign_up(Client(), NEW_ADDRESS))
    taken = hashes_during(lambda: sign_up(Client(), user.email))

    assert new == taken == 1


def test_new_and_taken_addresses_both_answer_after_the_floor(user, settings):
    """What the hasher leaves of the difference (a few rows written) disappears under it."""
    import time

    settings.SIGNUP_MIN_RESPONSE_SECONDS = 0.2
    durations = []
    for address in (NEW_ADDRESS, user.email):
        started = time.monotonic()
        sign_up(Client(), address)
        durations.append(time.monotonic() - started)

    assert min(durations) >= 0.2, durations


def test_a_superuser_made_by_the_operator_signs_in_at_once(client, django_user_model, monkeypatch):
    """`createsuperuser` accounts count as verified: the operator typed the address."""
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", email="Root@Example.com", verbosity=0)

    response = sign_in(client, "root@example.com")

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="root@example.com").verified


def test_accounts_from_before_allauth_get_verified_addresses(django_user_model):
    """The data migration: every account that existed gets its address, verified."""
    from importlib import import_module

    from django.apps import apps

    older = django_user_model.objects.create_user(email="older@example.com", password=PASSWORD)
    EmailAddress.objects.filter(user=older).delete()
    migration = import_module("accounts.migrations.0001_verified_addresses")

    migration.verify_existing_addresses(apps, None)

    address = EmailAddress.objects.get(user=older)
    assert (address.email, address.verified, address.primary) == ("older@example.com", True, True)


def test_a_wrong_password_and_an_unknown_address_sign_in_alike(user):
    wrong = sign_in(Client(), user.email, "not-the-password-at-all")
    unknown = sign_in(Client(), NEW_ADDRESS, "not-the-password-at-all")

    assert wrong.status_code == unknown.status_code == 200
    unknown_page = unknown.content.replace(NEW_ADDRESS.encode(), user.email.encode())
    assert masked(wrong.content) == masked(unknown_page)


def test_sign_ups_from_one_ip_are_limited(db):
    statuses = [sign_up(Client(), f"new-{n}@example.com").status_code for n in range(11)]

    assert statuses == [302] * 10 + [429], "ten sign-ups per IP in ten minutes"


def test_verification_mails_to_one_address_are_limited(db):
    client = Client()
    sign_up(client, NEW_ADDRESS)
    client.force_login(EmailAddress.objects.get(email=NEW_ADDRESS).user)

    again = client.post("/accounts/email/", {"email": NEW_ADDRESS, "action_send": ""}, secure=True)

    assert again.status_code == 302, "asked again: the page answers as usual"
    assert len(mail.outbox) == 1, "one verification mail per address every three minutes"
