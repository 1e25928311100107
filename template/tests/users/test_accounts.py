"""The account pages: login, logout, password change and reset, safe redirects."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from tests.conftest import INLINE_CODE, PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"


def log_in(client, email="ada@example.com", password=PASSWORD, **data):
    return client.post(
        "/accounts/login/", {"username": email, "password": password, **data}, secure=True
    )


def logged_in_client(user) -> Client:
    client = Client()
    assert log_in(client, user.email).status_code == 302
    return client


def test_login_replaces_the_session_key(client, user):
    client.get("/accounts/login/", secure=True)
    session = client.session
    session["planted"] = "by an attacker who knows this key"
    session.save()
    planted_key = session.session_key

    log_in(client)

    assert client.session.session_key != planted_key, "session fixation: key kept at login"
    assert not Session.objects.filter(session_key=planted_key).exists()


def test_logout_refuses_get(client, user):
    log_in(client)

    response = client.get("/accounts/logout/", secure=True)

    assert response.status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_by_post_ends_the_session(client, user):
    log_in(client)

    response = client.post("/accounts/logout/", secure=True)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example", "http://evil.example/", "/\\evil.example"],
)
def test_login_never_redirects_off_site(client, user, target):
    response = log_in(client, next=target)

    assert response.status_code == 302
    assert response["Location"] == "/", f"next={target!r} must fall back to the home page"


def test_login_follows_next_within_the_site(client, user):
    response = log_in(client, next="/accounts/password/change/")

    assert response["Location"] == "/accounts/password/change/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_logout_never_redirects_off_site(client, user, target):
    log_in(client)

    response = client.post("/accounts/logout/", {"next": target}, secure=True)

    assert response["Location"] == "/"


def test_password_change_requires_login(client):
    response = client.get("/accounts/password/change/", secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


def change_password(client):
    return client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        secure=True,
    )


def test_password_change_ends_the_users_other_sessions(user):
    here, elsewhere = logged_in_client(user), logged_in_client(user)

    assert change_password(here)["Location"] == "/accounts/password/change/done/"

    response = elsewhere.get("/accounts/password/change/", secure=True)
    assert response.status_code == 302, "the other session must be logged out"
    assert response["Location"].startswith("/accounts/login/")


def test_password_change_keeps_the_current_session(user):
    here = logged_in_client(user)
    change_password(here)

    assert here.get("/accounts/password/change/", secure=True).status_code == 200


def request_reset(client, email):
    return client.post("/accounts/password/reset/", {"email": email}, secure=True, follow=True)


def test_password_reset_answers_the_same_for_unknown_addresses(client, user):
    known = request_reset(client, "ada@example.com")
    unknown = request_reset(client, "nobody@example.com")

    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content


def test_password_reset_emails_only_an_existing_account(client, user):
    request_reset(client, "nobody@example.com")
    request_reset(client, "ADA@example.com")

    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def reset_link(message) -> str:
    match = re.search(r"https://testserver(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_link_sets_a_new_password_once(client, user):
    request_reset(client, "ada@example.com")
    link = reset_link(mail.outbox[0])

    form = client.get(link, secure=True, follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        secure=True,
    )

    assert response["Location"] == "/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    reused = client.get(link, secure=True, follow=True)
    assert b"This link no longer works" in reused.content


def test_password_reset_ends_existing_sessions(client, user):
    elsewhere = logged_in_client(user)
    request_reset(client, "ada@example.com")
    form = client.get(reset_link(mail.outbox[0]), secure=True, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        secure=True,
    )

    assert elsewhere.get("/accounts/password/change/", secure=True).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/complete/",
        "/accounts/password/reset/MQ/not-a-token/",
    ],
)
def test_account_pages_carry_no_inline_script_or_style(client, path):
    response = client.get(path, secure=True)

    assert response.status_code == 200
    assert not INLINE_CODE.search(response.content.decode()), "CSP forbids inline code"


@pytest.mark.parametrize(
    "path", ["/accounts/password/change/", "/accounts/password/change/done/", "/"]
)
def test_signed_in_pages_carry_no_inline_script_or_style(user, path):
    response = logged_in_client(user).get(path, secure=True)

    assert response.status_code == 200
    assert not INLINE_CODE.search(response.content.decode()), "CSP forbids inline code"
