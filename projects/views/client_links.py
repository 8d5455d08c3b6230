"""Client links for the team (SPEC §7.5): the project page's panel (issue, copy once, revoke) and the managers' list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.forms import add_service_errors
from core.htmx import is_fragment
from projects.forms import ClientLinkForm
from projects.models import ClientLinkState, Project
from projects.services import client_links as services
from projects.views.sections import load_project

PANEL = "projects/_client_links.html"
PAGE_SIZE = 50


def _panel(
    request: HttpRequest,
    project: Project,
    *,
    form: ClientLinkForm | None = None,
    created: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    can_issue = services.can_issue_client_link(request.user, project)
    links = list(services.client_links_visible_to(request.user).filter(project=project).order_by("-created_at", "-id"))
    for link in links:
        link.can_revoke = link.revoked_at is None and services.can_revoke_client_link(request.user, link)
    context = {
        "project": project,
        "client_links": links,
        "can_issue_client_link": can_issue,
        "client_link_form": form or (ClientLinkForm(project=project) if can_issue else None),
        "created": created,
        "error": error,
        "client_links_loaded": True,
    }
    return render(request, PANEL, context, status=status)


@require_http_methods(["GET", "POST"])
def client_link_panel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the panel (htmx). POST: invite a contact; the link is shown this once."""
    project = load_project(request, pk)
    if request.method == "GET":
        if not is_fragment(request):
            return redirect(project.get_absolute_url() + "#client-links")
        return _panel(request, project)
    form = ClientLinkForm(request.POST, project=project)
    if not services.can_issue_client_link(request.user, project):
        raise PermissionDenied(_("Only the project's PM or its sales liaison invites the client."))
    if form.is_valid():
        try:
            link, token = services.client_link_issue(
                actor=request.user,
                project=project,
                contact=form.cleaned_data["contact"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                send_email=form.cleaned_data["send_email"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            return _panel(request, project, form=form, error=error.message, status=200 if is_fragment(request) else 409)
        else:
            created = {"link": link, "url": services.link_url(token)}
            if is_fragment(request):
                return _panel(request, project, created=created)
            # Without htmx the link is shown on its own page: a redirect would lose it for good.
            return render(request, "projects/client_link_created.html", {"project": project, **created})
    return _panel(request, project, form=form, status=200 if is_fragment(request) else 400)


@require_POST
def client_link_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    link = services.client_links_visible_to(request.user).filter(pk=pk).first()
    if link is None:
        raise Http404(_("No such client link"))
    error = ""
    try:
        services.client_link_revoke(actor=request.user, link=link)
    except DomainError as refused:
        error = refused.message
    if is_fragment(request):
        # htmx swaps 2xx only: the refusal is shown inside the panel.
        return _panel(request, load_project(request, link.project_id), error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The link for %(name)s no longer works.") % {"name": link.contact.name})
    if request.POST.get("next") == "list":
        return redirect("projects:client_links")
    return redirect(link.get_absolute_url())


@require_GET
def client_link_list_view(request: HttpRequest) -> HttpResponse:
    """Every link the user may see (managers: all) with its state and when it was last used."""
    links = services.client_links_visible_to(request.user).order_by("-created_at", "-id")
    state = request.GET.get("state", "")
    if state in ClientLinkState.values:
        links = services.with_state(links, state)
    page = Paginator(links, PAGE_SIZE).get_page(request.GET.get("page"))
    for link in page.object_list:
        link.can_revoke = link.revoked_at is None and services.can_revoke_client_link(request.user, link)
    context = {"page": page, "links": page.object_list, "state": state, "states": ClientLinkState.choices}
    return render(request, "projects/client_link_list.html", context)
