"""The learning loop: how good the estimates made before the sale were, per sales rep and per PM,
and how much follow-up business the projects brought back to sales."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from dashboards.metrics.after_handoff import follow_up_funnel
from dashboards.metrics.common import Scope, Section, Table, person_name
from handoff.models import FeasibilityReview, ReviewStatus
from projects.models import ProjectStatus

TENTH = Decimal("0.1")


def _latest_review_estimate() -> Subquery:
    return Subquery(
        FeasibilityReview.objects.filter(
            offer_id=OuterRef("offer_id"), status=ReviewStatus.COMPLETED, effort_days__isnull=False
        )
        .order_by(F("completed_at").desc(nulls_last=True), "-id")
        .values("effort_days")[:1]
    )


def estimated_projects(scope: Scope) -> list[dict[str, Any]]:
    """Projects completed in the period whose offer had a completed review with an effort estimate above zero.

    Those whose effort is explicitly not tracked are left out; the rest have an actual effort above zero
    or still miss it (``effort_recorded``).
    """
    return list(
        scope.projects()
        .filter(status=ProjectStatus.COMPLETED, completed_at__isnull=False, effort_not_tracked=False)
        .filter(scope.period.q("completed_at"))
        .annotate(estimate=_latest_review_estimate())
        .filter(estimate__gt=0)
        .order_by("id")
        .values(
            "id",
            "name",
            "client__name",
            "completed_at",
            "estimate",
            "actual_effort_days",
            "sales_liaison_id",
            "sales_liaison__first_name",
            "sales_liaison__last_name",
            "sales_liaison__username",
            "pm_id",
            "pm__first_name",
            "pm__last_name",
            "pm__username",
        )
    )


def accuracy(projects: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals and two accuracy measures over ``projects``.

    ``overrun_percent``: how far the total actual effort exceeded the total estimate (negative when
    under). ``mean_error_percent``: the mean absolute error of each estimate, relative to it.
    """
    estimated = sum((Decimal(row["estimate"]) for row in projects), Decimal("0"))
    actual = sum((Decimal(row["actual_effort_days"]) for row in projects), Decimal("0"))
    errors = [
        abs(Decimal(row["actual_effort_days"]) - Decimal(row["estimate"])) / Decimal(row["estimate"])
        for row in projects
    ]
    return {
        "projects": len(projects),
        "estimated_days": str(estimated.quantize(TENTH)),
        "actual_days": str(actual.quantize(TENTH)),
        "overrun_percent": float(((actual - estimated) * 100 / estimated).quantize(TENTH, rounding=ROUND_HALF_UP))
        if estimated
        else None,
        "mean_error_percent": float((sum(errors) * 100 / len(errors)).quantize(TENTH, rounding=ROUND_HALF_UP))
        if errors
        else None,
    }


ACCURACY_COLUMNS = [
    ("projects", gettext_noop("Projects")),
    ("estimated_days", gettext_noop("Estimated days")),
    ("actual_days", gettext_noop("Actual days")),
    ("overrun_percent", gettext_noop("Overrun %")),
    ("mean_error_percent", gettext_noop("Mean error %")),
]


def _by(projects: list[dict[str, Any]], person: str, id_key: str, title: str, label: str) -> Table:
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    names: dict[int, str] = {}
    for row in projects:
        groups[row[f"{person}_id"]].append(row)
        names[row[f"{person}_id"]] = person_name(
            row[f"{person}__first_name"], row[f"{person}__last_name"], row[f"{person}__username"]
        )
    rows = [{id_key: user_id, "name": names[user_id], **accuracy(rows)} for user_id, rows in groups.items()]
    rows.sort(key=lambda row: (-row["projects"], row["name"]))
    return Table(title=title, columns=[("name", label), *ACCURACY_COLUMNS], rows=rows)


def _effort_missing(projects: list[dict[str, Any]]) -> Table:
    """Completed projects left out of the accuracy because nobody entered their actual effort yet."""
    rows = [
        {
            "project_id": row["id"],
            "project": row["name"],
            "client": row["client__name"],
            "pm": person_name(row["pm__first_name"], row["pm__last_name"], row["pm__username"]),
            "completed": timezone.localdate(row["completed_at"]).isoformat(),
            "estimated_days": str(Decimal(row["estimate"]).quantize(TENTH)),
        }
        for row in projects
    ]
    rows.sort(key=lambda row: (row["completed"], row["project_id"]))
    return Table(
        title=gettext_noop("Actual effort missing"),
        columns=[
            ("project", gettext_noop("Project")),
            ("client", gettext_noop("Client")),
            ("pm", gettext_noop("PM")),
            ("completed", gettext_noop("Completed")),
            ("estimated_days", gettext_noop("Estimated days")),
        ],
        rows=rows,
    )


def learning(scope: Scope) -> Section:
    projects = estimated_projects(scope)
    # Zero is "not entered": counting it would read as a project finished in no time (an overrun of -100 %).
    measured = [row for row in projects if row["actual_effort_days"] > 0]
    missing = [row for row in projects if not row["actual_effort_days"] > 0]
    return Section(
        figures={
            "accuracy": accuracy(measured),
            "effort_missing": len(missing),
            "follow_ups": follow_up_funnel(scope),
        },
        tables={
            "accuracy_by_rep": _by(
                measured,
                "sales_liaison",
                "rep_id",
                gettext_noop("Estimate accuracy per sales rep"),
                gettext_noop("Sales rep"),
            ),
            "accuracy_by_pm": _by(
                measured, "pm", "pm_id", gettext_noop("Estimate accuracy per PM"), gettext_noop("PM")
            ),
            "effort_missing": _effort_missing(missing),
        },
    )
