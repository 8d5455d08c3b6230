"""The inbox badge's unread count on every page (the layout's header shows it)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def inbox(request: HttpRequest) -> dict:
    """``inbox_unread``: counted only when a template shows it, and then without a query for a user
    loaded by ``accounts.backends.PortalBackend`` (the count comes with the user, see notifications.apps)."""
    user = getattr(request, "user", None)
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user=user))}
