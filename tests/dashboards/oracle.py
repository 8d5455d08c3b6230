"""The dashboard figures computed the slow, obvious way: every row loaded, plain Python loops.

Written from the definitions (dashboards/metrics/*.py docstrings), not from
the queries, so the tests compare two independent computations.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import timezone

from core.models import Activity
from dashboards.filters import DashboardFilters
from handoff.models import FeasibilityReview, Handoff, Offer, ReviewStatus, Risk
from handoff.sla import sla_state
from projects.models import ChangeRequest, ClientIssue, ClientPulse, Deliverable, FollowUp, Project, ProjectRisk

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
OPEN = ("draft", "review", "sent")
RUNNING = ("planning", "active", "on_hold")


def name(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.username


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def pct(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP))


def median_days(durations: list[datetime.timedelta]) -> float | None:
    if not durations:
        return None
    return round(statistics.median(d.total_seconds() for d in durations) / 86400, 1)


def _round_tenths(value: Fraction) -> int:
    """``value`` in whole tenths, halves away from zero."""
    whole = math.floor(abs(value) * 10 + Fraction(1, 2))
    return whole if value >= 0 else -whole


def tenths(value: Fraction) -> float:
    return _round_tenths(value) / 10


def tenths_text(value: Fraction) -> str:
    count = _round_tenths(value)
    return f"{'-' if count < 0 else ''}{abs(count) // 10}.{abs(count) % 10}"


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Oracle:
    def __init__(self, filters: DashboardFilters, now: datetime.datetime) -> None:
        self.f = filters
        self.now = now
        self.today = timezone.localdate(now)
        anchor = filters.end or self.today
        month = anchor.year * 12 + anchor.month - 1 - 11
        first = datetime.date(month // 12, month % 12 + 1, 1)
        self.start = filters.start or first
        self.end = filters.end or max(self.today, self.start)
        self.start_at, self.end_at = start_of(self.start), start_of(self.end + datetime.timedelta(days=1))
        self.reviewers: dict[int, set[int]] = defaultdict(set)
        for review in FeasibilityReview.objects.all():
            self.reviewers[review.offer_id].add(review.reviewer_id)

    def in_period(self, moment) -> bool:
        return moment is not None and self.start_at <= moment < self.end_at

    # --- scope -------------------------------------------------------------------------------
    def offer_ok(self, offer: Offer) -> bool:
        f = self.f
        return (
            (not f.rep_id or offer.owner_id == f.rep_id)
            and (not f.client_id or offer.client_id == f.client_id)
            and (not f.pm_id or f.pm_id in self.reviewers[offer.pk])
        )

    def handoff_ok(self, handoff: Handoff) -> bool:
        f = self.f
        return (
            (not f.rep_id or handoff.offer.owner_id == f.rep_id)
            and (not f.client_id or handoff.offer.client_id == f.client_id)
            and (not f.pm_id or handoff.pm_id == f.pm_id)
        )

    def project_ok(self, project: Project) -> bool:
        f = self.f
        return (
            (not f.rep_id or project.sales_liaison_id == f.rep_id)
            and (not f.client_id or project.client_id == f.client_id)
            and (not f.pm_id or project.pm_id == f.pm_id)
        )

    def offers(self) -> list[Offer]:
        return [o for o in Offer.objects.select_related("owner", "client") if self.offer_ok(o)]

    # --- pipeline ------------------------------------------------------------------------------
    def pipeline_by_status(self) -> list[dict]:
        rows = []
        for status, label in (("draft", "Draft"), ("review", "In review"), ("sent", "Sent")):
            offers = [o for o in self.offers() if o.status == status]
            rows.append(
                {
                    "status": status,
                    "label": label,
                    "count": len(offers),
                    "value": money(sum((o.value or Decimal(0) for o in offers), Decimal(0))),
                    "weighted": money(sum(((o.value or Decimal(0)) * o.probability for o in offers), Decimal(0)) / 100),
                }
            )
        return rows

    def won_lost_by_month(self) -> list[dict]:
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        rows = []
        for year, month in months:

            def of(status, year=year, month=month):
                return [
                    o
                    for o in self.offers()
                    if o.status == status
                    and self.in_period(o.closed_at)
                    and (timezone.localtime(o.closed_at).year, timezone.localtime(o.closed_at).month) == (year, month)
                ]

            won, lost = of("won"), of("lost")
            rows.append(
                {
                    "month": f"{year:04d}-{month:02d}",
                    "label": datetime.date(year, month, 1).strftime("%b %Y"),
                    "won_count": len(won),
                    "won_value": money(sum((o.value or Decimal(0) for o in won), Decimal(0))),
                    "lost_count": len(lost),
                    "lost_value": money(sum((o.value or Decimal(0) for o in lost), Decimal(0))),
                }
            )
        return rows

    def win_rate(self) -> tuple[int, int]:
        chosen = bool(self.f.start or self.f.end)
        if chosen:
            inside = self.in_period
        else:
            since = self.now - datetime.timedelta(days=90)

            def inside(moment):
                return moment is not None and since <= moment <= self.now

        closed = [o for o in self.offers() if inside(o.closed_at)]
        return sum(o.status == "won" for o in closed), sum(o.status == "lost" for o in closed)

    def sales_cycle(self) -> tuple[float | None, int]:
        won = [o for o in self.offers() if o.status == "won" and self.in_period(o.closed_at)]
        return median_days([o.closed_at - o.created_at for o in won]), len(won)

    def summary(self, offers: list[Offer]) -> dict:
        open_ = [o for o in offers if o.status in OPEN]
        won = [o for o in offers if o.status == "won" and self.in_period(o.closed_at)]
        lost = [o for o in offers if o.status == "lost" and self.in_period(o.closed_at)]

        def total(items):
            return sum((o.value or Decimal(0) for o in items), Decimal(0))

        return {
            "open_count": len(open_),
            "open_value": money(total(open_)),
            "open_weighted": money(sum(((o.value or Decimal(0)) * o.probability for o in open_), Decimal(0)) / 100),
            "won_count": len(won),
            "won_value": money(total(won)),
            "lost_count": len(lost),
            "lost_value": money(total(lost)),
            "win_rate_percent": pct(len(won), len(won) + len(lost)),
        }

    def grouped(self, key, label, id_name) -> list[dict]:
        groups = defaultdict(list)
        for offer in self.offers():
            groups[key(offer)].append(offer)
        rows = []
        for group_id, offers in groups.items():
            row = {id_name: group_id, "name": label(offers[0]), **self.summary(offers)}
            if row["open_count"] or row["won_count"] or row["lost_count"]:
                rows.append(row)
        rows.sort(key=lambda r: (-Decimal(r["won_value"]), -Decimal(r["open_value"]), r["name"]))
        return rows

    def pipeline_by_rep(self) -> list[dict]:
        return self.grouped(lambda o: o.owner_id, lambda o: name(o.owner), "rep_id")

    def pipeline_by_client(self) -> list[dict]:
        return self.grouped(lambda o: o.client_id, lambda o: o.client.name, "client_id")

    # --- handoffs ------------------------------------------------------------------------------
    def handoffs(self) -> list[Handoff]:
        return [
            h
            for h in Handoff.objects.select_related("offer", "offer__owner", "offer__client", "pm")
            if self.handoff_ok(h)
        ]

    def pending_handoffs(self) -> list[dict]:
        pending = sorted((h for h in self.handoffs() if h.status == "pending"), key=lambda h: (h.pending_since, h.pk))
        rows = []
        for h in pending:
            state = sla_state(h.pending_since, self.now)
            rows.append(
                {
                    "handoff_id": h.pk,
                    "offer_id": h.offer_id,
                    "offer": h.offer.title,
                    "client_id": h.offer.client_id,
                    "client": h.offer.client.name,
                    "rep": name(h.offer.owner),
                    "pm": name(h.pm) if h.pm else "",
                    "pending_since": h.pending_since.isoformat(),
                    "age_days": round((self.now - h.pending_since) / datetime.timedelta(days=1), 1),
                    "working_days": round(state.elapsed_days, 1),
                    "sla_state": {"ok": "on_time", "warn": "due_soon", "bad": "overdue"}[state.level],
                }
            )
        return rows

    def time_to_accept(self) -> tuple[float | None, int]:
        accepted = [h for h in self.handoffs() if h.status == "accepted" and self.in_period(h.accepted_at)]
        return median_days([h.accepted_at - h.created_at for h in accepted]), len(accepted)

    def return_rate(self) -> tuple[int, int]:
        created = [h for h in self.handoffs() if self.in_period(h.created_at)]
        return len(created), sum(h.return_count > 0 for h in created)

    def return_reasons(self) -> list[tuple[str, int]]:
        ids = {h.pk for h in self.handoffs()}
        counts: dict[str, int] = defaultdict(int)
        for activity in Activity.objects.filter(verb="returned"):
            if (
                activity.target_type.model == "handoff"
                and activity.target_id in ids
                and self.in_period(activity.created_at)
            ):
                counts[activity.message.strip().lower()] += 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    # --- delivery ------------------------------------------------------------------------------
    def projects(self) -> list[Project]:
        return [p for p in Project.objects.select_related("client", "pm", "sales_liaison") if self.project_ok(p)]

    def projects_by_status_health(self) -> list[dict]:
        rows = []
        for status, label in Project._meta.get_field("status").choices:
            row = {"status": status, "label": label}
            for health, _ in Project._meta.get_field("health").choices:
                row[health] = sum(p.status == status and p.health == health for p in self.projects())
            row["total"] = sum(p.status == status for p in self.projects())
            rows.append(row)
        return rows

    def overdue_deliverables(self) -> list[dict]:
        ok_projects = {p.pk for p in self.projects() if p.status in RUNNING}
        late = [
            d
            for d in Deliverable.objects.select_related("project", "project__client", "project__pm")
            if d.project_id in ok_projects and d.status in ("planned", "rejected") and d.due and d.due < self.today
        ]
        late.sort(key=lambda d: (d.due, d.pk))
        return [
            {
                "deliverable_id": d.pk,
                "deliverable": d.name,
                "project_id": d.project_id,
                "project": d.project.name,
                "client": d.project.client.name,
                "pm": name(d.project.pm),
                "due": d.due.isoformat(),
                "days_overdue": (self.today - d.due).days,
                "status": d.status,
            }
            for d in late
        ]

    # --- after the handoff ----------------------------------------------------------------------
    def open_change_requests(self) -> list[dict]:
        requests = [
            cr
            for cr in ChangeRequest.objects.select_related("project", "project__client")
            if cr.status == "proposed" and self.project_ok(cr.project)
        ]
        requests.sort(key=lambda cr: (-cr.cost_impact, cr.raised_at, cr.pk))
        return [
            {
                "change_request_id": cr.pk,
                "title": cr.title,
                "project_id": cr.project_id,
                "project": cr.project.name,
                "client": cr.project.client.name,
                "cost_impact": money(cr.cost_impact),
                "schedule_impact_days": cr.schedule_impact_days,
                "signatures": cr.approvals.count(),
                "raised": cr.raised_at.date().isoformat(),
            }
            for cr in requests
        ]

    def issue_ok(self, issue: ClientIssue) -> bool:
        f = self.f
        return (
            (not f.rep_id or issue.client.account_owner_id == f.rep_id)
            and (not f.client_id or issue.client_id == f.client_id)
            and (not f.pm_id or (issue.project is not None and issue.project.pm_id == f.pm_id))
        )

    def issues_by_severity(self) -> list[dict]:
        issues = [
            i
            for i in ClientIssue.objects.select_related("client", "project")
            if i.status in ("open", "in_progress") and self.issue_ok(i)
        ]
        rows = []
        for severity, label in reversed(ClientIssue._meta.get_field("severity").choices):
            row = {"severity": severity, "label": label}
            for status in ("open", "in_progress"):
                row[status] = sum(i.severity == severity and i.status == status for i in issues)
            row["total"] = row["open"] + row["in_progress"]
            rows.append(row)
        return rows

    def pulse_trend(self) -> list[dict]:
        pulses = [
            p
            for p in ClientPulse.objects.select_related("project")
            if self.project_ok(p.project) and self.in_period(p.recorded_at)
        ]
        rows = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            inside = [
                p
                for p in pulses
                if (timezone.localtime(p.recorded_at).year, timezone.localtime(p.recorded_at).month) == (year, month)
            ]

            def mean(values):
                if not values:
                    return None
                return str((Decimal(sum(values)) / len(values)).quantize(TENTH, rounding=ROUND_HALF_UP))

            rows.append(
                {
                    "month": f"{year:04d}-{month:02d}",
                    "pulses": len(inside),
                    "low_mood": sum(p.mood <= 2 for p in inside),
                    "mood": mean([p.mood for p in inside]),
                    "urgency": mean([p.urgency for p in inside]),
                    "satisfaction": mean([p.satisfaction for p in inside]),
                }
            )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return rows

    def follow_up_funnel(self) -> dict:
        raised = [
            f
            for f in FollowUp.objects.select_related("project", "offer")
            if self.project_ok(f.project) and self.in_period(f.raised_at)
        ]
        won = [f for f in raised if f.offer is not None and f.offer.status == "won"]
        converted = sum(f.status == "converted" for f in raised)
        return {
            "raised": len(raised),
            "raised_value": money(sum((f.estimated_value for f in raised), Decimal("0"))),
            "converted": converted,
            "dismissed": sum(f.status == "dismissed" for f in raised),
            "open": sum(f.status == "open" for f in raised),
            "conversion_percent": pct(converted, len(raised)),
            "won": len(won),
            "won_value": money(sum((f.offer.value or Decimal("0") for f in won), Decimal("0"))),
        }

    # --- risks ---------------------------------------------------------------------------------
    def heatmap(self) -> dict[tuple[int, int], tuple[int, int]]:
        open_offers = {o.pk for o in self.offers() if o.status in OPEN}
        running = {p.pk for p in self.projects() if p.status in RUNNING}
        cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        for risk in Risk.objects.all():
            if risk.offer_id in open_offers:
                cells[(risk.probability, risk.impact)][0] += 1
        for risk in ProjectRisk.objects.all():
            if risk.project_id in running and risk.status == "open":
                cells[(risk.probability, risk.impact)][1] += 1
        return {key: tuple(value) for key, value in cells.items()}

    # --- learning ------------------------------------------------------------------------------
    def estimated_projects(self) -> list[tuple[Project, Decimal]]:
        """Completed in the period, with a review estimate above zero and an effort that is tracked."""
        result = []
        for p in self.projects():
            if p.status != "completed" or not self.in_period(p.completed_at) or p.effort_not_tracked:
                continue
            reviews = [
                r
                for r in FeasibilityReview.objects.filter(offer_id=p.offer_id)
                if r.status == ReviewStatus.COMPLETED and r.effort_days is not None
            ]
            if not reviews:
                continue
            latest = max(
                reviews, key=lambda r: (r.completed_at or datetime.datetime.min.replace(tzinfo=datetime.UTC), r.pk)
            )
            if latest.effort_days > 0:
                result.append((p, latest.effort_days))
        return result

    def measured_projects(self) -> list[tuple[Project, Decimal]]:
        """Those with an actual effort: zero means nobody entered it."""
        return [(p, e) for p, e in self.estimated_projects() if p.actual_effort_days != 0]

    def effort_missing(self) -> list[dict]:
        rows = [
            {
                "project_id": p.pk,
                "project": p.name,
                "client": p.client.name,
                "pm": name(p.pm),
                "completed": timezone.localtime(p.completed_at).date().isoformat(),
                "estimated_days": str(e.quantize(TENTH)),
            }
            for p, e in self.estimated_projects()
            if p.actual_effort_days == 0
        ]
        return sorted(rows, key=lambda r: (r["completed"], r["project_id"]))

    @staticmethod
    def accuracy(items: list[tuple[Project, Decimal]]) -> dict:
        """From the definitions, in exact fractions of days, by another route than the metric's.

        Overrun: the actual total as a ratio of the estimated total, minus one. Mean error: the mean of
        each project's actual/estimate ratio's distance from one. Rounded half away from zero to a tenth.
        """
        ratios = [Fraction(p.actual_effort_days) / Fraction(e) for p, e in items]
        estimated = Fraction(0)
        actual = Fraction(0)
        for project, estimate in items:
            estimated += Fraction(estimate)
            actual += Fraction(project.actual_effort_days)
        return {
            "projects": len(items),
            "estimated_days": tenths_text(estimated),
            "actual_days": tenths_text(actual),
            "overrun_percent": tenths(100 * (actual / estimated - 1)) if estimated else None,
            "mean_error_percent": tenths(100 * sum(abs(r - 1) for r in ratios) / len(ratios)) if ratios else None,
        }

    def accuracy_by(self, attribute: str, id_name: str) -> list[dict]:
        groups = defaultdict(list)
        for project, estimate in self.measured_projects():
            groups[getattr(project, attribute)].append((project, estimate))
        rows = [{id_name: user.pk, "name": name(user), **self.accuracy(items)} for user, items in groups.items()]
        rows.sort(key=lambda r: (-r["projects"], r["name"]))
        return rows
