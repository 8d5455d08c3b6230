"""Byte-order btree indexes for the global search's prefix matches, on PostgreSQL only.

``core.search`` filters ``UPPER(col::text) COLLATE "C" LIKE 'ABC%'`` and orders
by the same expression; a btree over exactly that expression serves both, so
the first ``limit`` prefix matches are read in order from the index instead of
sorting every match (which grew with the data: 8 000 offers contain "CLOUD" at
100 000 offers).
"""

from django.db import migrations

# (index name, table, column), as in 0002 (migrations do not import each other's constants).
SEARCH_COLUMNS = [
    ("search_client_name", "clients_client", "name"),
    ("search_contact_name", "clients_contact", "name"),
    ("search_offer_title", "handoff_offer", "title"),
    ("search_project_name", "projects_project", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in SEARCH_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}_prefix" ON "{table}" ((UPPER("{column}"::text) COLLATE "C"))'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in SEARCH_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}_prefix"')


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
