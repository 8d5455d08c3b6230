"""The learning loop: how good the estimates made before the sale were, per sales rep and per PM,
and how much follow-up business the projects brought back to sales."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, OuterRef, Subquery

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
    """Projects completed in the period whose offer had a completed review with an effort estimate above zero."""
    return list(
        scope.projects()
        .filter(status=ProjectStatus.COMPLETED, completed_at__isnull=False)
        .filter(scope.period.q("completed_at"))
        .annotate(estimate=_latest_review_estimate())
        .filter(estimate__gt=0)
        .order_by("id")
        .values(
            "id",
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
    ("projects", "Projects"),
    ("estimated_days", "Estimated days"),
    ("actual_days", "Actual days"),
    ("overrun_percent", "Overrun %"),
    ("mean_error_percent", "Mean error %"),
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


def learning(scope: Scope) -> Section:
    projects = estimated_projects(scope)
    return Section(
        figures={"accuracy": accuracy(projects), "follow_ups": follow_up_funnel(scope)},
        tables={
            "accuracy_by_rep": _by(projects, "sales_liaison", "rep_id", "Estimate accuracy per sales rep", "Sales rep"),
            "accuracy_by_pm": _by(projects, "pm", "pm_id", "Estimate accuracy per PM", "PM"),
        },
    )
