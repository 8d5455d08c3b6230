"""Figures from the records kept after the handoff: change requests, client issues, client pulses, follow-ups.

Scoping follows ``Scope``: change requests, pulses and follow-ups belong to a
project (``project_q``); a client issue belongs to a client and maybe a
project, so the rep narrows issues to the clients they own, the PM to the
issues of their projects, the client to its own.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Round, TruncMonth
from django.utils.translation import gettext_noop

from dashboards.metrics.common import CENT, Scope, Table, money, month_starts, percent
from handoff.models import OfferStatus
from projects.models import (
    LOW_MOOD,
    ChangeRequest,
    ChangeRequestStatus,
    ClientIssue,
    ClientPulse,
    FollowUp,
    FollowUpStatus,
    IssueSeverity,
    IssueStatus,
)

TENTH = Decimal("0.1")
OPEN_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)
_WHOLE = DecimalField(max_digits=30, decimal_places=0)
COST_CENTS = ExpressionWrapper(Round(F("cost_impact") * 100), output_field=_WHOLE)
FOLLOW_UP_CENTS = ExpressionWrapper(Round(F("estimated_value") * 100), output_field=_WHOLE)


def issue_q(scope: Scope) -> Q:
    q = Q()
    if scope.filters.rep_id:
        q &= Q(client__account_owner_id=scope.filters.rep_id)
    if scope.filters.client_id:
        q &= Q(client_id=scope.filters.client_id)
    if scope.filters.pm_id:
        q &= Q(project__pm_id=scope.filters.pm_id)
    return q


def open_change_requests(scope: Scope) -> Table:
    """Proposed (not yet decided) change requests, the most expensive first, with their signatures so far."""
    requests = (
        ChangeRequest.objects.filter(scope.project_q("project__"), status=ChangeRequestStatus.PROPOSED)
        .annotate(signatures=Count("approvals"))
        .order_by("-cost_impact", "raised_at", "id")
        .values(
            "id",
            "title",
            "cost_impact",
            "schedule_impact_days",
            "raised_at",
            "signatures",
            "project_id",
            "project__name",
            "project__client__name",
        )
    )
    rows = [
        {
            "change_request_id": row["id"],
            "title": row["title"],
            "project_id": row["project_id"],
            "project": row["project__name"],
            "client": row["project__client__name"],
            "cost_impact": str(Decimal(row["cost_impact"]).quantize(CENT)),
            "schedule_impact_days": row["schedule_impact_days"],
            "signatures": row["signatures"],
            "raised": row["raised_at"].date().isoformat(),
        }
        for row in requests
    ]
    return Table(
        title=gettext_noop("Open change requests"),
        columns=[
            ("title", gettext_noop("Change request")),
            ("project", gettext_noop("Project")),
            ("client", gettext_noop("Client")),
            ("cost_impact", gettext_noop("Cost impact")),
            ("schedule_impact_days", gettext_noop("Schedule impact (days)")),
            ("signatures", gettext_noop("Signatures")),
            ("raised", gettext_noop("Raised")),
        ],
        rows=rows,
    )


def issues_by_severity(scope: Scope) -> Table:
    """Client issues not yet resolved, by severity (most severe first) and status."""
    counts = {
        (row["severity"], row["status"]): row["count"]
        for row in ClientIssue.objects.filter(issue_q(scope), status__in=OPEN_ISSUE_STATUSES)
        .values("severity", "status")
        .annotate(count=Count("id"))
        .order_by()
    }
    rows = []
    for severity in reversed(IssueSeverity):
        row = {"severity": str(severity), "label": str(severity.label)}
        for status in OPEN_ISSUE_STATUSES:
            row[str(status)] = counts.get((severity, status), 0)
        row["total"] = sum(row[str(status)] for status in OPEN_ISSUE_STATUSES)
        rows.append(row)
    return Table(
        title=gettext_noop("Open client issues by severity"),
        columns=[
            ("label", gettext_noop("Severity")),
            *((str(status), str(status.label)) for status in OPEN_ISSUE_STATUSES),
            ("total", gettext_noop("Total")),
        ],
        rows=rows,
    )


def _mean(total: Any, count: int) -> str | None:
    if not count:
        return None
    return str((Decimal(int(total)) / count).quantize(TENTH, rounding=ROUND_HALF_UP))


def pulse_trend(scope: Scope) -> Table:
    """Per month of the period: how many pulses were logged and their mean mood, urgency and satisfaction."""
    by_month = {
        row["month"].date(): row
        for row in ClientPulse.objects.filter(scope.project_q("project__"), scope.period.q("recorded_at"))
        .annotate(month=TruncMonth("recorded_at"))
        .values("month")
        .annotate(
            pulses=Count("id"),
            mood_sum=Sum("mood"),
            urgency_sum=Sum("urgency"),
            satisfaction_sum=Sum("satisfaction"),
            low=Count("id", filter=Q(mood__lte=LOW_MOOD)),
        )
        .order_by()
    }
    rows = []
    for month in month_starts(scope.period.start, scope.period.end):
        row = by_month.get(month)
        count = row["pulses"] if row else 0
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "pulses": count,
                "low_mood": row["low"] if row else 0,
                "mood": _mean(row["mood_sum"], count) if row else None,
                "urgency": _mean(row["urgency_sum"], count) if row else None,
                "satisfaction": _mean(row["satisfaction_sum"], count) if row else None,
            }
        )
    return Table(
        title=gettext_noop("Client pulse per month"),
        columns=[
            ("month", gettext_noop("Month")),
            ("pulses", gettext_noop("Pulses")),
            ("low_mood", gettext_noop("Mood ≤ 2")),
            ("mood", gettext_noop("Mood")),
            ("urgency", gettext_noop("Urgency")),
            ("satisfaction", gettext_noop("Satisfaction")),
        ],
        rows=rows,
    )


def delivery_extras(scope: Scope) -> tuple[dict[str, Any], dict[str, Table]]:
    """The after-handoff part of the delivery section: figures and tables."""
    changes = open_change_requests(scope)
    issues = issues_by_severity(scope)
    pulses = pulse_trend(scope)
    logged = sum(row["pulses"] for row in pulses.rows)
    figures = {
        "open_change_requests": {
            "count": len(changes.rows),
            "cost_impact": str(sum((Decimal(row["cost_impact"]) for row in changes.rows), Decimal("0")).quantize(CENT)),
            "schedule_impact_days": sum(row["schedule_impact_days"] for row in changes.rows),
        },
        "open_issues": {
            "total": sum(row["total"] for row in issues.rows),
            **{row["severity"]: row["total"] for row in issues.rows},
        },
        "pulse": {
            "pulses": logged,
            "low_mood": sum(row["low_mood"] for row in pulses.rows),
            "latest_month_mood": next((row["mood"] for row in reversed(pulses.rows) if row["pulses"]), None),
        },
    }
    return figures, {"open_change_requests": changes, "issues_by_severity": issues, "pulse_trend": pulses}


def follow_up_funnel(scope: Scope) -> dict[str, Any]:
    """Follow-ups raised in the period → converted into offers → those offers won, with their values."""
    raised = FollowUp.objects.filter(scope.project_q("project__"), scope.period.q("raised_at"))
    totals = raised.aggregate(
        raised=Count("id"),
        raised_cents=Sum(FOLLOW_UP_CENTS),
        converted=Count("id", filter=Q(status=FollowUpStatus.CONVERTED)),
        dismissed=Count("id", filter=Q(status=FollowUpStatus.DISMISSED)),
        open=Count("id", filter=Q(status=FollowUpStatus.OPEN)),
        won=Count("id", filter=Q(offer__status=OfferStatus.WON)),
        won_cents=Sum(_offer_cents(), filter=Q(offer__status=OfferStatus.WON)),
    )
    return {
        "raised": totals["raised"],
        "raised_value": money(totals["raised_cents"]),
        "converted": totals["converted"],
        "dismissed": totals["dismissed"],
        "open": totals["open"],
        "conversion_percent": percent(totals["converted"], totals["raised"]),
        "won": totals["won"],
        "won_value": money(totals["won_cents"]),
    }


def _offer_cents() -> ExpressionWrapper:
    return ExpressionWrapper(Round(F("offer__value") * 100), output_field=_WHOLE)
