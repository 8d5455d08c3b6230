"""Optimistic concurrency: every editable aggregate carries a ``version``.

A writer sends the version it read; the service locks the row, compares and
raises ``StaleVersion`` (409 in the API, a form error with the newer values in
the UI) when someone saved in between. Never a silent overwrite.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.errors import StaleVersion

M = TypeVar("M", bound=models.Model)


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


def lock_for_edit(queryset: models.QuerySet[M], *, pk: int, expected_version: int | None) -> M:
    """Lock the row and check the caller saw its latest version."""
    if expected_version is None:
        raise ValidationError({"version": _("The version you edited is required.")})
    instance = queryset.select_for_update().get(pk=pk)
    if instance.version != expected_version:
        raise StaleVersion(instance)
    return instance


def bump_version(instance: VersionedModel) -> None:
    instance.version += 1
