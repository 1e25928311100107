"""Email is the login; accounts are unique whatever the letter case."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def test_email_login_works_through_the_login_page(client, user):
    response = sign_in(client, "Ada@Example.COM")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_email_login_ignores_letter_case(rf, user):
    # django-axes checks every attempt, so authenticate() is given the request.
    request = rf.post("/accounts/login/")

    assert authenticate(request, email="Ada@Example.COM", password=PASSWORD) == user


def test_wrong_password_is_refused(rf, user):
    request = rf.post("/accounts/login/")

    assert authenticate(request, email="ada@example.com", password="not-the-password") is None


def test_login_by_username_keyword_still_checks_the_address(rf, user):
    """Code that passes the address as `username` (Django's forms, other apps) works too."""
    request = rf.post("/accounts/login/")

    assert authenticate(request, username="ada@example.com", password=PASSWORD) == user


def test_email_is_stored_in_lowercase(django_user_model):
    created = django_user_model.objects.create_user(email="Grace@Example.com", password=PASSWORD)

    assert created.email == "grace@example.com"


def test_email_uniqueness_ignores_case_in_the_database(django_user_model, user):
    duplicate = django_user_model(email="ADA@example.com")
    # Bypass save() normalisation: the database constraint itself must refuse it.
    with pytest.raises(IntegrityError), transaction.atomic():
        django_user_model.objects.bulk_create([duplicate])


def test_email_uniqueness_ignores_case_in_the_admin_form(user):
    from users.forms import UserCreationForm

    form = UserCreationForm(
        data={
            "email": "ADA@EXAMPLE.COM",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
    )

    assert not form.is_valid()
    assert "email" in form.errors


def test_superuser_can_be_created_without_a_username(django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password=PASSWORD)

    assert admin.is_staff and admin.is_superuser


@pytest.mark.parametrize(
    "weak",
    ["short-pass1", "password123456", "12345678901234", "ada@example.com"],
    ids=["under-12-characters", "common", "numeric", "same-as-email"],
)
def test_weak_passwords_are_refused(user, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


def test_argon2_hashes_new_passwords_in_production():
    import config.settings

    assert config.settings.PASSWORD_HASHERS[0] == "users.hashers.Argon2PasswordHasher"


def test_argon2_hash_uses_costs_that_fit_a_small_dyno():
    from users.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify(PASSWORD, encoded)


def test_hash_from_djangos_default_argon2_still_verifies_and_is_upgraded():
    from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoDefault

    from users.hashers import Argon2PasswordHasher

    legacy = DjangoDefault().encode(PASSWORD, DjangoDefault().salt())

    assert Argon2PasswordHasher().verify(PASSWORD, legacy)
    assert Argon2PasswordHasher().must_update(legacy)


def test_a_new_password_is_signalled_however_it_was_set(user):
    """users.signals.password_changed: the API's tokens die on it (api/apps.py)."""
    from users.signals import password_changed

    seen = []
    password_changed.connect(lambda sender, user, **kwargs: seen.append(user.pk), weak=False,
                             dispatch_uid="test-password-changed")  # fmt: skip
    try:
        user.name = "Ada"
        user.save()
        user.set_password("another-long-passphrase-1")
        user.save()
    finally:
        password_changed.disconnect(dispatch_uid="test-password-changed")

    assert seen == [user.pk], "sent once, for the new password, not for other saves"
