"""Regular project meetings: create (modal), the meeting page with notes, decisions and action items, join/leave.

One view per change; each answers htmx with the changed section of the meeting
page (and the messages, out of band) and a plain POST with a redirect (PRG).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.activity import activity_for
from core.errors import DomainError
from core.forms import add_service_errors
from core.htmx import is_fragment, redirect_after
from core.modals import render_modal
from projects.forms import (
    ActionItemForm,
    MeetingForm,
    MeetingNotesForm,
)
from projects.models import ActionItem, Meeting, MeetingKind, MeetingRecurrence, Project
from projects.selectors import action_items_visible_to, meeting_get, project_meetings
from projects.services.meetings import (
    StaleMeeting,
    action_item_add,
    action_item_set_done,
    can_edit_meetings,
    can_join_meetings,
    can_tick_action_item,
    is_joinable,
    meeting_create,
    meeting_join,
    meeting_leave,
    meeting_update_notes,
    next_occurrence,
)
from projects.services.projects import can_edit_project
from projects.views.sections import load_project, project_crumbs, render_project_panel

PAST_SHOWN = 10


def _notes_initial(meeting: Meeting) -> dict[str, Any]:
    return {
        "starts_at": timezone.localtime(meeting.starts_at),
        "attendees": [user.pk for user in meeting.attendees.all()],
        "contacts": [contact.pk for contact in meeting.contacts.all()],
        "notes": meeting.notes,
        "decisions": meeting.decisions,
        "updated_at": meeting.updated_at.isoformat(),
    }


# --- The project page's meeting list ---------------------------------------------------------------
def meeting_list_context(request: HttpRequest, project: Project, meetings: list[Meeting]) -> dict[str, Any]:
    """Upcoming (recurring ones by their next date) and past meetings, from the page's prefetched list: no query."""
    now = timezone.now()
    upcoming, past = [], []
    for meeting in meetings:
        meeting.next_at = next_occurrence(meeting, now=now)
        meeting.joinable = is_joinable(meeting)
        (upcoming if meeting.next_at else past).append(meeting)
    upcoming.sort(key=lambda meeting: (meeting.next_at, meeting.pk))
    past.sort(key=lambda meeting: (meeting.starts_at, meeting.pk), reverse=True)
    return {
        "upcoming_meetings": upcoming,
        "past_meetings": past[:PAST_SHOWN],
        "past_meetings_hidden": max(len(past) - PAST_SHOWN, 0),
        "can_edit_meetings": can_edit_meetings(request.user, project),
    }


@require_GET
def meeting_section_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page's meetings, loaded after the page: session, user, project, meetings (with their open
    action items counted), attendees, contacts."""
    project = load_project(request, pk)
    context = {
        **meeting_list_context(request, project, project_meetings(project)),
        "can_edit": can_edit_project(request.user, project),
    }
    return render_project_panel(request, project, "projects/_meeting_list.html", context, title=_("Meetings"))


# --- Create ---------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new regular meeting from the project page (a modal form)."""
    project = load_project(request, pk)
    if not can_edit_meetings(request.user, project):
        raise PermissionDenied(_("Only the project's PM, its sales liaison and managers add meetings."))
    if request.method == "GET":
        initial = {
            "title": _("Weekly status: %(project)s") % {"project": project.name},
            "attendees": [project.pm_id, project.sales_liaison_id],
            "recurrence": MeetingRecurrence.WEEKLY,
        }
        return _meeting_form(request, project, MeetingForm(project=project, initial=initial))
    form = MeetingForm(request.POST, project=project)
    if form.is_valid():
        try:
            meeting = meeting_create(project=project, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Meeting “%(title)s” created. Download its invitation from its page.") % {"title": meeting.title},
            )
            return redirect_after(request, reverse("projects:meeting_detail", args=[meeting.pk]))
    return _meeting_form(request, project, form)


def _meeting_form(request: HttpRequest, project: Project, form: MeetingForm) -> HttpResponse:
    """The modal's form for htmx; its own page without JavaScript (or when opened in a new tab)."""
    context = {"project": project, "form": form, "page": not is_fragment(request)}
    return render_modal(
        request, "projects/_meeting_form.html", context, title=_("New meeting"), crumbs=project_crumbs(project)
    )


# --- The meeting page ---------------------------------------------------------------------------------
def _meeting(request: HttpRequest, pk: int) -> Meeting:
    try:
        return meeting_get(user=request.user, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404(_("No such meeting"))


def _today() -> datetime.date:
    return timezone.localdate()


def _meeting_context(request: HttpRequest, meeting: Meeting, **overrides: Any) -> dict[str, Any]:
    user = request.user
    can_edit = can_edit_meetings(user, meeting.project)
    attendees = list(meeting.attendees.all())
    items = list(meeting.action_items.all())
    for item in items:
        item.can_tick = can_edit or item.owner_id == user.pk
    context: dict[str, Any] = {
        "meeting": meeting,
        "project": meeting.project,
        "attendees": attendees,
        "contacts": list(meeting.contacts.all()),
        "action_items": items,
        "open_count": sum(not item.done for item in items),
        "today": _today(),
        "next_at": next_occurrence(meeting),
        "can_edit": can_edit,
        "joinable": is_joinable(meeting),
        "can_join": can_join_meetings(user) and is_joinable(meeting),
        "joined": any(person.pk == user.pk for person in attendees),
        "notes_form": MeetingNotesForm(meeting=meeting, initial=_notes_initial(meeting)) if can_edit else None,
        "action_form": ActionItemForm() if can_edit else None,
    }
    context.update(overrides)
    return context


@require_GET
def meeting_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    context = _meeting_context(request, meeting)
    context["activities"] = activity_for(meeting)
    return render(request, "projects/meeting_detail.html", context)


def _section(request: HttpRequest, pk: int, section: str, **overrides: Any) -> HttpResponse:
    """After a change: the changed section (htmx) or the page again (PRG, or with a plain POST's form errors)."""
    if not is_fragment(request):
        if overrides:
            meeting = _meeting(request, pk)
            context = _meeting_context(request, meeting, **overrides)
            context["activities"] = activity_for(meeting)
            return render(request, "projects/meeting_detail.html", context)
        return redirect(reverse("projects:meeting_detail", args=[pk]) + f"#{section}")
    meeting = _meeting(request, pk)
    context = _meeting_context(request, meeting, **overrides)
    context["section_template"] = f"projects/_meeting_{section}.html"
    return render(request, "projects/_meeting_section.html", context)


@require_POST
def meeting_notes_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the date, attendees, notes and decisions; a save by someone else in between shows their version."""
    meeting = _meeting(request, pk)
    if not can_edit_meetings(request.user, meeting.project):
        raise PermissionDenied(_("Only the project's PM, its sales liaison and managers keep the meeting's notes."))
    form = MeetingNotesForm(request.POST, meeting=meeting, initial=_notes_initial(meeting))
    if form.is_valid():
        data = {key: form.cleaned_data[key] for key in ("starts_at", "attendees", "contacts", "notes", "decisions")}
        if meeting.kind == MeetingKind.KICKOFF:
            data.pop("starts_at")
        try:
            meeting_update_notes(
                meeting=meeting,
                actor=request.user,
                data=data,
                updated_at=parse_datetime(form.cleaned_data.get("updated_at") or "") or None,
            )
        except StaleMeeting as error:
            # The newer values, with the refusal on top: the editor decides again on what is there now.
            fresh = _meeting(request, pk)
            form = MeetingNotesForm(meeting=fresh, initial=_notes_initial(fresh))
            return _section(request, pk, "notes", notes_form=form, notes_open=True, notes_refusal=error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Notes saved."))
            return _section(request, pk, "notes")
    return _section(request, pk, "notes", notes_form=form, notes_open=True)


@require_POST
def action_item_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if not can_edit_meetings(request.user, meeting.project):
        raise PermissionDenied(_("Only the project's PM, its sales liaison and managers add action items."))
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            item = action_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Action added for %(owner)s.") % {"owner": item.owner.full_name})
            return _section(request, pk, "actions")
    return _section(request, pk, "actions", action_form=form)


@require_POST
def action_item_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick an action off (``done=1``) or reopen it (``done=0``)."""
    item = action_items_visible_to(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404(_("No such action item"))
    if not can_tick_action_item(request.user, item):
        raise PermissionDenied(
            _("Only the action's owner, the project's PM, its sales liaison and managers tick it off.")
        )
    done = request.POST.get("done", "1") not in ("0", "false", "")
    try:
        action_item_set_done(item=item, actor=request.user, done=done)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Action done.") if done else _("Action reopened."))
    return _section(request, item.meeting_id, "actions")


def _join_or_leave(request: HttpRequest, pk: int, service, done_message: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        service(meeting=meeting, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message)
    return _section(request, pk, "attendees")


@require_POST
def meeting_join_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _join_or_leave(
        request, pk, meeting_join, _("You joined the meeting. Download the invitation for your calendar.")
    )


@require_POST
def meeting_leave_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _join_or_leave(request, pk, meeting_leave, _("You left the meeting."))


# --- Home ---------------------------------------------------------------------------------------------
def action_items_for_home(items: list[ActionItem]) -> list[ActionItem]:
    """Mark the overdue ones (the home page highlights them)."""
    today = _today()
    for item in items:
        item.overdue = bool(item.due and item.due < today)
    return items
