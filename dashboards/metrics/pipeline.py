"""Pipeline: open offers by status, won and lost per month, win rate, sales cycle, per rep and per client."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dashboards.metrics.common import (
    Scope,
    Section,
    Table,
    add_money,
    cents_sum,
    median_days,
    money,
    month_starts,
    percent,
    person_name,
    weighted_money,
    weighted_sum,
)
from handoff.models import OPEN_OFFER_STATUSES, OfferStatus

OPEN = Q(status__in=OPEN_OFFER_STATUSES)

SUMMARY_COLUMNS = [
    ("open_count", "Open offers"),
    ("open_value", "Open value"),
    ("open_weighted", "Weighted value"),
    ("won_count", "Won"),
    ("won_value", "Won value"),
    ("lost_count", "Lost"),
    ("lost_value", "Lost value"),
    ("win_rate_percent", "Win rate %"),
]


def _month_of(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{moment.year:04d}-{moment.month:02d}"


def open_by_status(scope: Scope) -> Table:
    found = {
        row["status"]: row
        for row in scope.offers()
        .filter(OPEN)
        .values("status")
        .annotate(count=Count("id"), cents=cents_sum(), weighted=weighted_sum())
        .order_by()
    }
    rows = []
    for status in OPEN_OFFER_STATUSES:
        row = found.get(status, {})
        rows.append(
            {
                "status": str(status),
                "label": str(OfferStatus(status).label),
                "count": row.get("count", 0),
                "value": money(row.get("cents")),
                "weighted": weighted_money(row.get("weighted")),
                # Kept for the totals; dropped before the row is shown.
                "_cents": int(row.get("cents") or 0),
                "_weighted": int(row.get("weighted") or 0),
            }
        )
    return Table(
        title="Open offers by status",
        columns=[("status", "Status"), ("count", "Offers"), ("value", "Value"), ("weighted", "Weighted value")],
        rows=rows,
    )


def won_lost_by_month(scope: Scope) -> Table:
    period = scope.period
    found: dict[tuple[str, str], dict[str, Any]] = {}
    rows = (
        scope.offers()
        .filter(status__in=(OfferStatus.WON, OfferStatus.LOST))
        .filter(period.q("closed_at"))
        .annotate(month=TruncMonth("closed_at"))
        .values("month", "status")
        .annotate(count=Count("id"), cents=cents_sum())
        .order_by()
    )
    for row in rows:
        found[(_month_of(row["month"]), row["status"])] = row
    table = []
    for first_day in month_starts(period.start, period.end):
        month = _month_of(first_day)
        won = found.get((month, OfferStatus.WON), {})
        lost = found.get((month, OfferStatus.LOST), {})
        table.append(
            {
                "month": month,
                "label": first_day.strftime("%b %Y"),
                "won_count": won.get("count", 0),
                "won_value": money(won.get("cents")),
                "lost_count": lost.get("count", 0),
                "lost_value": money(lost.get("cents")),
            }
        )
    return Table(
        title="Won and lost per month",
        columns=[
            ("month", "Month"),
            ("won_count", "Won"),
            ("won_value", "Won value"),
            ("lost_count", "Lost"),
            ("lost_value", "Lost value"),
        ],
        rows=table,
    )


def win_rate(scope: Scope) -> dict[str, Any]:
    """Won ÷ (won + lost) among the offers closed in the window (withdrawn offers are neither)."""
    closed = scope.offers().filter(closed_at__gte=scope.win_rate_since)
    closed = (
        closed.filter(closed_at__lt=scope.win_rate_until)
        if scope.period_chosen
        else closed.filter(closed_at__lte=scope.win_rate_until)
    )
    counts = closed.aggregate(
        won=Count("id", filter=Q(status=OfferStatus.WON)), lost=Count("id", filter=Q(status=OfferStatus.LOST))
    )
    return {
        "won": counts["won"],
        "lost": counts["lost"],
        "percent": percent(counts["won"], counts["won"] + counts["lost"]),
        "since": scope.win_rate_since.isoformat(),
        "until": scope.win_rate_until.isoformat(),
        "days": None if scope.period_chosen else 90,
    }


def sales_cycle(scope: Scope) -> dict[str, Any]:
    """Median days from an offer's creation to its win, over the offers won in the period."""
    durations = list(
        scope.offers()
        .filter(status=OfferStatus.WON, closed_at__isnull=False)
        .filter(scope.period.q("closed_at"))
        .annotate(cycle=ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()))
        .values_list("cycle", flat=True)
    )
    return {"median_days": median_days(durations), "offers": len(durations)}


def _summary_rows(scope: Scope, group: tuple[str, ...]) -> list[dict[str, Any]]:
    """Open pipeline (now) and won/lost in the period, grouped by ``group`` (an owner or a client)."""
    won = Q(status=OfferStatus.WON) & scope.period.q("closed_at")
    lost = Q(status=OfferStatus.LOST) & scope.period.q("closed_at")
    return list(
        scope.offers()
        .filter(OPEN | won | lost)
        .values(*group)
        .annotate(
            open_count=Count("id", filter=OPEN),
            open_cents=cents_sum(filter=OPEN),
            open_weighted=weighted_sum(filter=OPEN),
            won_count=Count("id", filter=won),
            won_cents=cents_sum(filter=won),
            lost_count=Count("id", filter=lost),
            lost_cents=cents_sum(filter=lost),
        )
        .order_by()
    )


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "open_count": row["open_count"],
        "open_value": money(row["open_cents"]),
        "open_weighted": weighted_money(row["open_weighted"]),
        "won_count": row["won_count"],
        "won_value": money(row["won_cents"]),
        "lost_count": row["lost_count"],
        "lost_value": money(row["lost_cents"]),
        "win_rate_percent": percent(row["won_count"], row["won_count"] + row["lost_count"]),
    }


def _biggest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Biggest won value first, then biggest open value, then by name."""
    return sorted(rows, key=lambda row: (-Decimal(row["won_value"]), -Decimal(row["open_value"]), row["name"]))


def by_rep(scope: Scope) -> Table:
    raw = _summary_rows(scope, ("owner_id", "owner__first_name", "owner__last_name", "owner__username"))
    rows = [
        {
            "rep_id": row["owner_id"],
            "name": person_name(row["owner__first_name"], row["owner__last_name"], row["owner__username"]),
            **_summary(row),
        }
        for row in raw
    ]
    return Table(title="Per sales rep", columns=[("name", "Sales rep"), *SUMMARY_COLUMNS], rows=_biggest_first(rows))


def by_client(scope: Scope) -> Table:
    raw = _summary_rows(scope, ("client_id", "client__name"))
    rows = [{"client_id": row["client_id"], "name": row["client__name"], **_summary(row)} for row in raw]
    return Table(title="Per client", columns=[("name", "Client"), *SUMMARY_COLUMNS], rows=_biggest_first(rows))


def pipeline(scope: Scope) -> Section:
    statuses = open_by_status(scope)
    months = won_lost_by_month(scope)
    open_total = {
        "count": sum(row["count"] for row in statuses.rows),
        "value": money(sum(row.pop("_cents") for row in statuses.rows)),
        "weighted": weighted_money(sum(row.pop("_weighted") for row in statuses.rows)),
    }
    figures = {
        "open": open_total,
        "won_in_period": {
            "count": sum(row["won_count"] for row in months.rows),
            "value": add_money(row["won_value"] for row in months.rows),
        },
        "lost_in_period": {
            "count": sum(row["lost_count"] for row in months.rows),
            "value": add_money(row["lost_value"] for row in months.rows),
        },
        "win_rate": win_rate(scope),
        "sales_cycle": sales_cycle(scope),
    }
    return Section(
        figures=figures,
        tables={
            "pipeline_by_status": statuses,
            "won_lost_by_month": months,
            "pipeline_by_rep": by_rep(scope),
            "pipeline_by_client": by_client(scope),
        },
    )
