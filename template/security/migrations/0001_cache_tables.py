"""Create the database cache tables (settings.CACHES) with the other tables.

`migrate` runs locally and in Heroku's release phase, so the shared cache exists
wherever the database does, with no extra command to remember.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
