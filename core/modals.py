"""Modal forms: htmx loads the fragment into the page's dialog; a plain request gets it on a page of its own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_modal(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    crumbs: list[tuple[str, str]],
) -> HttpResponse:
    """``template`` as the dialog's content (htmx), or wrapped in the full layout with a title and breadcrumbs."""
    if request.htmx:
        return render(request, template, context)
    page = {**context, "modal_template": template, "page_title": title, "crumbs": crumbs}
    return render(request, "_modal_page.html", page)
