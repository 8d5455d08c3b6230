"""What every figure shares: the filters with "now", the period, scoped querysets and exact money sums."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Round
from django.utils import timezone

from dashboards.filters import DashboardFilters
from handoff.models import FeasibilityReview, Handoff, Offer
from projects.models import Project, ProjectStatus

CENT = Decimal("0.01")
RUNNING_PROJECT_STATUSES = (ProjectStatus.PLANNING, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)

# Sums of money are taken in whole cents so that they are exact on every database
# (SQLite keeps decimals as floating point; the rounding to a cent undoes that).
_WHOLE = DecimalField(max_digits=30, decimal_places=0)
OFFER_CENTS = ExpressionWrapper(Round(F("value") * 100), output_field=_WHOLE)
# Cents times probability percent: divided by 10 000 it is the weighted value.
OFFER_WEIGHTED = ExpressionWrapper(Round(F("value") * 100) * F("probability"), output_field=_WHOLE)


def cents_sum(*, filter: Q | None = None) -> Sum:
    return Sum(OFFER_CENTS, filter=filter)


def weighted_sum(*, filter: Q | None = None) -> Sum:
    return Sum(OFFER_WEIGHTED, filter=filter)


def money(cents: Any) -> str:
    """Whole cents from an aggregate (``None`` when nothing matched) as a decimal string."""
    return str((Decimal(int(cents or 0)) / 100).quantize(CENT))


def add_money(amounts: Iterable[str]) -> str:
    return str(sum((Decimal(amount) for amount in amounts), Decimal("0")).quantize(CENT))


def weighted_money(cents_percent: Any) -> str:
    return str((Decimal(int(cents_percent or 0)) / 10000).quantize(CENT, rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent with one decimal; ``None`` when there is nothing to divide."""
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def median_days(durations: list[datetime.timedelta]) -> float | None:
    if not durations:
        return None
    middle = statistics.median(duration.total_seconds() for duration in durations)
    return round(middle / 86400, 1)


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of every month from ``first``'s month to ``last``'s month, inclusive."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Period:
    """Dates ``start``..``end`` inclusive, as the half-open datetime range ``[start_at, end_at)``."""

    start: datetime.date
    end: datetime.date
    start_at: datetime.datetime = field(init=False)
    end_at: datetime.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.start_at = _start_of_day(self.start)
        self.end_at = _start_of_day(self.end + datetime.timedelta(days=1))

    def q(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start_at, f"{name}__lt": self.end_at})

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass
class Scope:
    """The filters at one moment: what every figure function receives.

    Stock figures (the open pipeline, pending handoffs, projects, overdue
    deliverables, open risks) describe ``now``. Flow figures (won and lost per
    month, sales cycle, time to accept, return rate and reasons, estimate
    accuracy, the per-rep and per-client won/lost columns) cover ``period``: the
    chosen dates, or the last twelve months (this month and the eleven before)
    when none are chosen; a lone end date means the twelve months up to it. The headline win rate covers the last 90 days unless
    a period is chosen.
    """

    filters: DashboardFilters
    now: datetime.datetime
    today: datetime.date = field(init=False)
    period: Period = field(init=False)
    win_rate_since: datetime.datetime = field(init=False)
    win_rate_until: datetime.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.today = timezone.localdate(self.now)
        # Without a start, the twelve months up to the end (or up to today).
        start = self.filters.start or _months_back(self.filters.end or self.today, 11)
        end = self.filters.end or max(self.today, start)
        self.period = Period(start, end)
        if self.filters.start or self.filters.end:
            self.win_rate_since, self.win_rate_until = self.period.start_at, self.period.end_at
        else:
            self.win_rate_since, self.win_rate_until = self.now - datetime.timedelta(days=90), self.now

    @property
    def period_chosen(self) -> bool:
        return bool(self.filters.start or self.filters.end)

    # --- The one place where rep, PM and client narrow each kind of record ------------------
    def offer_q(self, prefix: str = "") -> Q:
        """Offers of the rep (owner), of the client, and reviewed by the PM (a feasibility review assigned to them)."""
        q = Q()
        if self.filters.rep_id:
            q &= Q(**{f"{prefix}owner_id": self.filters.rep_id})
        if self.filters.client_id:
            q &= Q(**{f"{prefix}client_id": self.filters.client_id})
        if self.filters.pm_id:
            reviewed = FeasibilityReview.objects.filter(
                offer_id=OuterRef(f"{prefix}pk"), reviewer_id=self.filters.pm_id
            )
            q &= Q(Exists(reviewed))
        return q

    def handoff_q(self, prefix: str = "") -> Q:
        """Handoffs of the rep's offers, of the client, assigned to the PM."""
        q = Q()
        if self.filters.rep_id:
            q &= Q(**{f"{prefix}offer__owner_id": self.filters.rep_id})
        if self.filters.client_id:
            q &= Q(**{f"{prefix}offer__client_id": self.filters.client_id})
        if self.filters.pm_id:
            q &= Q(**{f"{prefix}pm_id": self.filters.pm_id})
        return q

    def project_q(self, prefix: str = "") -> Q:
        """Projects with the rep as sales liaison, of the client, owned by the PM."""
        q = Q()
        if self.filters.rep_id:
            q &= Q(**{f"{prefix}sales_liaison_id": self.filters.rep_id})
        if self.filters.client_id:
            q &= Q(**{f"{prefix}client_id": self.filters.client_id})
        if self.filters.pm_id:
            q &= Q(**{f"{prefix}pm_id": self.filters.pm_id})
        return q

    def offers(self) -> QuerySet[Offer]:
        return Offer.objects.filter(self.offer_q())

    def handoffs(self) -> QuerySet[Handoff]:
        return Handoff.objects.filter(self.handoff_q())

    def projects(self) -> QuerySet[Project]:
        return Project.objects.filter(self.project_q())


def _months_back(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, 1)


@dataclass
class Table:
    """Rows behind one table of the page (and its CSV download)."""

    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]


@dataclass
class Section:
    """One part of the dashboard: headline figures plus the tables behind them."""

    figures: dict[str, Any]
    tables: dict[str, Table]
