"""Permission-scoped reads: a user sees their own in-app notifications, nobody else's."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery

from notifications.events import Event
from notifications.models import Channel, Notification, NotificationPreference


def inbox_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    notifications = Notification.objects.filter(recipient=user, channel=Channel.IN_APP).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


# The badge shows "99+" beyond this: counting further would only cost time for users with a full inbox.
UNREAD_COUNT_CAP = 100
# Where ``accounts.backends.PortalBackend`` puts the count it loads with the signed-in user.
UNREAD_ANNOTATION = "unread_notifications_at_load"


def _unread_ids(recipient: Any) -> QuerySet[Notification]:
    """The ids of the recipient's unread in-app notifications, as many as the badge counts."""
    unread = Notification.objects.filter(recipient=recipient, channel=Channel.IN_APP, read_at__isnull=True)
    return unread.order_by().values("pk")[:UNREAD_COUNT_CAP]


class _CountOf(Subquery):
    """COUNT(*) over a (sliced) subquery: ``Count`` cannot count a LIMITed set."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def unread_count_subquery() -> Subquery:
    """The capped unread count as an expression over a user queryset (uses notification_unread_idx)."""
    return _CountOf(_unread_ids(OuterRef("pk")))


def unread_count(*, user: Any) -> int:
    """How many unread in-app notifications ``user`` has, up to ``UNREAD_COUNT_CAP``.

    The count loaded with the request's user is used when there is one (no query); it is the
    count as the request began, which is what a page shows next to what it rendered.
    """
    if not getattr(user, "is_authenticated", False):
        return 0
    loaded = getattr(user, UNREAD_ANNOTATION, None)
    if loaded is not None:
        return loaded
    return _unread_ids(user).count()


def email_preferences_for(*, user: Any) -> list[tuple[Event, bool]]:
    """Every event type with whether ``user`` gets e-mail for it (on unless turned off)."""
    off = set(NotificationPreference.objects.filter(user=user, email_enabled=False).values_list("event", flat=True))
    return [(event, event.value not in off) for event in Event]
