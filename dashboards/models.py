from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The dashboard figures for one set of filters, computed at ``computed_at``.

    Aggregates over every offer are too slow to compute on each page view at
    100 000 offers, so a beat task (and, when it falls behind, the first reader)
    computes them here; readers never see a snapshot older than
    ``dashboards.selectors.MAX_AGE``. ``data`` holds what the page and the API
    show; ``tables`` the full rows behind every table, read only by the CSV
    export.
    """

    key = models.CharField(max_length=300, unique=True)
    filters = models.JSONField(default=dict)
    data = models.JSONField(default=dict)
    tables = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    # Touched at most once a minute by readers: the beat keeps only recently read keys warm.
    last_read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        indexes = [models.Index(fields=["last_read_at"], name="dash_snapshot_read_idx")]

    def __str__(self) -> str:
        return self.key or "all"
