"""Create the rate-limit counters' cache table (settings.CACHES["ratelimit"]).

createcachetable creates each database cache table that does not exist yet, so this
adds `ratelimit_cache` to projects migrated before it existed, and does nothing where
0001 already created it.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_cache_tables")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
