"""Handoffs: pending with age and SLA state, median time to accept, return rate, the most frequent return reasons."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_noop

from core.models import Activity
from dashboards.metrics.common import Scope, Section, Table, median_days, percent, person_name
from handoff.models import HandoffStatus
from handoff.sla import sla_days, sla_state

# The handoff engineer's handoff_return() logs this verb on the handoff, with the reason as the message.
RETURNED_VERB = "returned"
SLA_STATES = {"ok": "on_time", "warn": "due_soon", "bad": "overdue"}


def pending(scope: Scope) -> Table:
    rows = []
    for row in (
        scope.handoffs()
        .filter(status=HandoffStatus.PENDING)
        .order_by("pending_since", "id")
        .values(
            "id",
            "offer_id",
            "offer__title",
            "offer__client_id",
            "offer__client__name",
            "offer__owner__first_name",
            "offer__owner__last_name",
            "offer__owner__username",
            "pm_id",
            "pm__first_name",
            "pm__last_name",
            "pm__username",
            "pending_since",
        )
    ):
        state = sla_state(row["pending_since"], scope.now)
        rows.append(
            {
                "handoff_id": row["id"],
                "offer_id": row["offer_id"],
                "offer": row["offer__title"],
                "client_id": row["offer__client_id"],
                "client": row["offer__client__name"],
                "rep": person_name(
                    row["offer__owner__first_name"], row["offer__owner__last_name"], row["offer__owner__username"]
                ),
                "pm": person_name(row["pm__first_name"], row["pm__last_name"], row["pm__username"])
                if row["pm_id"]
                else "",
                "pending_since": row["pending_since"].isoformat(),
                "age_days": round((scope.now - row["pending_since"]) / datetime.timedelta(days=1), 1),
                "working_days": round(state.elapsed_days, 1),
                "sla_state": SLA_STATES[state.level],
            }
        )
    return Table(
        title=gettext_noop("Pending handoffs"),
        columns=[
            ("offer", gettext_noop("Offer")),
            ("client", gettext_noop("Client")),
            ("rep", gettext_noop("Sales rep")),
            ("pm", gettext_noop("PM")),
            ("pending_since", gettext_noop("Pending since")),
            ("age_days", gettext_noop("Age (days)")),
            ("working_days", gettext_noop("Working days")),
            ("sla_state", gettext_noop("SLA")),
        ],
        rows=rows,
    )


def time_to_accept(scope: Scope) -> dict[str, Any]:
    """Median days from the win (the handoff's creation) to its acceptance, over handoffs accepted in the period."""
    durations = list(
        scope.handoffs()
        .filter(status=HandoffStatus.ACCEPTED, accepted_at__isnull=False)
        .filter(scope.period.q("accepted_at"))
        .annotate(wait=ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField()))
        .values_list("wait", flat=True)
    )
    return {"median_days": median_days(durations), "handoffs": len(durations)}


def return_rate(scope: Scope) -> dict[str, Any]:
    """Of the handoffs created in the period, the share returned to sales at least once."""
    counts = (
        scope.handoffs()
        .filter(scope.period.q("created_at"))
        .aggregate(total=Count("id"), returned=Count("id", filter=Q(return_count__gt=0)))
    )
    return {**counts, "percent": percent(counts["returned"], counts["total"])}


def return_reasons(scope: Scope) -> Table:
    """Every return in the period (the activity log keeps each one), grouped by its reason."""
    returns = Activity.objects.filter(
        verb=RETURNED_VERB, target_type__app_label="handoff", target_type__model="handoff"
    ).filter(scope.period.q("created_at"))
    if scope.handoff_q():
        returns = returns.filter(target_id__in=scope.handoffs().values("id"))
    groups = (
        returns.annotate(normalized=Lower(Trim("message")))
        .values("normalized")
        .annotate(count=Count("id"), reason=Min("message"))
        .order_by()
    )
    # Sorted here, not in SQL: ties then break the same way on every database collation.
    rows = sorted(groups, key=lambda row: (-row["count"], row["normalized"]))
    return Table(
        title=gettext_noop("Return reasons"),
        columns=[("reason", gettext_noop("Reason")), ("count", gettext_noop("Returns"))],
        rows=[{"reason": row["reason"].strip(), "count": row["count"]} for row in rows],
    )


def handoffs(scope: Scope) -> Section:
    pending_table = pending(scope)
    reasons = return_reasons(scope)
    states = [row["sla_state"] for row in pending_table.rows]
    figures = {
        "pending": {
            "count": len(states),
            "on_time": states.count("on_time"),
            "due_soon": states.count("due_soon"),
            "overdue": states.count("overdue"),
            "sla_working_days": sla_days(),
        },
        "time_to_accept": time_to_accept(scope),
        "return_rate": return_rate(scope),
        "returns_in_period": sum(row["count"] for row in reasons.rows),
    }
    return Section(figures=figures, tables={"pending_handoffs": pending_table, "return_reasons": reasons})
