"""The portal's own pages: each role's home page and the global search (header box and page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


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
    return render(request, "portal/home.html", context)


@require_GET
def search(request: HttpRequest):
    """Global search over clients, contacts, offers and projects: the header box's dropdown (htmx) or a page."""
    from django.shortcuts import render

    dropdown = bool(request.htmx and not request.htmx.boosted) or bool(request.GET.get("partial"))
    if not dropdown:
        return render(request, "portal/search.html", _search_context(request, limit=25))
    context = _search_context(request, limit=6)
    if not context["results"]:
        # Truly empty, so the header's dropdown (``:empty``) closes.
        return HttpResponse("")
    return render(request, "portal/_search_results.html", context | {"dropdown": True})


def _search_context(request: HttpRequest, *, limit: int) -> dict:
    from portal.search import MIN_QUERY_LENGTH, clean_query, global_search, has_results

    query = clean_query(request.GET.get("q"))
    results = global_search(user=request.user, query=query, limit=limit) if len(query) >= MIN_QUERY_LENGTH else None
    return {
        "query": query,
        "results": results,
        "found": has_results(results),
        "min_length": MIN_QUERY_LENGTH,
        "dropdown": False,
    }
