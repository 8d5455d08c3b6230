"""Precomputed figures: never more than 60 seconds behind, refreshed by the beat, reused without queries."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from dashboards import services
from dashboards.filters import DashboardFilters
from dashboards.models import DashboardSnapshot
from dashboards.selectors import MAX_AGE, REUSE_FOR, dashboard_snapshot, recent_snapshots
from dashboards.tasks import refresh_dashboards
from handoff.models import OfferStatus
from tests.dashboards.world import make_offer
from tests.factories import ClientFactory

SECOND = datetime.timedelta(seconds=1)


def open_count(snapshot: DashboardSnapshot) -> int:
    return snapshot.data["sections"]["pipeline"]["open"]["count"]


def age(snapshot_key: str, seconds: float) -> None:
    """Pretend the stored snapshot was computed ``seconds`` ago."""
    DashboardSnapshot.objects.filter(key=snapshot_key).update(
        computed_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )
    recent_snapshots.clear()


def test_it_computes_the_snapshot_on_first_read(rep):
    make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.SENT)

    snapshot = dashboard_snapshot(filters=DashboardFilters())

    assert open_count(snapshot) == 1
    assert DashboardSnapshot.objects.get(key="").computed_at == snapshot.computed_at
    assert snapshot.data["as_of"] == snapshot.computed_at.isoformat()


def test_it_shows_a_snapshot_younger_than_60_seconds_as_it_is(rep):
    client = ClientFactory(account_owner=rep)
    first = dashboard_snapshot(filters=DashboardFilters())
    make_offer(client=client, owner=rep, status=OfferStatus.SENT)
    age("", 59)

    again = dashboard_snapshot(filters=DashboardFilters())

    assert open_count(again) == open_count(first) == 0


def test_it_recomputes_a_snapshot_older_than_60_seconds_before_showing_it(rep):
    client = ClientFactory(account_owner=rep)
    dashboard_snapshot(filters=DashboardFilters())
    make_offer(client=client, owner=rep, status=OfferStatus.SENT)
    age("", 61)

    again = dashboard_snapshot(filters=DashboardFilters())

    assert open_count(again) == 1
    assert timezone.now() - again.computed_at < 5 * SECOND
    assert datetime.timedelta(seconds=60) == MAX_AGE


def test_it_reuses_the_process_copy_without_a_query_for_10_seconds(db, django_assert_num_queries):
    dashboard_snapshot(filters=DashboardFilters())

    with django_assert_num_queries(0):
        dashboard_snapshot(filters=DashboardFilters())
    assert datetime.timedelta(seconds=10) == REUSE_FOR


def test_it_asks_the_database_again_once_the_process_copy_was_read_10_seconds_ago(db, django_assert_num_queries):
    dashboard_snapshot(filters=DashboardFilters())
    snapshot, read_at = recent_snapshots.items[""]
    recent_snapshots.items[""] = (snapshot, read_at - 11 * SECOND)

    with django_assert_num_queries(1):
        dashboard_snapshot(filters=DashboardFilters())


def test_it_never_serves_a_process_copy_older_than_60_seconds(rep):
    dashboard_snapshot(filters=DashboardFilters())
    make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.SENT)
    age("", 61)
    stored = DashboardSnapshot.objects.get(key="")
    recent_snapshots.put(stored, timezone.now())  # read a moment ago, but computed 61 s ago

    fresh = dashboard_snapshot(filters=DashboardFilters())

    assert open_count(fresh) == 1
    assert timezone.now() - fresh.computed_at < 5 * SECOND


def test_it_keeps_one_snapshot_per_filter_set(rep):
    dashboard_snapshot(filters=DashboardFilters())
    dashboard_snapshot(filters=DashboardFilters(rep_id=rep.pk))
    dashboard_snapshot(filters=DashboardFilters(rep_id=rep.pk))

    assert sorted(DashboardSnapshot.objects.values_list("key", flat=True)) == ["", f"rep={rep.pk}"]


def test_it_does_not_recompute_what_another_reader_refreshed_meanwhile(db):
    dashboard_snapshot(filters=DashboardFilters())
    stored = DashboardSnapshot.objects.get(key="")

    again = services.snapshot_refresh(filters=DashboardFilters(), fresher_than=MAX_AGE)

    assert again.computed_at == stored.computed_at


def test_the_beat_refreshes_the_unfiltered_and_the_recently_read_snapshots(rep):
    dashboard_snapshot(filters=DashboardFilters(rep_id=rep.pk))
    age(f"rep={rep.pk}", 40)
    make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.SENT)

    refreshed = refresh_dashboards()

    assert refreshed == 2
    assert open_count(DashboardSnapshot.objects.get(key="")) == 1
    assert open_count(DashboardSnapshot.objects.get(key=f"rep={rep.pk}")) == 1


def test_the_beat_forgets_snapshots_nobody_read_for_a_day(rep):
    dashboard_snapshot(filters=DashboardFilters(rep_id=rep.pk))
    DashboardSnapshot.objects.update(last_read_at=timezone.now() - datetime.timedelta(days=2))

    refresh_dashboards()

    assert list(DashboardSnapshot.objects.values_list("key", flat=True)) == [""]


def test_the_beat_runs_every_30_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-refresh"]

    assert entry == {"task": "dashboards.tasks.refresh_dashboards", "schedule": 30.0}


def test_it_marks_a_snapshot_read_at_most_once_a_minute(db, django_assert_num_queries):
    dashboard_snapshot(filters=DashboardFilters())
    DashboardSnapshot.objects.update(last_read_at=timezone.now() - datetime.timedelta(minutes=5))
    recent_snapshots.clear()

    with django_assert_num_queries(2):  # read, then mark
        dashboard_snapshot(filters=DashboardFilters())
    recent_snapshots.clear()
    with django_assert_num_queries(1):
        dashboard_snapshot(filters=DashboardFilters())
