"""The plain Django mechanisms an A/B arm (bench/ab_settings.py) puts in place of the portal's own."""

from __future__ import annotations

from django.apps import AppConfig


class PlainUrls(AppConfig):
    name = "bench.ab_plain"
    label = "ab_plain"
    default = True

    def ready(self) -> None:
        from django.templatetags.static import static
        from django.urls import reverse

        try:
            from core.templatetags import layout
        except ImportError:  # core.fixed_urls is gone: the layout already uses {% url %} and {% static %}
            return
        layout.fixed_reverse = reverse
        layout.fixed_static_url = static
