"""htmx helpers shared by every app's views: one place decides "fragment or page" and "how to redirect".

A request is answered with a fragment when htmx asked for one and did not boost the link (a boosted
link wants the whole page). Every response varies on ``HX-Request`` (``core.middleware.VaryOnHtmxMiddleware``),
so a cache never serves a fragment for a page or the other way round.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect


def is_fragment(request: HttpRequest) -> bool:
    """True when htmx asked for a part of a page (not a boosted navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def redirect_after(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: htmx follows ``HX-Redirect``; a plain form post gets a 302 (PRG)."""
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def render_page_or_fragment(
    request: HttpRequest,
    page_template: str,
    fragment_template: str,
    context: dict[str, Any],
    *,
    status: int | None = None,
) -> HttpResponse:
    """The fragment for an htmx swap, the whole page otherwise."""
    template = fragment_template if is_fragment(request) else page_template
    return render(request, template, context, status=status)


PANEL_PAGE = "_panel_page.html"


def render_panel(
    request: HttpRequest, template: str, context: dict[str, Any], *, title: str, back: tuple[str, str]
) -> HttpResponse:
    """A section another page loads with hx-get (``_deferred_section.html``): the fragment for htmx; a page of its
    own otherwise (the placeholder's link, without JavaScript), titled ``title`` with a way ``back`` (label, URL)."""
    page = {"panel_template": template, "page_title": title, "back_label": back[0], "back_url": back[1]}
    return render_page_or_fragment(request, PANEL_PAGE, template, context | page)
