"""The client's address behind ``TRUSTED_PROXY_COUNT`` reverse proxies (issue 17).

Behind a load balancer every request comes from the proxy's address, so login lockouts (django-axes)
and API throttles (DRF) keyed on ``REMOTE_ADDR`` would lock out or throttle everyone at once. Each
proxy appends the address it received the request from to ``X-Forwarded-For``; only the last
``TRUSTED_PROXY_COUNT`` entries were written by proxies we run, anything before them is whatever
the client sent and is never trusted. With no proxy (the default, 0) the header is ignored.

DRF reads the same count as ``NUM_PROXIES`` (the same rule), axes calls ``client_ip``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if not forwarded:
        return remote
    # The entry the outermost trusted proxy wrote: the address that connected to it.
    return forwarded[-min(count, len(forwarded))]
