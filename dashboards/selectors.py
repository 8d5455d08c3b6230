"""Who sees which dashboard, and reading its figures (from a snapshot never older than MAX_AGE)."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext

from accounts.roles import Role
from dashboards import services
from dashboards.filters import DashboardFilters
from dashboards.models import DashboardSnapshot

# The figures shown are never older than this (issue 6).
MAX_AGE = datetime.timedelta(seconds=60)
# A worker process serves the snapshot it last read, without a query, for this long; then it asks the
# database for the newest (the beat computes one every 30 s). Never beyond MAX_AGE either way.
REUSE_FOR = datetime.timedelta(seconds=10)
MARK_READ_EVERY = datetime.timedelta(minutes=1)

MANAGER, SALES, PM = "manager", "sales", "pm"


def dashboard_views(user: Any) -> list[str]:
    """The dashboards ``user`` may open: managers the whole company's, reps and PMs their own."""
    if not getattr(user, "is_authenticated", False):
        return []
    # Superusers administer the installation: they see what a manager sees.
    if user.has_role(Role.MANAGER) or user.is_superuser:
        return [MANAGER]
    return [view for view, role in ((SALES, Role.SALES), (PM, Role.PM)) if user.has_role(role)]


def dashboard_view_for(user: Any, requested: str = "") -> tuple[str, list[str]]:
    """The dashboard shown to ``user`` (the ``requested`` one when they may open it) and all they may open.

    Raises PermissionDenied for users with no dashboard (no role).
    """
    views = dashboard_views(user)
    if not views:
        raise PermissionDenied(gettext("The dashboards are for managers, sales reps and project managers."))
    return (requested if requested in views else views[0]), views


def dashboard_scope(*, user: Any, filters: DashboardFilters, view: str = "") -> tuple[str, DashboardFilters]:
    """The view shown and its effective filters: a rep's or PM's own figures are the same code, filtered to them.

    ``view`` picks between a user's own sales and PM dashboards when they hold
    both roles. Raises PermissionDenied for users with no dashboard.
    """
    views = dashboard_views(user)
    if not views:
        raise PermissionDenied(gettext("The dashboards are for managers, sales reps and project managers."))
    chosen = view if view in views else views[0]
    if chosen == SALES:
        return chosen, filters.replace(rep_id=user.pk, pm_id=None)
    if chosen == PM:
        return chosen, filters.replace(pm_id=user.pk, rep_id=None)
    return chosen, filters


class _RecentSnapshots:
    """The snapshots this worker process read last (without their ``tables``), by key.

    Reading and decoding the figures costs more than the rest of the page, and a
    snapshot never changes: a process serves the one it read less than
    REUSE_FOR ago with no query at all, as long as it is within MAX_AGE.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[str, tuple[DashboardSnapshot, datetime.datetime]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, now: datetime.datetime) -> DashboardSnapshot | None:
        with self.lock:
            entry = self.items.get(key)
        if entry is None:
            return None
        snapshot, read_at = entry
        if read_at < now - REUSE_FOR or snapshot.computed_at < now - MAX_AGE:
            return None
        return snapshot

    def put(self, snapshot: DashboardSnapshot, read_at: datetime.datetime) -> DashboardSnapshot:
        light = DashboardSnapshot(
            pk=snapshot.pk,
            key=snapshot.key,
            filters=snapshot.filters,
            data=snapshot.data,
            computed_at=snapshot.computed_at,
            duration_ms=snapshot.duration_ms,
        )
        with self.lock:
            self.items[snapshot.key] = (light, read_at)
            self.items.move_to_end(snapshot.key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return light

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


recent_snapshots = _RecentSnapshots()


def dashboard_snapshot(*, filters: DashboardFilters, with_tables: bool = False) -> DashboardSnapshot:
    """The figures for the (already scoped) ``filters``, never older than MAX_AGE.

    No query while this process read the snapshot less than REUSE_FOR ago;
    else one query for the stored snapshot, recomputed first when it is older
    than MAX_AGE (the beat normally refreshes it every 30 s). ``tables`` (every row,
    for the CSV export) is loaded only on request, from the database.
    """
    now = timezone.now()
    if not with_tables and (cached := recent_snapshots.get(filters.key, now)) is not None:
        return cached
    snapshots = DashboardSnapshot.objects.all() if with_tables else DashboardSnapshot.objects.defer("tables")
    snapshot = snapshots.filter(key=filters.key).first()
    if snapshot is None or snapshot.computed_at < now - MAX_AGE:
        snapshot = services.snapshot_refresh(filters=filters, fresher_than=MAX_AGE)
    else:
        services.snapshot_mark_read(snapshot=snapshot, every=MARK_READ_EVERY)
    if with_tables:
        return snapshot
    return recent_snapshots.put(snapshot, now)
