from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def _check_workers() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    from config.celery_app import app

    try:
        replies = app.control.ping(timeout=0.5)
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": bool(replies), "count": len(replies)}


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and worker reachability; 503 only when the database is down.

    The portal keeps working without the broker (notifications wait for the
    sweep), so a broker or worker outage is reported but is not a 503.
    """
    database = _check_database()
    broker = _check_broker()
    workers = _check_workers() if broker["ok"] else {"ok": False, "error": "broker unreachable"}
    body = {"status": "ok" if database["ok"] else "error", "database": database, "broker": broker, "workers": workers}
    return JsonResponse(body, status=200 if database["ok"] else 503)


def home(request: HttpRequest):
    """Each role's start page: what waits on this user (filled by the apps' selectors)."""
    from django.shortcuts import render

    return render(request, "core/home.html", {})


def search(request: HttpRequest):
    """Global search over clients, contacts, offers and projects (header box, as you type)."""
    from django.shortcuts import render

    from core.search import global_search

    query = request.GET.get("q", "").strip()[:100]
    results = global_search(user=request.user, query=query) if len(query) >= 2 else None
    template = "core/_search_results.html" if request.htmx or request.GET.get("partial") else "core/search.html"
    return render(request, template, {"query": query, "results": results})
