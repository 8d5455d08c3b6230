"""Every figure against a direct computation (tests/dashboards/oracle.py), on varied, empty and single-offer data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.filters import DashboardFilters
from dashboards.metrics import figures
from handoff.models import OfferStatus
from tests.dashboards.oracle import Oracle
from tests.dashboards.world import build_world, log_return, make_handoff, make_offer, make_project, make_review
from tests.factories import ClientFactory, RiskFactory

DAY = datetime.timedelta(days=1)


def compute(filters: DashboardFilters | None = None, now: datetime.datetime | None = None) -> figures.Computed:
    return figures.compute(filters or DashboardFilters(), now or timezone.now())


def assert_matches_oracle(computed: figures.Computed, oracle: Oracle) -> None:
    tables, data = computed.tables, computed.data
    figures = data["sections"]

    assert tables["pipeline_by_status"] == oracle.pipeline_by_status()
    assert tables["won_lost_by_month"] == oracle.won_lost_by_month()
    assert tables["pipeline_by_rep"] == oracle.pipeline_by_rep()
    assert tables["pipeline_by_client"] == oracle.pipeline_by_client()
    won, lost = oracle.win_rate()
    assert (figures["pipeline"]["win_rate"]["won"], figures["pipeline"]["win_rate"]["lost"]) == (won, lost)
    expected_rate = (
        None
        if won + lost == 0
        else float((Decimal(100 * won) / Decimal(won + lost)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP"))
    )
    assert figures["pipeline"]["win_rate"]["percent"] == expected_rate
    median, count = oracle.sales_cycle()
    assert figures["pipeline"]["sales_cycle"] == {"median_days": median, "offers": count}
    open_rows = oracle.pipeline_by_status()
    assert figures["pipeline"]["open"]["count"] == sum(row["count"] for row in open_rows)
    assert Decimal(figures["pipeline"]["open"]["value"]) == sum(Decimal(row["value"]) for row in open_rows)

    assert tables["pending_handoffs"] == oracle.pending_handoffs()
    median, count = oracle.time_to_accept()
    assert figures["handoffs"]["time_to_accept"] == {"median_days": median, "handoffs": count}
    total, returned = oracle.return_rate()
    assert figures["handoffs"]["return_rate"]["total"] == total
    assert figures["handoffs"]["return_rate"]["returned"] == returned
    assert [(row["reason"].lower(), row["count"]) for row in tables["return_reasons"]] == oracle.return_reasons()

    assert tables["projects_by_status_health"] == oracle.projects_by_status_health()
    assert tables["overdue_deliverables"] == oracle.overdue_deliverables()
    assert tables["open_change_requests"] == oracle.open_change_requests()
    changes = figures["delivery"]["open_change_requests"]
    assert changes["count"] == len(tables["open_change_requests"])
    assert Decimal(changes["cost_impact"]) == sum(Decimal(row["cost_impact"]) for row in oracle.open_change_requests())
    assert tables["issues_by_severity"] == oracle.issues_by_severity()
    assert figures["delivery"]["open_issues"]["total"] == sum(row["total"] for row in oracle.issues_by_severity())
    assert tables["pulse_trend"] == oracle.pulse_trend()
    assert figures["delivery"]["pulse"]["pulses"] == sum(row["pulses"] for row in oracle.pulse_trend())
    assert figures["learning"]["follow_ups"] == oracle.follow_up_funnel()

    cells = oracle.heatmap()
    for row in tables["risk_heatmap"]:
        on_offers, on_projects = cells.get((row["probability"], row["impact"]), (0, 0))
        assert (row["offer_risks"], row["project_risks"]) == (on_offers, on_projects), row
    assert figures["risks"]["total"] == sum(a + b for a, b in cells.values())

    assert tables["accuracy_by_rep"] == oracle.accuracy_by("sales_liaison", "rep_id")
    assert tables["accuracy_by_pm"] == oracle.accuracy_by("pm", "pm_id")
    assert figures["learning"]["accuracy"] == oracle.accuracy(oracle.measured_projects())
    assert tables["effort_missing"] == oracle.effort_missing()
    assert figures["learning"]["effort_missing"] == len(oracle.effort_missing())

    # The page shows the first rows of each table, and says how many there are.
    for name, rows in tables.items():
        assert data["tables"][name]["total"] == len(rows)
        assert data["tables"][name]["rows"] == rows[: len(data["tables"][name]["rows"])]


FILTER_CASES = ["none", "rep", "pm", "client", "period", "rep+client+period", "pm+period", "end only", "start only"]


def filters_for(case: str, world: dict) -> DashboardFilters:
    today = timezone.localdate(world["now"])
    period = {"start": today - 200 * DAY, "end": today - 20 * DAY}
    return {
        "none": DashboardFilters(),
        "rep": DashboardFilters(rep_id=world["reps"][0].pk),
        "pm": DashboardFilters(pm_id=world["pms"][1].pk),
        "client": DashboardFilters(client_id=world["clients"][2].pk),
        "period": DashboardFilters(**period),
        "rep+client+period": DashboardFilters(rep_id=world["reps"][1].pk, client_id=world["clients"][0].pk, **period),
        "pm+period": DashboardFilters(pm_id=world["pms"][0].pk, **period),
        "end only": DashboardFilters(end=today - 300 * DAY),
        "start only": DashboardFilters(start=today - 40 * DAY),
    }[case]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", FILTER_CASES)
def test_it_matches_a_direct_computation_on_varied_data(db, seed, case):
    world = build_world(seed)
    filters = filters_for(case, world)

    assert_matches_oracle(compute(filters, world["now"]), Oracle(filters, world["now"]))


def test_it_matches_a_direct_computation_on_empty_data(db):
    now = timezone.now()
    computed = compute(now=now)

    assert_matches_oracle(computed, Oracle(DashboardFilters(), now))
    pipeline = computed.data["sections"]["pipeline"]
    assert pipeline["open"] == {"count": 0, "value": "0.00", "weighted": "0.00"}
    assert pipeline["win_rate"]["percent"] is None
    assert pipeline["sales_cycle"] == {"median_days": None, "offers": 0}
    assert computed.data["sections"]["handoffs"]["return_rate"] == {"total": 0, "returned": 0, "percent": None}
    assert computed.data["sections"]["learning"]["accuracy"]["overrun_percent"] is None
    assert computed.tables["pipeline_by_rep"] == []
    assert len(computed.tables["won_lost_by_month"]) == 12


def test_it_computes_a_single_open_offer(rep):
    make_offer(
        client=ClientFactory(account_owner=rep),
        owner=rep,
        status=OfferStatus.SENT,
        value=Decimal("12500.00"),
        probability=60,
    )

    computed = compute()

    assert computed.data["sections"]["pipeline"]["open"] == {"count": 1, "value": "12500.00", "weighted": "7500.00"}
    assert computed.tables["pipeline_by_status"][2] == {
        "status": "sent",
        "label": "Sent",
        "count": 1,
        "value": "12500.00",
        "weighted": "7500.00",
    }
    assert computed.tables["pipeline_by_rep"] == [
        {
            "rep_id": rep.pk,
            "name": "Rita Rep",
            "open_count": 1,
            "open_value": "12500.00",
            "open_weighted": "7500.00",
            "won_count": 0,
            "won_value": "0.00",
            "lost_count": 0,
            "lost_value": "0.00",
            "win_rate_percent": None,
        }
    ]


def test_it_computes_a_single_won_offer(rep, pm):
    now = timezone.now()
    offer = make_offer(
        client=ClientFactory(account_owner=rep),
        owner=rep,
        status=OfferStatus.WON,
        value=Decimal("80000.00"),
        created_at=now - 30 * DAY,
        closed_at=now - 2 * DAY,
    )
    make_handoff(offer=offer, pm=pm, created_at=now - 2 * DAY, pending_since=now - 2 * DAY)

    computed = compute(now=now)

    pipeline = computed.data["sections"]["pipeline"]
    assert pipeline["win_rate"]["won"] == 1 and pipeline["win_rate"]["percent"] == 100.0
    assert pipeline["sales_cycle"] == {"median_days": 28.0, "offers": 1}
    assert pipeline["won_in_period"] == {"count": 1, "value": "80000.00"}
    assert computed.data["sections"]["handoffs"]["pending"]["count"] == 1
    assert_matches_oracle(computed, Oracle(DashboardFilters(), now))


def test_it_sums_money_to_the_cent_and_rounds_the_weighted_value_half_up(rep):
    client = ClientFactory(account_owner=rep)
    for _ in range(10):
        make_offer(client=client, owner=rep, value=Decimal("0.10"), probability=33)
    make_offer(client=client, owner=rep, value=Decimal("0.05"), probability=50)
    make_offer(client=client, owner=rep, value=None, probability=90)

    open_ = compute().data["sections"]["pipeline"]["open"]

    # 10 x 0.10 + 0.05 = 1.05; weighted 10 x 0.033 + 0.025 = 0.355 → 0.36.
    assert open_ == {"count": 12, "value": "1.05", "weighted": "0.36"}


def test_it_leaves_withdrawn_offers_out_of_the_win_rate(rep):
    client = ClientFactory(account_owner=rep)
    now = timezone.now()
    make_offer(client=client, owner=rep, status=OfferStatus.WON, closed_at=now - DAY)
    make_offer(client=client, owner=rep, status=OfferStatus.LOST, closed_at=now - DAY)
    make_offer(client=client, owner=rep, status=OfferStatus.WITHDRAWN, closed_at=now - DAY)

    assert compute(now=now).data["sections"]["pipeline"]["win_rate"]["percent"] == 50.0


def test_it_takes_the_win_rate_over_the_last_90_days_unless_a_period_is_chosen(rep):
    client = ClientFactory(account_owner=rep)
    now = timezone.now()
    make_offer(client=client, owner=rep, status=OfferStatus.WON, closed_at=now - 10 * DAY)
    make_offer(client=client, owner=rep, status=OfferStatus.LOST, closed_at=now - 100 * DAY)
    today = timezone.localdate(now)

    default = compute(now=now).data["sections"]["pipeline"]["win_rate"]
    chosen = compute(DashboardFilters(start=today - 120 * DAY, end=today), now).data["sections"]["pipeline"]["win_rate"]

    assert (default["won"], default["lost"], default["days"]) == (1, 0, 90)
    assert (chosen["won"], chosen["lost"], chosen["days"]) == (1, 1, None)


def test_it_counts_a_twice_returned_handoff_once_in_the_rate_and_twice_in_the_reasons(rep, pm):
    now = timezone.now()
    offer = make_offer(
        client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.WON, closed_at=now - 5 * DAY
    )
    handoff = make_handoff(offer=offer, pm=pm, created_at=now - 5 * DAY, return_count=2, status="returned")
    log_return(handoff, "Start date unrealistic", now - 4 * DAY)
    log_return(handoff, "Effort missing", now - 2 * DAY)
    other = make_offer(client=offer.client, owner=rep, status=OfferStatus.WON, closed_at=now - 5 * DAY)
    make_handoff(offer=other, pm=pm, created_at=now - 5 * DAY)

    computed = compute(now=now)

    assert computed.data["sections"]["handoffs"]["return_rate"] == {"total": 2, "returned": 1, "percent": 50.0}
    assert computed.data["sections"]["handoffs"]["returns_in_period"] == 2


def test_it_groups_return_reasons_whatever_their_case_and_surrounding_spaces(rep, pm):
    now = timezone.now()
    offer = make_offer(
        client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.WON, closed_at=now - 5 * DAY
    )
    handoff = make_handoff(offer=offer, pm=pm, created_at=now - 5 * DAY, return_count=3)
    for reason in ("Budget too small", "budget too small  ", "Scope unclear"):
        log_return(handoff, reason, now - DAY)

    reasons = compute(now=now).tables["return_reasons"]

    assert [(row["reason"].lower(), row["count"]) for row in reasons] == [("budget too small", 2), ("scope unclear", 1)]


def test_it_compares_the_latest_review_estimate_with_the_actual_effort(rep, pm):
    now = timezone.now()
    offer = make_offer(
        client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.WON, closed_at=now - 90 * DAY
    )
    make_review(offer=offer, reviewer=pm, effort_days=Decimal("10.0"), completed_at=now - 120 * DAY)
    make_review(offer=offer, reviewer=pm, effort_days=Decimal("40.0"), completed_at=now - 100 * DAY)
    handoff = make_handoff(offer=offer, pm=pm, status="accepted", created_at=now - 90 * DAY, accepted_at=now - 89 * DAY)
    make_project(handoff=handoff, status="completed", actual=Decimal("50.0"), completed_at=now - DAY)

    accuracy = compute(now=now).data["sections"]["learning"]["accuracy"]

    assert accuracy == {
        "projects": 1,
        "estimated_days": "40.0",
        "actual_days": "50.0",
        "overrun_percent": 25.0,
        "mean_error_percent": 25.0,
    }


def _completed_project(rep, pm, *, estimate: str, actual: str, not_tracked: bool = False, title: str = "Done"):
    now = timezone.now()
    offer = make_offer(
        client=ClientFactory(account_owner=rep),
        owner=rep,
        status=OfferStatus.WON,
        closed_at=now - 90 * DAY,
        title=title,
    )
    make_review(offer=offer, reviewer=pm, effort_days=Decimal(estimate), completed_at=now - 100 * DAY)
    handoff = make_handoff(offer=offer, pm=pm, status="accepted", created_at=now - 90 * DAY, accepted_at=now - 89 * DAY)
    return make_project(
        handoff=handoff,
        status="completed",
        actual=Decimal(actual),
        completed_at=now - DAY,
        effort_not_tracked=not_tracked,
    )


def test_it_leaves_projects_without_an_actual_effort_out_of_the_accuracy_and_lists_them(rep, pm):
    _completed_project(rep, pm, estimate="40.0", actual="50.0", title="Measured")
    missing = _completed_project(rep, pm, estimate="110.0", actual="0", title="Nobody entered it")

    computed = compute()
    learning = computed.data["sections"]["learning"]

    # Not "110 d estimated, 0.0 d actual, overrun -100 %": the missing one does not count.
    assert learning["accuracy"]["projects"] == 1
    assert learning["accuracy"]["overrun_percent"] == 25.0
    assert learning["effort_missing"] == 1
    assert [row["project_id"] for row in computed.tables["effort_missing"]] == [missing.pk]
    assert computed.tables["effort_missing"][0]["estimated_days"] == "110.0"
    assert [row["projects"] for row in computed.tables["accuracy_by_pm"]] == [1]


def test_it_leaves_projects_whose_effort_was_not_tracked_out_without_listing_them(rep, pm):
    _completed_project(rep, pm, estimate="110.0", actual="0", not_tracked=True)

    computed = compute()

    assert computed.data["sections"]["learning"]["accuracy"]["projects"] == 0
    assert computed.data["sections"]["learning"]["effort_missing"] == 0
    assert computed.tables["effort_missing"] == []


def test_it_fills_the_risk_heatmap_only_with_open_risks_of_open_offers(rep):
    client = ClientFactory(account_owner=rep)
    RiskFactory(offer=make_offer(client=client, owner=rep, status=OfferStatus.SENT), probability=2, impact=5)
    RiskFactory(offer=make_offer(client=client, owner=rep, status=OfferStatus.LOST), probability=2, impact=5)

    grid = compute().data["sections"]["risks"]["grid"]

    # Rows run from impact 5 down to 1, columns from probability 1 to 5.
    assert grid[0][1]["total"] == 1
    assert sum(cell["total"] for row in grid for cell in row) == 1


def test_it_shows_every_after_handoff_figure_as_zero_on_empty_data(db):
    sections = compute().data["sections"]

    assert sections["delivery"]["open_change_requests"] == {
        "count": 0,
        "cost_impact": "0.00",
        "schedule_impact_days": 0,
    }
    assert sections["delivery"]["open_issues"] == {"total": 0, "critical": 0, "high": 0, "medium": 0, "low": 0}
    assert sections["delivery"]["pulse"] == {"pulses": 0, "low_mood": 0, "latest_month_mood": None}
    assert sections["learning"]["follow_ups"]["conversion_percent"] is None
    assert sections["learning"]["follow_ups"]["won_value"] == "0.00"


@pytest.mark.parametrize("filters", [DashboardFilters(), "rep", "pm", "client"])
def test_it_computes_in_a_fixed_number_of_queries(rep, pm, filters):
    world = build_world(7, offers=1)
    if filters == "rep":
        filters = DashboardFilters(rep_id=world["reps"][0].pk)
    elif filters == "pm":
        filters = DashboardFilters(pm_id=world["pms"][0].pk)
    elif filters == "client":
        filters = DashboardFilters(client_id=world["clients"][0].pk)
    with CaptureQueriesContext(connection) as few:
        compute(filters)
    build_world(8, offers=50)
    with CaptureQueriesContext(connection) as many:
        compute(filters)

    assert len(many) == len(few)


def test_it_computes_every_figure_in_twenty_one_queries(db, django_assert_num_queries):
    build_world(9, offers=20)

    # 19 for the sections, 2 for the filter form's reps and PMs (22 with a client's name).
    with django_assert_num_queries(21):
        compute()


def test_it_takes_the_twelve_months_up_to_a_lone_end_date(db):
    period = compute(DashboardFilters(end=datetime.date(2024, 3, 10))).data["period"]

    assert period == {"start": "2023-04-01", "end": "2024-03-10", "chosen": True}
