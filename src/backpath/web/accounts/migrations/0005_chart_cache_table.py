"""The charts' database cache table, beside the rate-limit counters' one (``0002``): Django's
``createcachetable`` makes every configured database cache's table that is missing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_identifiers")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
