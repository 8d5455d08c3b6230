"""Project pages: the list, the one-screen project page, and its inline edits (state, reassign, kickoff)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.activity import activity_for
from core.errors import DomainError, StaleVersion
from core.modals import render_modal
from core.money import format_money
from handoff.snapshots import org_tree, risk_rows
from projects.forms import KickoffForm, ProjectReassignForm, ProjectStateForm
from projects.ics import ics_filename, meeting_ics
from projects.models import MeetingKind, Project, ProjectHealth, ProjectStatus
from projects.selectors import filter_choices, meetings_visible_to, project_get, project_list
from projects.services import (
    can_edit_project,
    can_reassign_project,
    meeting_schedule_kickoff,
    project_reassign,
    project_update,
)

PAGE_SIZE = 25


def _project(request: HttpRequest, pk: int) -> Project:
    try:
        return project_get(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise Http404("No such project")


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _hx_redirect(url: str) -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


# --- List --------------------------------------------------------------------------------------
@require_GET
def project_list_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("status", "health", "pm", "client")}
    projects = project_list(user=request.user, **filters)
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
    if request.htmx and not request.htmx.boosted:
        return render(request, "projects/_project_table.html", context)
    return render(request, "projects/project_list.html", context)


# --- Detail ----------------------------------------------------------------------------------
def _sold_vs_now(
    project: Project,
    sold: dict[str, Any],
    commitments: list,
    risks: list,
    change_requests: list | None = None,
    deliverables: list | None = None,
) -> list[dict[str, Any]]:
    offer, review = sold.get("offer", {}), sold.get("review") or {}
    approved = [change for change in change_requests or [] if change.status == "approved"]
    cost = sum((change.cost_impact for change in approved), Decimal("0"))
    days = sum(change.schedule_impact_days for change in approved)
    proposed = sum(change.status == "proposed" for change in change_requests or [])
    return [
        {
            "label": "Budget",
            "sold": offer.get("value"),
            "now": project.budget,
            "kind": "money",
            "note": (f"{len(approved)} approved change(s): {format_money(cost, signed=True)}" if approved else "")
            + (f"; {proposed} proposed" if proposed else ""),
        },
        {"label": "Start", "sold": offer.get("desired_start"), "now": project.planned_start, "kind": "date"},
        {
            "label": "End",
            "sold": offer.get("desired_end"),
            "now": project.planned_end,
            "kind": "date",
            "note": f"approved changes: {days:+d} days" if days else "",
        },
        {
            "label": "Deliverables",
            "sold": len(review.get("milestones") or []),
            "now": f"{sum(item.status == 'accepted' for item in deliverables or [])} accepted, "
            f"{sum(bool(getattr(item, 'overdue', False)) for item in deliverables or [])} overdue",
            "kind": "count",
        },
        {
            "label": "Effort (person-days)",
            "sold": review.get("effort_days"),
            "now": project.actual_effort_days,
            "kind": "effort",
        },
        {
            "label": "Commitments",
            "sold": len(sold.get("commitments", [])),
            "now": f"{sum(item.status == 'kept' for item in commitments)} kept, "
            f"{sum(item.status in ('at_risk', 'broken') for item in commitments)} at risk or broken",
            "kind": "count",
        },
        {
            "label": "Risks",
            "sold": len(sold.get("risks", [])),
            "now": f"{sum(risk.status == 'open' for risk in risks)} open, "
            f"{sum(risk.status == 'mitigated' for risk in risks)} mitigated, "
            f"{sum(risk.status == 'occurred' for risk in risks)} occurred",
            "kind": "count",
        },
    ]


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


def _detail_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    from projects.views.changes import change_context
    from projects.views.deliverables import deliverable_context
    from projects.views.followups import follow_up_panel
    from projects.views.lessons import lesson_panel
    from projects.views.meetings import meeting_list_context
    from projects.views.pulses import pulse_context
    from projects.views.risks import risk_context

    sold = project.snapshot.data
    meetings = list(project.meetings.all())
    risks = list(project.risks.all())
    # Change requests, deliverables (with their overdue flag) and commitments (with their status controls).
    after_handoff = {**change_context(request, project), **deliverable_context(request, project)}
    # The client pulse (one query) and the meetings split into upcoming and past (no query).
    after_handoff.update(pulse_context(request, project), **meeting_list_context(request, project, meetings))
    commitments = after_handoff["commitments"]
    return {
        **after_handoff,
        "project": project,
        "sold": sold,
        "org_tree": org_tree(sold),
        "sold_risks": risk_rows(sold),
        "sold_vs_now": _sold_vs_now(
            project, sold, commitments, risks, after_handoff["change_requests"], after_handoff["deliverables"]
        ),
        **risk_context(request, project, risks),
        "meetings": meetings,
        "kickoff": next((meeting for meeting in meetings if meeting.kind == MeetingKind.KICKOFF), None),
        "can_edit": can_edit_project(request.user, project),
        "can_reassign": can_reassign_project(request.user),
        "state_form": _state_form(project),
        "activities": activity_for(project),
        "follow_up_section": follow_up_panel(request.user, project),
        "lesson_section": lesson_panel(request.user, project),
    }


@require_GET
def project_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "projects/project_detail.html", _detail_context(request, _project(request, pk)))


@require_http_methods(["GET", "POST"])
def project_state_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The PM's inline edit of status, health and effort (versioned)."""
    project = _project(request, pk)
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
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the project's PM can change its status, health and effort.")
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
            _add_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if not request.htmx:
                messages.success(request, "Saved.")
                return redirect(back)
            context.update(project=project, state_form=_state_form(project), saved=True)
            response = render(request, template, context)
            response["HX-Trigger"] = "projectChanged"
            return response
    if request.htmx:
        return render(request, template, context)
    messages.error(request, "Not saved: " + "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(back)


def _crumbs(project: Project) -> list[tuple[str, str]]:
    return [("Projects", reverse("projects:list")), (project.name, reverse("projects:detail", args=[project.pk]))]


@require_http_methods(["GET", "POST"])
def project_reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    back = reverse("projects:detail", args=[project.pk])
    template = "projects/_project_reassign_form.html"
    if request.method == "GET":
        return render_modal(
            request,
            template,
            {"project": project, "form": ProjectReassignForm(initial={"pm": project.pm_id}, project=project)},
            title="Reassign",
            crumbs=_crumbs(project),
        )
    form = ProjectReassignForm(request.POST, project=project)
    context: dict[str, Any] = {"project": project, "form": form}
    if form.is_valid():
        try:
            project_reassign(project=project, actor=request.user, pm=form.cleaned_data["pm"])
        except ValidationError as error:
            _add_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{project.name} is now managed by {form.cleaned_data['pm'].full_name}.")
            return _hx_redirect(back) if request.htmx else redirect(back)
    if request.htmx:
        return render(request, template, context)
    messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(back)


@require_http_methods(["GET", "POST"])
def meeting_kickoff_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule (or reschedule) the kickoff: a modal form; the invitation goes out as .ics."""
    project = _project(request, pk)
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
            initial = {"title": f"Kickoff: {project.name}", "attendees": [project.pm, project.sales_liaison]}
        form = KickoffForm(project=project, initial=initial)
        return render_modal(
            request,
            template,
            {"project": project, "form": form, "kickoff": kickoff},
            title="Kickoff meeting",
            crumbs=_crumbs(project),
        )
    form = KickoffForm(request.POST, project=project)
    context: dict[str, Any] = {"project": project, "form": form, "kickoff": kickoff}
    if form.is_valid():
        try:
            meeting_schedule_kickoff(project=project, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Kickoff scheduled; the attendees get the invitation by e-mail.")
            return _hx_redirect(back) if request.htmx else redirect(back)
    if request.htmx:
        return render(request, template, context)
    messages.error(
        request,
        "The kickoff was not scheduled: " + "; ".join(str(e) for errors in form.errors.values() for e in errors),
    )
    return redirect(back)


@require_GET
def meeting_ics_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings_visible_to(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(meeting)}"'
    return response
