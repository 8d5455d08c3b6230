"""The plain Django mechanisms an A/B arm (bench/ab_settings.py) puts in place of the portal's own."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.backends import ModelBackend


class OrmUserBackend(ModelBackend):
    """``ModelBackend.get_user`` on the same queryset as the portal's backend, built by the ORM each time."""

    def get_user(self, user_id):
        from accounts import backends

        user = backends._users().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class PlainUrls(AppConfig):
    name = "bench.ab_plain"
    label = "ab_plain"
    default = True

    def ready(self) -> None:
        from django.templatetags.static import static
        from django.urls import reverse

        from core.templatetags import layout

        if hasattr(layout, "fixed_reverse"):
            layout.fixed_reverse = reverse
            layout.fixed_static_url = static
