from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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


_broker_clients: dict[str, object] = {}


def _check_broker() -> dict:
    """PING the broker with a one-second timeout, on a client kept per process (not a new connection per probe)."""
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    import redis

    try:
        client = _broker_clients.get(settings.REDIS_URL)
        if client is None:
            client = _broker_clients[settings.REDIS_URL] = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
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
def healthz_live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, no Redis (a probe must not add load or fail with them)."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def healthz_ready(request: HttpRequest) -> JsonResponse:
    """Readiness for the load balancer: the database answers (else 503); the broker's PING is reported.

    A broker outage is not a 503: the portal keeps working without it (e-mails wait for the sweep),
    and taking every replica out of the load balancer for it would turn it into an outage.
    """
    database = _check_database()
    broker = _check_broker()
    body = {"status": "ok" if database["ok"] else "error", "database": database, "broker": broker}
    return JsonResponse(body, status=200 if database["ok"] else 503)


HEALTHZ_TOKEN_HEADER = "X-Healthz-Token"  # noqa: S105 - a header name
HEALTHZ_RATE = 30  # detailed checks per client and minute


def _may_see_diagnostics(request: HttpRequest) -> bool:
    import hmac

    token = settings.HEALTHZ_TOKEN
    given = request.headers.get(HEALTHZ_TOKEN_HEADER, "")
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    return bool(getattr(request.user, "is_manager", False))


def _over_rate(request: HttpRequest) -> bool:
    """At most HEALTHZ_RATE detailed checks per client address and minute (the shared cache counts)."""
    from core import ratelimit
    from core.proxy import client_ip

    return ratelimit.hit(f"healthz:{client_ip(request)}", limit=HEALTHZ_RATE, window=60) is not None


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Diagnostics for people and monitoring: database, broker and workers (a broadcast ping, 0.5 s).

    For managers, or with the ``X-Healthz-Token`` header matching HEALTHZ_TOKEN; rate-limited.
    503 only when the database is down: the portal keeps working without the broker (notifications
    wait for the sweep), so a broker or worker outage is reported but is not a 503. Load balancers
    probe ``/healthz/live`` and ``/healthz/ready`` instead.
    """
    if not _may_see_diagnostics(request):
        return JsonResponse({"detail": "Managers only, or the X-Healthz-Token header."}, status=403)
    if _over_rate(request):
        return JsonResponse({"detail": "Too many health checks; try again in a minute."}, status=429)
    database = _check_database()
    broker = _check_broker()
    workers = _check_workers() if broker["ok"] else {"ok": False, "error": "broker unreachable"}
    body = {"status": "ok" if database["ok"] else "error", "database": database, "broker": broker, "workers": workers}
    return JsonResponse(body, status=200 if database["ok"] else 503)


@require_GET
def home(request: HttpRequest):
    """Each role's start page: what waits on this user, a fixed handful of queries per role.

    A rep: their open offers, drafts back from review, drafts not ready to send,
    handoffs returned to them. A PM: their open review requests and pending
    handoffs (theirs or unassigned). A manager: the open pipeline by status.
    """
    from django.shortcuts import render

    from handoff.selectors import pipeline_summary, pm_home, rep_home
    from projects.selectors import follow_ups_awaiting

    user = request.user
    context: dict = {}
    if user.is_sales:
        context["rep"] = rep_home(user=user)
        # Follow-up business heard of on the projects of the rep's clients: theirs to convert or dismiss.
        context["follow_ups"] = follow_ups_awaiting(user=user)
        # Promises to the client at risk or broken on the projects the rep is sales liaison of.
        from projects.services.deliverables import troubled_commitments_for_liaison

        context["troubled_commitments"] = list(troubled_commitments_for_liaison(user=user)[:50])
    if user.is_pm:
        context["pm"] = pm_home(user=user)
    # Action items from project meetings that this user owns and has not ticked off (any role may own one).
    from projects.selectors import open_action_items
    from projects.views.meetings import action_items_for_home

    context["action_items"] = action_items_for_home(open_action_items(user=user))
    if user.is_manager:
        pipeline = pipeline_summary(user=user)
        context["pipeline"] = pipeline
        context["pipeline_total"] = {
            "count": sum(row.count for row in pipeline),
            "value": sum(row.value for row in pipeline),
            "weighted": sum(row.weighted for row in pipeline),
        }
    return render(request, "core/home.html", context)


@require_GET
def search(request: HttpRequest):
    """Global search over clients, contacts, offers and projects: the header box's dropdown (htmx) or a page."""
    from django.shortcuts import render

    dropdown = bool(request.htmx and not request.htmx.boosted) or bool(request.GET.get("partial"))
    if not dropdown:
        return render(request, "core/search.html", _search_context(request, limit=25))
    context = _search_context(request, limit=6)
    if not context["results"]:
        # Truly empty, so the header's dropdown (``:empty``) closes.
        return HttpResponse("")
    return render(request, "core/_search_results.html", context | {"dropdown": True})


def _search_context(request: HttpRequest, *, limit: int) -> dict:
    from core.search import MIN_QUERY_LENGTH, clean_query, global_search, has_results

    query = clean_query(request.GET.get("q"))
    results = global_search(user=request.user, query=query, limit=limit) if len(query) >= MIN_QUERY_LENGTH else None
    return {
        "query": query,
        "results": results,
        "found": has_results(results),
        "min_length": MIN_QUERY_LENGTH,
        "dropdown": False,
    }
