"""The plain user load an A/B arm (``AB_PLAIN_USER=1``, bench/ab_settings.py) puts in place of the portal's."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class OrmUserBackend(ModelBackend):
    """``ModelBackend.get_user`` on the same queryset as the portal's backend, built by the ORM each time."""

    def get_user(self, user_id):
        from accounts import backends

        user = backends._users().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
