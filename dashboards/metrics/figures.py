"""Every dashboard figure, computed live from the database in a fixed number of queries.

``compute()`` runs each section over one ``Scope`` (the filters at one moment)
and returns what the page and the API show plus the full rows of every table
(for the CSV export). A section is a function ``Scope -> Section``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from accounts.roles import Role
from clients.models import Client
from dashboards.filters import DashboardFilters
from dashboards.metrics.common import Scope, Section, person_name
from dashboards.metrics.delivery import delivery
from dashboards.metrics.handoffs import handoffs
from dashboards.metrics.learning import learning
from dashboards.metrics.pipeline import pipeline
from dashboards.metrics.risks import risks

SECTIONS: list[tuple[str, Callable[[Scope], Section]]] = [
    ("pipeline", pipeline),
    ("handoffs", handoffs),
    ("delivery", delivery),
    ("risks", risks),
    ("learning", learning),
]

# Long tables show their first rows on the page; the CSV download has them all.
PAGE_ROWS = {
    "pipeline_by_rep": 20,
    "pipeline_by_client": 20,
    "pending_handoffs": 20,
    "overdue_deliverables": 20,
    "open_change_requests": 20,
    "return_reasons": 5,
}


@dataclass
class Computed:
    data: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]


def _options(filters: DashboardFilters) -> dict[str, Any]:
    """The choices of the filter form, and the chosen client's name."""

    def people(role: str) -> list[dict[str, Any]]:
        users = User.objects.with_role(role).order_by("first_name", "last_name", "username").distinct()
        return [
            {"id": user["id"], "name": person_name(user["first_name"], user["last_name"], user["username"])}
            for user in users.values("id", "first_name", "last_name", "username")
        ]

    client = None
    if filters.client_id:
        client = Client.objects.filter(pk=filters.client_id).values("id", "name").first()
    return {"reps": people(Role.SALES), "pms": people(Role.PM), "client": client}


def compute(filters: DashboardFilters, now: datetime.datetime) -> Computed:
    scope = Scope(filters=filters, now=now)
    sections: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for name, section_of in SECTIONS:
        section = section_of(scope)
        sections[name] = section.figures
        tables.update(section.tables)
    data = {
        "as_of": now.isoformat(),
        "filters": filters.as_dict(),
        "period": {**scope.period.as_dict(), "chosen": scope.period_chosen},
        "sections": sections,
        "tables": {
            name: {
                "title": table.title,
                "columns": [list(column) for column in table.columns],
                "rows": table.rows[: PAGE_ROWS.get(name)],
                "total": len(table.rows),
            }
            for name, table in tables.items()
        },
        "options": _options(filters),
    }
    return Computed(data=data, tables={name: table.rows for name, table in tables.items()})


TABLE_NAMES = [
    "pipeline_by_status",
    "won_lost_by_month",
    "pipeline_by_rep",
    "pipeline_by_client",
    "pending_handoffs",
    "return_reasons",
    "projects_by_status_health",
    "overdue_deliverables",
    "open_change_requests",
    "issues_by_severity",
    "pulse_trend",
    "risk_heatmap",
    "accuracy_by_rep",
    "accuracy_by_pm",
    "effort_missing",
]
