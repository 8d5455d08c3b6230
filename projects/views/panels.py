"""Sections of the client and offer pages that belong to projects, served here and loaded by those
pages with ``hx-get`` (README, "Architecture": clients and handoff sit below projects and may not
import it). An htmx request gets the section; a plain GET (the placeholder's link, without
JavaScript) gets it on a page of its own. Each answers in a fixed number of queries (pinned in tests).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from clients.models import Client
from clients.selectors import OpenItem, clients_visible_to
from core.htmx import render_panel
from handoff.models import Offer
from handoff.selectors import offers_visible_to
from projects.models import FollowUp
from projects.selectors import lessons_for_client, projects_visible_to
from projects.services.projects import CLOSED_STATUSES
from projects.views.pulses import client_pulse_context


def _client(request: HttpRequest, pk: int) -> Client:
    client = clients_visible_to(request.user).filter(pk=pk).only("id", "name").first()
    if client is None:
        raise Http404("No such client")
    return client


def _offer(request: HttpRequest, pk: int) -> Offer:
    offer = offers_visible_to(request.user).filter(pk=pk).only("id", "title").first()
    if offer is None:
        raise Http404("No such offer")
    return offer


@require_GET
def client_pulse_panel_view(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client page's pulse trend over all the client's projects."""
    client = _client(request, client_pk)
    context = client_pulse_context(request, client)
    return render_panel(
        request,
        "projects/_pulse_client.html",
        context,
        title=gettext("Client pulse"),
        back=(client.name, client.get_absolute_url()),
    )


@require_GET
def client_projects_panel_view(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client page's projects, with how many are in progress."""
    client = _client(request, client_pk)
    projects = list(
        projects_visible_to(request.user)
        .filter(client=client)
        .select_related("pm", "sales_liaison")
        .order_by("-created_at")
    )
    running = sum(project.status not in CLOSED_STATUSES for project in projects)
    items = [OpenItem(gettext("Projects in progress"), running)] if running else []
    return render_panel(
        request,
        "projects/panels/_client_projects.html",
        {"projects": projects, "open_items": items},
        title=gettext("Projects"),
        back=(client.name, client.get_absolute_url()),
    )


@require_GET
def client_lessons_panel_view(request: HttpRequest, client_pk: int) -> HttpResponse:
    """What the client's finished projects taught sales: on the client page and on every offer of the client."""
    client = _client(request, client_pk)
    context = {"lessons": lessons_for_client(user=request.user, client=client), "lessons_client_name": client.name}
    return render_panel(
        request,
        "projects/_lessons_learned.html",
        context,
        title=gettext("Lessons learned"),
        back=(client.name, client.get_absolute_url()),
    )


@require_GET
def offer_origin_panel_view(request: HttpRequest, offer_pk: int) -> HttpResponse:
    """The follow-up of a project this offer came from (nothing when it came from elsewhere)."""
    offer = _offer(request, offer_pk)
    follow_up = (
        FollowUp.objects.filter(offer_id=offer.pk)
        .select_related("project")
        .only("id", "title", "project_id", "project__name")
        .first()
    )
    return render_panel(
        request,
        "projects/panels/_offer_origin.html",
        {"from_follow_up": follow_up},
        title=gettext("Where this offer came from"),
        back=(offer.title, offer.get_absolute_url()),
    )
