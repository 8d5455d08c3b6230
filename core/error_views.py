"""The portal's 403 and 404 pages (``handler403`` / ``handler404`` in config/urls.py).

They use the portal's layout with a way back: the previous page when it was one
of ours, else the home page. Under /api/ the answer stays JSON.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def _back_url(request: HttpRequest) -> str | None:
    """The page the user came from, when it is on this site and not the page that failed."""
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    if referer == request.build_absolute_uri():
        return None
    return referer


def _render(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    body = loader.get_template(template).render({"back_url": _back_url(request), **context}, request)
    return HttpResponse(body, status=status)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    # Our PermissionDenied messages are written for users ("The dashboards are for managers, …").
    return _render(request, "403.html", 403, exception=str(exception or ""))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The message of an Http404 is left out: it names models and lookups, not what the user did."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return _render(request, "404.html", 404)
