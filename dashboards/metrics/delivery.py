"""Delivery: projects by status and health, overdue deliverables, and the after-handoff records."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_noop

from dashboards.metrics.after_handoff import delivery_extras
from dashboards.metrics.common import RUNNING_PROJECT_STATUSES, Scope, Section, Table, person_name
from projects.models import Deliverable, DeliverableStatus, ProjectHealth, ProjectStatus

# Submitted deliverables wait on the client, accepted ones are done: only these can be late.
LATE_STATUSES = (DeliverableStatus.PLANNED, DeliverableStatus.REJECTED)


def projects_by_status_health(scope: Scope) -> Table:
    counts = {
        (row["status"], row["health"]): row["count"]
        for row in scope.projects().values("status", "health").annotate(count=Count("id")).order_by()
    }
    rows = []
    for status in ProjectStatus:
        row = {"status": str(status), "label": str(status.label)}
        for health in ProjectHealth:
            row[str(health)] = counts.get((status, health), 0)
        row["total"] = sum(row[str(health)] for health in ProjectHealth)
        rows.append(row)
    return Table(
        title=gettext_noop("Projects by status and health"),
        columns=[
            ("status", gettext_noop("Status")),
            *((str(health), str(health.label)) for health in ProjectHealth),
            ("total", gettext_noop("Total")),
        ],
        rows=rows,
    )


def overdue_deliverables(scope: Scope) -> Table:
    """Deliverables of running projects, due before today and not yet delivered (planned, or rejected and reworked)."""
    deliverables = (
        Deliverable.objects.filter(
            scope.project_q("project__"),
            status__in=LATE_STATUSES,
            due__lt=scope.today,
            project__status__in=RUNNING_PROJECT_STATUSES,
        )
        .order_by("due", "id")
        .values(
            "id",
            "name",
            "due",
            "status",
            "project_id",
            "project__name",
            "project__client__name",
            "project__pm__first_name",
            "project__pm__last_name",
            "project__pm__username",
        )
    )
    rows = [
        {
            "deliverable_id": row["id"],
            "deliverable": row["name"],
            "project_id": row["project_id"],
            "project": row["project__name"],
            "client": row["project__client__name"],
            "pm": person_name(
                row["project__pm__first_name"], row["project__pm__last_name"], row["project__pm__username"]
            ),
            "due": row["due"].isoformat(),
            "days_overdue": (scope.today - row["due"]).days,
            "status": row["status"],
        }
        for row in deliverables
    ]
    return Table(
        title=gettext_noop("Overdue deliverables"),
        columns=[
            ("deliverable", gettext_noop("Deliverable")),
            ("project", gettext_noop("Project")),
            ("client", gettext_noop("Client")),
            ("pm", gettext_noop("PM")),
            ("due", gettext_noop("Due")),
            ("days_overdue", gettext_noop("Days overdue")),
            ("status", gettext_noop("Status")),
        ],
        rows=rows,
    )


def delivery(scope: Scope) -> Section:
    projects = projects_by_status_health(scope)
    overdue = overdue_deliverables(scope)
    running = [row for row in projects.rows if row["status"] in RUNNING_PROJECT_STATUSES]
    figures = {
        "projects": sum(row["total"] for row in projects.rows),
        "running": sum(row["total"] for row in running),
        "running_at_risk": sum(row[ProjectHealth.AT_RISK] for row in running),
        "running_off_track": sum(row[ProjectHealth.OFF_TRACK] for row in running),
        "overdue_deliverables": len(overdue.rows),
    }
    extra_figures, extra_tables = delivery_extras(scope)
    return Section(
        figures={**figures, **extra_figures},
        tables={"projects_by_status_health": projects, "overdue_deliverables": overdue, **extra_tables},
    )
