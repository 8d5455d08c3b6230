"""Writing and reading the append-only activity log."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import Activity


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the change record."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _activity(
    *, actor: Any, verb: str, target: models.Model, changes: dict[str, tuple[Any, Any]] | None, message: str
) -> Activity:
    is_user = getattr(actor, "is_authenticated", False)
    return Activity(
        actor=actor if is_user else None,
        # A non-user actor (projects.actors.ClientActor) names itself.
        actor_label="" if is_user else str(getattr(actor, "activity_label", "") or "")[:200],
        verb=verb,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        changes={field: [_plain(old), _plain(new)] for field, (old, new) in (changes or {}).items()},
        message=message[:500],
    )


def log_activity(
    *,
    actor: Any,
    verb: str,
    target: models.Model,
    changes: dict[str, tuple[Any, Any]] | None = None,
    message: str = "",
) -> Activity:
    activity = _activity(actor=actor, verb=verb, target=target, changes=changes, message=message)
    activity.save()
    return activity


def log_activities(*, actor: Any, entries: Iterable[tuple[str, models.Model, dict[str, tuple[Any, Any]]]]) -> None:
    """Many ``log_activity`` rows of one actor in one INSERT: ``(verb, target, changes)`` each (a bulk service's log)."""
    activities = [
        _activity(actor=actor, verb=verb, target=target, changes=changes, message="")
        for verb, target, changes in entries
    ]
    Activity.objects.bulk_create(activities, batch_size=2000)


def apply_changes(instance: models.Model, data: dict[str, Any], fields: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    """Set ``fields`` of ``instance`` from ``data`` and return what actually changed."""
    changes: dict[str, tuple[Any, Any]] = {}
    for field in fields:
        if field not in data:
            continue
        old = getattr(instance, field)
        new = data[field]
        if old != new:
            changes[field] = (old, new)
            setattr(instance, field, new)
    return changes


def activity_for(target: models.Model, *, limit: int = 50) -> list[Activity]:
    return list(
        Activity.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
