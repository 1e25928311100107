"""The admin takes a password and then a TOTP code (django-otp): a password alone fails."""

import re
from base64 import b32decode
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, enrol_device, totp_code

pytestmark = pytest.mark.django_db


def admin_login(client, admin_url, email="root@example.com", **data):
    return client.post(
        admin_url("login/"), {"username": email, "password": PASSWORD, **data}, secure=True
    )


def can_open_admin(client, admin_url) -> bool:
    response = client.get(admin_url(), secure=True)
    return response.status_code == 200


def test_password_and_current_code_open_the_admin(client, staff, admin_url):
    code = totp_code(staff.totpdevice_set.get())

    response = admin_login(client, admin_url, otp_token=code)

    assert response.status_code == 302
    assert can_open_admin(client, admin_url)


def test_password_alone_does_not_open_the_admin(client, staff, admin_url):
    response = admin_login(client, admin_url)

    assert response.status_code == 200
    assert b"Please enter your OTP token." in response.content
    assert not can_open_admin(client, admin_url)


def test_wrong_code_does_not_open_the_admin(client, staff, admin_url):
    code = totp_code(staff.totpdevice_set.get())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = admin_login(client, admin_url, otp_token=wrong)

    assert response.status_code == 200
    assert not can_open_admin(client, admin_url)


def test_a_code_cannot_be_used_twice(staff, admin_url):
    from django.test import Client

    code = totp_code(staff.totpdevice_set.get())
    admin_login(Client(), admin_url, otp_token=code)
    replay = Client()

    admin_login(replay, admin_url, otp_token=code)

    assert not can_open_admin(replay, admin_url)


def test_staff_without_a_device_cannot_open_the_admin(client, django_user_model, admin_url):
    django_user_model.objects.create_superuser(email="root@example.com", password=PASSWORD)

    admin_login(client, admin_url, otp_token="123456")

    assert not can_open_admin(client, admin_url)


def test_site_login_does_not_open_the_admin(client, staff, admin_url):
    client.post("/accounts/login/", {"username": staff.email, "password": PASSWORD}, secure=True)

    response = client.get(admin_url(), secure=True)

    assert response.status_code == 302
    assert response["Location"].startswith(admin_url("login/"))


def test_admin_login_never_redirects_off_site(client, staff, admin_url):
    code = totp_code(staff.totpdevice_set.get())

    response = admin_login(client, admin_url, otp_token=code, next="//evil.example")

    assert response["Location"] == "/", "an off-site next falls back to the home page"


def enrol(*args: str) -> str:
    out = StringIO()
    call_command("enrol_totp", *args, stdout=out)
    return out.getvalue()


def test_enrol_command_prints_a_secret_that_logs_in(client, django_user_model, admin_url):
    django_user_model.objects.create_superuser(email="root@example.com", password=PASSWORD)

    output = enrol("ROOT@example.com")

    secret = re.search(r"secret: ([A-Z2-7]+)", output).group(1)
    code = f"{TOTP(b32decode(secret)).token():06d}"
    admin_login(client, admin_url, otp_token=code)
    assert can_open_admin(client, admin_url)


def test_enrol_command_link_names_the_project_as_issuer(django_user_model):
    from config import project

    django_user_model.objects.create_superuser(email="root@example.com", password=PASSWORD)

    output = enrol("root@example.com")

    link = re.search(r"link: +(otpauth://totp/\S+)", output).group(1)
    assert parse_qs(urlsplit(link).query)["issuer"] == [project.PROJECT_NAME.replace(":", "")]


def test_enrol_command_refuses_a_user_who_is_not_staff(user):
    with pytest.raises(CommandError, match="not staff"):
        enrol(user.email)


def test_enrol_command_refuses_an_unknown_address(db):
    with pytest.raises(CommandError, match="No user has the address"):
        enrol("nobody@example.com")


def test_enrol_command_keeps_an_existing_device_without_replace(staff):
    with pytest.raises(CommandError, match="--replace"):
        enrol(staff.email)

    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_enrol_command_replace_swaps_the_device(staff):
    old = staff.totpdevice_set.get()

    enrol(staff.email, "--replace")

    assert list(TOTPDevice.objects.filter(user=staff)) != [old]
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_with_two_devices_the_form_asks_which_one(client, staff, admin_url):
    # With one device the code is checked at once; with more, guessing which one
    # would count failures against the others, so django-otp asks.
    enrol_device(staff)
    code = totp_code(staff.totpdevice_set.first())

    response = admin_login(client, admin_url, otp_token=code)

    assert response.status_code == 200
    assert b"Please select a device." in response.content
