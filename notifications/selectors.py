"""Permission-scoped reads: a user sees their own in-app notifications, nobody else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from notifications.events import Event
from notifications.models import Channel, Notification, NotificationPreference


def inbox_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    notifications = Notification.objects.filter(recipient=user, channel=Channel.IN_APP).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()


def email_preferences_for(*, user: Any) -> list[tuple[Event, bool]]:
    """Every event type with whether ``user`` gets e-mail for it (on unless turned off)."""
    off = set(NotificationPreference.objects.filter(user=user, email_enabled=False).values_list("event", flat=True))
    return [(event, event.value not in off) for event in Event]
