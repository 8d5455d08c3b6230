"""Writes of the dashboards app: computing and storing snapshots of the figures."""

from __future__ import annotations

import datetime
import logging
import time

from django.db import transaction
from django.utils import timezone

from dashboards.filters import DashboardFilters
from dashboards.metrics import figures
from dashboards.models import DashboardSnapshot

logger = logging.getLogger(__name__)

NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# The beat keeps the snapshots read in this window fresh; older ones refresh when next read.
KEEP_WARM = datetime.timedelta(minutes=10)
# Snapshots nobody read for this long are deleted (the unfiltered one is kept).
FORGET_AFTER = datetime.timedelta(days=1)
# How many filtered snapshots one beat run refreshes at most, and for how long.
WARM_LIMIT = 50
WARM_BUDGET_SECONDS = 20.0


@transaction.atomic
def snapshot_refresh(*, filters: DashboardFilters, fresher_than: datetime.timedelta | None = None) -> DashboardSnapshot:
    """Compute the figures for ``filters`` now and store them.

    The snapshot row is locked while computing, so concurrent readers that find
    it stale wait for one computation instead of each running their own; with
    ``fresher_than``, a snapshot that someone refreshed while we waited for the
    lock is returned as it is.
    """
    now = timezone.now()
    DashboardSnapshot.objects.bulk_create(
        [DashboardSnapshot(key=filters.key, filters=filters.as_dict(), computed_at=NEVER, last_read_at=now)],
        ignore_conflicts=True,
    )
    snapshot = DashboardSnapshot.objects.select_for_update().only("id", "computed_at").get(key=filters.key)
    if fresher_than is not None and snapshot.computed_at > timezone.now() - fresher_than:
        return DashboardSnapshot.objects.defer("tables").get(pk=snapshot.pk)
    started = timezone.now()
    clock = time.monotonic()
    computed = figures.compute(filters, started)
    snapshot.filters = filters.as_dict()
    snapshot.data = computed.data
    snapshot.tables = computed.tables
    snapshot.computed_at = started
    snapshot.duration_ms = round((time.monotonic() - clock) * 1000)
    snapshot.save(update_fields=["filters", "data", "tables", "computed_at", "duration_ms"])
    logger.info("dashboard snapshot %r computed in %d ms", filters.key or "all", snapshot.duration_ms)
    return snapshot


def snapshot_mark_read(*, snapshot: DashboardSnapshot, every: datetime.timedelta) -> None:
    """Remember that someone reads this snapshot (at most once per ``every``: no write on every page view)."""
    now = timezone.now()
    if snapshot.last_read_at < now - every:
        DashboardSnapshot.objects.filter(pk=snapshot.pk, last_read_at__lt=now - every).update(last_read_at=now)


def snapshots_refresh_warm() -> int:
    """The beat's job: refresh the unfiltered snapshot and the recently read ones, forget the unread ones."""
    now = timezone.now()
    DashboardSnapshot.objects.filter(last_read_at__lt=now - FORGET_AFTER).exclude(key="").delete()
    refreshed = 0
    deadline = time.monotonic() + WARM_BUDGET_SECONDS
    snapshot_refresh(filters=DashboardFilters(), fresher_than=datetime.timedelta(seconds=10))
    refreshed += 1
    warm = (
        DashboardSnapshot.objects.filter(last_read_at__gte=now - KEEP_WARM)
        .exclude(key="")
        .order_by("-last_read_at")
        .values_list("filters", flat=True)[:WARM_LIMIT]
    )
    for filters in warm:
        if time.monotonic() > deadline:
            logger.warning("dashboard refresh ran out of time after %d snapshots", refreshed)
            break
        snapshot_refresh(filters=DashboardFilters.from_dict(filters), fresher_than=datetime.timedelta(seconds=10))
        refreshed += 1
    return refreshed
