from django.db import migrations

from documents.roles import ROLES
from security.roles import create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="document",
            options={
                "ordering": ("-uploaded_at", "-pk"),
                "permissions": (
                    ("audit_document", "Can list every user's documents, never open them"),
                ),
            },
        ),
        create_roles(*ROLES),
    ]
