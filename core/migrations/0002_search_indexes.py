"""Trigram GIN indexes for the global search, on PostgreSQL only.

Django renders ``name__icontains=q`` on PostgreSQL as
``UPPER("table"."name"::text) LIKE UPPER(%s)``; a GIN index over exactly that
expression with ``gin_trgm_ops`` serves it, even with a leading ``%``. Other
databases (SQLite for ``make run``) get nothing: they search by scanning.
"""

from django.db import migrations

# (index name, table, column)
SEARCH_INDEXES = [
    ("search_client_name_trgm", "clients_client", "name"),
    ("search_contact_name_trgm", "clients_contact", "name"),
    ("search_offer_title_trgm", "handoff_offer", "title"),
    ("search_project_name_trgm", "projects_project", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in SEARCH_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in SEARCH_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other objects may use it, and it costs nothing.


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("clients", "0001_initial"),
        ("handoff", "0001_initial"),
        ("projects", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
