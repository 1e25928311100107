"""security.roles: a role's migration makes its group hold exactly the declared permissions."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection

from security.roles import Role, create_roles

pytestmark = pytest.mark.django_db

READER = Role("Attachment reader", permissions=("testapp.view_attachment",))


def migrate(operation, direction: str = "forwards") -> None:
    """Run the operation's code as `migrate` would, on the current models."""
    code = operation.code if direction == "forwards" else operation.reverse_code
    code(apps, SimpleNamespace(connection=connection))


def permissions_of(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_a_role_is_created_with_its_permissions():
    migrate(create_roles(READER))

    assert permissions_of(READER.name) == {"view_attachment"}


def test_a_changed_role_loses_the_permissions_it_no_longer_declares():
    role = Group.objects.create(name=READER.name)
    role.permissions.add(Permission.objects.get(codename="delete_attachment"))

    migrate(create_roles(READER))

    assert permissions_of(READER.name) == {"view_attachment"}


def test_reversing_the_migration_removes_the_role():
    migrate(create_roles(READER))

    migrate(create_roles(READER), "backwards")

    assert not Group.objects.filter(name=READER.name).exists()


def test_a_fresh_database_gets_the_permission_before_django_would_create_it():
    Permission.objects.filter(codename="view_attachment").delete()

    migrate(create_roles(READER))

    assert permissions_of(READER.name) == {"view_attachment"}
