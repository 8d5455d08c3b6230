"""Indexes on other apps' tables for the dashboard's reads (PostgreSQL only; partial where it pays).

Kept in the dashboards app because these apps' models do not need them for
their own pages; each is created with IF NOT EXISTS and dropped on reverse.
"""

from django.db import migrations

INDEXES = [
    # The heatmap's drill-down: the risks of one probability x impact cell.
    ("dash_risk_cell_idx", "handoff_risk (probability, impact)"),
    ("dash_projectrisk_cell_idx", "projects_projectrisk (probability, impact) WHERE status = 'open'"),
    # Won and lost per month, win rate, sales cycle: offers closed in a period.
    ("dash_offer_closed_idx", "handoff_offer (closed_at) WHERE status IN ('won', 'lost')"),
    # Return reasons in a period: the few "returned" rows among every activity.
    ("dash_activity_returned_idx", "core_activity (created_at) WHERE verb = 'returned'"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        table, rest = definition.split(" ", 1)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {rest}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_snapshot"),
        ("core", "0001_initial"),
        ("handoff", "0001_initial"),
        ("projects", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
