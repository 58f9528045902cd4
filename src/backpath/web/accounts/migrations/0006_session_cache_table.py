"""The sessions' database cache table (``settings``: sessions are read through it), made as
``0005`` made the charts' one: ``createcachetable`` makes each missing table."""

from importlib import import_module

from django.db import migrations

create_cache_tables = import_module(
    "backpath.web.accounts.migrations.0005_chart_cache_table"
).create_cache_tables


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_chart_cache_table")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
