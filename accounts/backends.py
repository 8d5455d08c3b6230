"""How the signed-in user is loaded on every request: one query for the user, their roles and their unread count.

Django's ``ModelBackend`` loads the user (one query); the portal's layout then needs the user's roles
(the nav, every permission check) and the inbox badge's unread count, a query each on every page.
This backend loads all three in the user's own query, so a signed-in page starts with two queries
(session, user) instead of four. Nothing is kept between requests: a role taken away or a
notification read counts from the very next request.

The query is an ordinary ORM query. Compiling its SQL once per process and running it raw saved
less than the 20% the home-made speed-ups must earn (bench/results/, README "Performance").
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from accounts.models import User
from notifications.selectors import UNREAD_ANNOTATION, unread_count_subquery


def _users():
    return User._default_manager.with_roles().annotate(**{UNREAD_ANNOTATION: unread_count_subquery()}).order_by()


def load_user(user_id) -> User | None:
    """The user with ``user.roles`` and the unread count already loaded, or None."""
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:  # a malformed id in a session is no user, as with ModelBackend
        return None
    try:
        return _users().get(pk=user_id)
    except User.DoesNotExist:
        return None


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
