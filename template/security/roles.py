"""Roles: Django groups with permissions, declared once in code and made by a migration.

An app declares its roles next to its models, in `<app>/roles.py`:

    from security.roles import Role

    AUDITOR = Role("Invoice auditor", permissions=("invoices.audit_invoice",))
    ROLES = (AUDITOR,)

and one of its migrations creates them, so every environment (a developer's SQLite,
review apps, production) has exactly the same roles:

    from invoices.roles import ROLES
    from security.roles import create_roles

    class Migration(migrations.Migration):
        dependencies = [("invoices", "0002_..."), ("auth", "0012_alter_user_first_name_max_length")]
        operations = [create_roles(*ROLES)]

Changed a role? Edit its declaration and add a migration with the same operation
(`manage.py makemigrations --empty invoices`): it sets the group's permissions to
exactly the declared ones. People get a role in the admin (Users, "Groups"); views ask
for the permission, never for the role's name (security.access.has_permissions).
"""

from dataclasses import dataclass

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


@dataclass(frozen=True)
class Role:
    """A group of this name holds exactly these permissions ("app_label.codename")."""

    name: str
    permissions: tuple[str, ...]


def create_roles(*roles: Role) -> migrations.RunPython:
    """A migration operation that creates or updates the groups; reversed, deletes them."""

    def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        alias = schema_editor.connection.alias
        # Django creates permissions after every migration has run; a role needs them now.
        labels = {name.partition(".")[0] for role in roles for name in role.permissions}
        for label in sorted(labels):
            app_config = installed_apps.get_app_config(label)
            create_permissions(app_config, verbosity=0, using=alias, apps=apps)
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
        for role in roles:
            wanted = [name.partition(".") for name in role.permissions]
            permissions = [
                permission_model.objects.using(alias).get(
                    content_type__app_label=label, codename=codename
                )
                for label, _, codename in wanted
            ]
            group, _ = group_model.objects.using(alias).get_or_create(name=role.name)
            group.permissions.set(permissions)

    def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        group_model = apps.get_model("auth", "Group")
        alias = schema_editor.connection.alias
        group_model.objects.using(alias).filter(name__in=[role.name for role in roles]).delete()

    return migrations.RunPython(forwards, backwards)
