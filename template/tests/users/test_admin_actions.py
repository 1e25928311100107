"""The admin's data-rights actions each need their own permission: "view user" grants
neither the action nor the data (a user's export holds their files' signed links)."""

import json

import pytest
from django.contrib.auth.models import Permission

from tests.conftest import PASSWORD
from tests.walk import confirmed_just_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(django_user_model):
    """A staff member with an admin session and only the permissions a test gives."""

    def make(*codenames: str):
        person = django_user_model.objects.create_user(
            email="clerk@example.com", password=PASSWORD, is_staff=True
        )
        person.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        return person

    return make


def staff_client(client, person):
    client.force_login(person)
    confirmed_just_now(client, person, admin_session=True)
    return client


def run_action(client, admin_url, action: str, target):
    return client.post(
        admin_url("users/user/"), {"action": action, "_selected_action": [target.pk]}, secure=True
    )


def offered_actions(client, admin_url) -> str:
    return str(client.get(admin_url("users/user/"), secure=True).content.decode())


def test_view_only_staff_are_offered_neither_action(client, member, admin_url):
    page = offered_actions(staff_client(client, member("view_user")), admin_url)

    assert 'value="export_data"' not in page
    assert 'value="erase_accounts"' not in page


def test_view_only_staff_get_no_data_from_a_posted_export(client, member, user, admin_url):
    response = run_action(staff_client(client, member("view_user")), admin_url, "export_data", user)

    assert response["Content-Type"].startswith("text/html"), "the list again, not a file"
    assert "Content-Disposition" not in response


def test_view_only_staff_cannot_erase(client, member, user, admin_url, django_user_model):
    run_action(staff_client(client, member("view_user")), admin_url, "erase_accounts", user)

    assert django_user_model.objects.filter(pk=user.pk).exists()


def test_delete_permission_alone_does_not_erase(client, member, user, admin_url, django_user_model):
    clerk = member("view_user", "delete_user")

    run_action(staff_client(client, clerk), admin_url, "erase_accounts", user)

    assert django_user_model.objects.filter(pk=user.pk).exists()


def test_the_export_permission_exports(client, member, user, admin_url):
    clerk = member("view_user", "export_user_data")

    response = run_action(staff_client(client, clerk), admin_url, "export_data", user)

    assert json.loads(response.content)["account"]["email"] == user.email


def test_the_erase_permission_erases(client, member, user, admin_url, django_user_model):
    clerk = member("view_user", "erase_user_data")

    run_action(staff_client(client, clerk), admin_url, "erase_accounts", user)

    assert not django_user_model.objects.filter(pk=user.pk).exists()
