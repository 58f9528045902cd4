"""The sessions' database cache table (``settings``: sessions are read through it), beside the
counters' and the charts' ones: ``createcachetable`` makes each missing one."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_chart_cache_table")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
