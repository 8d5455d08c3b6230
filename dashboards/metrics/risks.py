"""The risk heatmap: open risks of open offers and of running projects on a 5 x 5 probability x impact grid."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_noop

from dashboards.metrics.common import RUNNING_PROJECT_STATUSES, Scope, Section, Table
from handoff.models import OPEN_OFFER_STATUSES, Risk
from projects.models import ProjectRisk, RiskStatus

LEVELS = range(1, 6)


def heat(score: int) -> str:
    """The cell's colour class: the usual low / medium / high bands of a 5 x 5 matrix."""
    if score >= 15:
        return "high"
    return "mid" if score >= 5 else "low"


def offer_risks(scope: Scope) -> QuerySet[Risk]:
    return Risk.objects.filter(scope.offer_q("offer__"), offer__status__in=OPEN_OFFER_STATUSES)


def project_risks(scope: Scope) -> QuerySet[ProjectRisk]:
    return ProjectRisk.objects.filter(
        scope.project_q("project__"), status=RiskStatus.OPEN, project__status__in=RUNNING_PROJECT_STATUSES
    )


def _cells(risks: QuerySet) -> dict[tuple[int, int], int]:
    rows = risks.values("probability", "impact").annotate(count=Count("id")).order_by()
    return {(row["probability"], row["impact"]): row["count"] for row in rows}


def heatmap(scope: Scope) -> Table:
    offers, projects = _cells(offer_risks(scope)), _cells(project_risks(scope))
    rows = []
    for impact in reversed(LEVELS):
        for probability in LEVELS:
            on_offers, on_projects = offers.get((probability, impact), 0), projects.get((probability, impact), 0)
            rows.append(
                {
                    "probability": probability,
                    "impact": impact,
                    "score": probability * impact,
                    "offer_risks": on_offers,
                    "project_risks": on_projects,
                    "total": on_offers + on_projects,
                }
            )
    return Table(
        title=gettext_noop("Open risks by probability and impact"),
        columns=[
            ("probability", gettext_noop("Probability")),
            ("impact", gettext_noop("Impact")),
            ("score", gettext_noop("Score")),
            ("offer_risks", gettext_noop("On offers")),
            ("project_risks", gettext_noop("On projects")),
            ("total", gettext_noop("Total")),
        ],
        rows=rows,
    )


def risks(scope: Scope) -> Section:
    table = heatmap(scope)
    grid = [[{**row, "heat": heat(row["score"])} for row in table.rows[start : start + 5]] for start in range(0, 25, 5)]
    figures = {
        "total": sum(row["total"] for row in table.rows),
        "on_offers": sum(row["offer_risks"] for row in table.rows),
        "on_projects": sum(row["project_risks"] for row in table.rows),
        "high": sum(row["total"] for row in table.rows if heat(row["score"]) == "high"),
        # Rows: impact 5 (top) to 1; columns: probability 1 to 5.
        "grid": grid,
    }
    return Section(figures=figures, tables={"risk_heatmap": table})
