"""Project pages: the list, the one-screen project page, and its inline edits (state, reassign, kickoff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.activity import activity_for
from core.errors import DomainError, StaleVersion
from core.forms import add_service_errors, errors_text
from core.htmx import is_fragment, redirect_after, render_page_or_fragment
from core.modals import modal_form_response, render_modal
from handoff.snapshots import org_tree, risk_rows
from projects.filters import ProjectFilter, filter_page_rows
from projects.forms import KickoffForm, ProjectReassignForm, ProjectStateForm
from projects.ics import ics_filename, meeting_ics
from projects.models import MeetingKind, Project, ProjectHealth, ProjectStatus
from projects.selectors import filter_choices, meetings_visible_to, project_get, project_list
from projects.services.projects import (
    can_edit_project,
    can_reassign_project,
    meeting_schedule_kickoff,
    project_reassign,
    project_update,
)
from projects.views.changes import change_context
from projects.views.deliverables import commitment_context, deliverable_context
from projects.views.risks import risk_context
from projects.views.sections import load_project, project_crumbs, render_project_panel, sold_vs_now

PAGE_SIZE = 25


# --- List --------------------------------------------------------------------------------------
@require_GET
def project_list_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("status", "health", "pm", "client")}
    projects, filter_errors = filter_page_rows(
        ProjectFilter, data=request.GET, queryset=project_list(user=request.user), request=request
    )
    for error in filter_errors:
        messages.error(request, error)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "projects": page.object_list,
        "filters": filters,
        "statuses": ProjectStatus.choices,
        "healths": ProjectHealth.choices,
        "query": query.urlencode(),
        **filter_choices(),
    }
    status = 400 if filter_errors else None
    return render_page_or_fragment(
        request, "projects/project_list.html", "projects/_project_table.html", context, status=status
    )


# --- Detail ----------------------------------------------------------------------------------
def _state_values(project: Project) -> dict[str, Any]:
    return {
        "status": project.status,
        "health": project.health,
        "actual_effort_days": project.actual_effort_days,
        "effort_not_tracked": project.effort_not_tracked,
        "version": project.version,
    }


def _state_form(project: Project, data=None) -> ProjectStateForm:
    return ProjectStateForm(data, project=project, initial=_state_values(project))


def detail_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The top of the project page, from the rows ``project_get`` prefetched (no further query). The lower
    sections (meetings, pulse, follow-ups, lessons, activity, client issues, client links, documents) load
    after the page with hx-get, each from its own view."""
    sold = project.snapshot.data
    return {
        # Change requests, deliverables (with their overdue flag) and commitments (with their status controls).
        **change_context(request, project),
        **deliverable_context(request, project),
        **commitment_context(request, project),
        **risk_context(request, project),
        "project": project,
        "sold": sold,
        "org_tree": org_tree(sold),
        "sold_risks": risk_rows(sold),
        "sold_vs_now": sold_vs_now(project),
        "can_edit": can_edit_project(request.user, project),
        "can_reassign": can_reassign_project(request.user),
        "state_form": _state_form(project),
    }


@require_GET
def project_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = project_get(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise Http404(_("No such project"))
    return render(request, "projects/project_detail.html", detail_context(request, project))


@require_GET
def project_activity_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page's activity timeline, loaded after the page: session, user, project, activity rows."""
    project = load_project(request, pk)
    context = {"activities": activity_for(project)}
    return render_project_panel(request, project, "projects/_activity.html", context, title=_("Activity"))


@require_http_methods(["GET", "POST"])
def project_state_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The PM's inline edit of status, health and effort (versioned)."""
    project = load_project(request, pk)
    back = reverse("projects:detail", args=[project.pk])
    template = "projects/_project_state.html"
    if request.method == "GET":
        return render(
            request,
            template,
            {
                "project": project,
                "state_form": _state_form(project),
                "can_edit": can_edit_project(request.user, project),
            },
        )
    if not can_edit_project(request.user, project):
        raise PermissionDenied(_("Only the project's PM can change its status, health and effort."))
    form = _state_form(project, request.POST)
    context: dict[str, Any] = {"project": project, "state_form": form, "can_edit": True}
    if form.is_valid():
        data = {key: form.cleaned_data[key] for key in ("status", "health", "actual_effort_days", "effort_not_tracked")}
        try:
            project = project_update(
                project=project, actor=request.user, data=data, version=form.cleaned_data["version"]
            )
        except StaleVersion as error:
            # Show the newer values, so the PM decides again on what is there now.
            current = error.current
            form = _state_form(current, _state_values(current))
            form.is_valid()
            form.add_error(None, error.message)
            context.update(project=current, state_form=form)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if not is_fragment(request):
                messages.success(request, _("Saved."))
                return redirect(back)
            context.update(project=project, state_form=_state_form(project), saved=True)
            response = render(request, template, context)
            response["HX-Trigger"] = "projectChanged"
            return response
    if is_fragment(request):
        return render(request, template, context)
    messages.error(request, _("Not saved: %(errors)s") % {"errors": errors_text(form)})
    return redirect(back)


@require_http_methods(["GET", "POST"])
def project_reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)

    def save(data: dict[str, Any]) -> str:
        project_reassign(project=project, actor=request.user, pm=data["pm"])
        return _("%(project)s is now managed by %(pm)s.") % {"project": project.name, "pm": data["pm"].full_name}

    data = request.POST if request.method == "POST" else None
    form = ProjectReassignForm(data, initial={"pm": project.pm_id}, project=project)
    return modal_form_response(
        request,
        form,
        save=save,
        template="projects/_project_reassign_form.html",
        context={"project": project, "form": form},
        title=_("Reassign"),
        crumbs=project_crumbs(project),
        back=reverse("projects:detail", args=[project.pk]),
    )


@require_http_methods(["GET", "POST"])
def meeting_kickoff_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule (or reschedule) the kickoff: a modal form; the invitation goes out as .ics."""
    project = load_project(request, pk)
    back = reverse("projects:detail", args=[project.pk])
    template = "projects/_meeting_kickoff_form.html"
    kickoff = next((meeting for meeting in project.meetings.all() if meeting.kind == MeetingKind.KICKOFF), None)
    if request.method == "GET":
        if kickoff:
            initial = {
                "title": kickoff.title,
                "starts_at": timezone.localtime(kickoff.starts_at),
                "duration_minutes": kickoff.duration_minutes,
                "location": kickoff.location,
                "attendees": list(kickoff.attendees.all()),
                "contacts": list(kickoff.contacts.all()),
                "notes": kickoff.notes,
            }
        else:
            initial = {
                "title": _("Kickoff: %(project)s") % {"project": project.name},
                "attendees": [project.pm, project.sales_liaison],
            }
        form = KickoffForm(project=project, initial=initial)
        return render_modal(
            request,
            template,
            {"project": project, "form": form, "kickoff": kickoff},
            title=_("Kickoff meeting"),
            crumbs=project_crumbs(project),
        )
    form = KickoffForm(request.POST, project=project)
    context: dict[str, Any] = {"project": project, "form": form, "kickoff": kickoff}
    if form.is_valid():
        try:
            meeting_schedule_kickoff(project=project, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Kickoff scheduled; the attendees get the invitation by e-mail."))
            return redirect_after(request, back)
    if is_fragment(request):
        return render(request, template, context)
    messages.error(
        request,
        _("The kickoff was not scheduled: %(errors)s") % {"errors": errors_text(form)},
    )
    return redirect(back)


@require_GET
def meeting_ics_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings_visible_to(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("No such meeting"))
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(meeting)}"'
    return response
