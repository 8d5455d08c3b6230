"""Every write on a project after the handoff: state edits by its PM, reassignment, the kickoff meeting."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from clients.models import Contact
from core.activity import log_activity
from core.errors import TransitionNotAllowed
from core.i18n import deferred, deferred_date
from core.versioning import bump_version, lock_for_edit
from handoff.services.handoffs import validate_pm
from notifications.events import Event
from notifications.services import notify
from projects.ics import ics_filename, meeting_ics
from projects.models import (
    PROJECT_TRANSITIONS,
    Meeting,
    MeetingKind,
    Project,
    ProjectHealth,
    ProjectStatus,
)

CLOSED_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED)
EFFORT_MAX = Decimal("9999999.9")


def in_sentence(label: Any) -> str:
    """A choice label inside a sentence: lower case in English ("is on hold"); other languages keep the
    label as written, since German nouns keep their capital („ist im Status „Planung““)."""
    text = str(label)
    return text.lower() if (get_language() or "en").startswith("en") else text


def can_edit_project(user: Any, project: Project) -> bool:
    """Status, health and effort belong to the project's PM."""
    return bool(user and user.is_authenticated and project.pm_id == user.pk and user.has_role(Role.PM))


def can_attach_documents(user: Any, project: Project) -> bool:
    """The project's PM and its sales liaison attach documents to it (SPEC §7.4)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_edit_project(user, project) or project.sales_liaison_id == user.pk


def can_attach_documents_to_part(user: Any, part: Any) -> bool:
    """A deliverable's or a change request's documents: the same people as its project's."""
    return can_attach_documents(user, part.project)


def can_reassign_project(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.MANAGER))


def allowed_statuses(project: Project) -> list[str]:
    """The current status and every status the project may move to from it."""
    return [project.status, *PROJECT_TRANSITIONS.get(project.status, ())]


def _clean_effort(value: Any) -> Decimal:
    try:
        effort = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"actual_effort_days": _("Enter the effort as a number of person-days.")})
    if not effort.is_finite() or effort < 0 or effort > EFFORT_MAX:
        raise ValidationError({"actual_effort_days": _("The effort is a number of person-days, 0 or more.")})
    if effort != effort.quantize(Decimal("0.1")):
        raise ValidationError({"actual_effort_days": _("Use at most one decimal place.")})
    return effort.quantize(Decimal("0.1"))


def _clean_update(data: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "status" in data:
        if data["status"] not in ProjectStatus.values:
            errors["status"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(ProjectStatus.values)}
        else:
            cleaned["status"] = data["status"]
    if "health" in data:
        if data["health"] not in ProjectHealth.values:
            errors["health"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(ProjectHealth.values)}
        else:
            cleaned["health"] = data["health"]
    if "actual_effort_days" in data:
        try:
            cleaned["actual_effort_days"] = _clean_effort(data["actual_effort_days"])
        except ValidationError as exc:
            errors.update({key: value[0] for key, value in exc.message_dict.items()})
    if "effort_not_tracked" in data:
        if isinstance(data["effort_not_tracked"], bool):
            cleaned["effort_not_tracked"] = data["effort_not_tracked"]
        else:
            errors["effort_not_tracked"] = _("Say true or false.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_effort(project: Project) -> None:
    """A completed project has an actual effort above zero or says it was not tracked, never both.

    Zero stays the "not entered yet" of a running project; once completed it would count as done in no time.
    """
    if project.effort_not_tracked and project.actual_effort_days > 0:
        raise ValidationError(
            {
                "effort_not_tracked": _(
                    "Either enter the actual effort or mark it as not tracked, not both "
                    "(set the effort to 0 to mark it as not tracked)."
                )
            }
        )
    if project.status == ProjectStatus.COMPLETED and not project.effort_not_tracked and project.actual_effort_days <= 0:
        raise ValidationError(
            {
                "actual_effort_days": _(
                    "A completed project needs its actual effort in person-days, or mark the effort as not tracked."
                )
            }
        )


@transaction.atomic
def project_update(*, project: Project, actor: Any, data: dict[str, Any], version: int | None) -> Project:
    """Status (along PROJECT_TRANSITIONS), health and actual effort (or "not tracked"), by the project's PM, versioned.

    Completing a project asks for its actual effort above zero or an explicit "not tracked" (``_check_effort``).
    """
    if not can_edit_project(actor, project):
        raise PermissionDenied(_("Only the project's PM can change its status, health and effort."))
    cleaned = _clean_update(data)
    project = lock_for_edit(Project.objects.all(), pk=project.pk, expected_version=version)
    if not can_edit_project(actor, project):
        raise PermissionDenied(_("Only the project's PM can change its status, health and effort."))
    new_status = cleaned.get("status", project.status)
    if new_status != project.status and new_status not in PROJECT_TRANSITIONS.get(project.status, ()):
        raise TransitionNotAllowed(
            _("A project that is %(status)s cannot become %(new_status)s.")
            % {
                "status": in_sentence(project.get_status_display()),
                "new_status": in_sentence(ProjectStatus(new_status).label),
            }
        )
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in cleaned.items():
        old = getattr(project, field)
        if old != value:
            changes[field] = (old, value)
            setattr(project, field, value)
    if not changes:
        return project
    if changes.keys() & {"status", "actual_effort_days", "effort_not_tracked"}:
        _check_effort(project)
    if "status" in changes and project.status == ProjectStatus.COMPLETED:
        project.completed_at = timezone.now()
    bump_version(project)
    project.save()
    log_activity(actor=actor, verb="updated", target=project, changes=changes)
    return project


@transaction.atomic
def project_reassign(*, project: Project, actor: Any, pm: Any) -> Project:
    """A manager gives the project to another PM."""
    if not can_reassign_project(actor):
        raise PermissionDenied(_("Only a manager can reassign a project."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    # Four eyes (SPEC §7.2): the PM is never the project's own sales liaison.
    new_pm = validate_pm(pm, not_user_id=project.sales_liaison_id)
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            _("This project is %(status)s; only an open project can be reassigned.")
            % {"status": in_sentence(project.get_status_display())}
        )
    if project.pm_id == new_pm.pk:
        return project
    old_pm = project.pm
    project.pm = new_pm
    bump_version(project)
    project.save(update_fields=["pm", "version", "updated_at"])
    log_activity(actor=actor, verb="reassigned", target=project, changes={"pm": (old_pm, new_pm)})
    notify(
        event=Event.PROJECT_REASSIGNED,
        recipients=[new_pm],
        target=project,
        actor=actor,
        title=deferred(gettext_lazy("Project assigned to you: %(project)s"), project=project.name),
        body=deferred(
            gettext_lazy("%(actor)s made you the PM of %(project)s."), actor=actor.full_name, project=project.name
        ),
    )
    return project


# --- Meetings --------------------------------------------------------------------------------
def _clean_meeting(*, project: Project, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip() or _("Kickoff: %(project)s") % {"project": project.name}
    if len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    starts_at = data.get("starts_at")
    if not isinstance(starts_at, datetime.datetime):
        errors["starts_at"] = _("Give the date and time of the meeting.")
    elif timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    duration = data.get("duration_minutes") or 60
    try:
        duration = int(duration)
    except (TypeError, ValueError):
        duration = -1
    if not 5 <= duration <= 24 * 60:
        errors["duration_minutes"] = _("The duration is between 5 minutes and 24 hours.")
    location = (data.get("location") or "").strip()
    if len(location) > 200:
        errors["location"] = _("Keep the location under 200 characters.")
    notes = (data.get("notes") or "").strip()
    if len(notes) > 20000:
        errors["notes"] = _("Keep the agenda and notes under 20 000 characters.")
    attendee_ids = {getattr(user, "pk", user) for user in data.get("attendees") or []}
    attendees = list(User.objects.filter(pk__in=attendee_ids, is_active=True))
    if len(attendees) != len(attendee_ids):
        errors["attendees"] = _("Every attendee must be an active user.")
    contact_ids = {getattr(contact, "pk", contact) for contact in data.get("contacts") or []}
    contacts = list(Contact.objects.filter(pk__in=contact_ids, client_id=project.client_id))
    if len(contacts) != len(contact_ids):
        errors["contacts"] = _("Invite only contacts of this project's client.")
    if not attendees and not contacts:
        errors.setdefault("attendees", _("Invite at least one person."))
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "starts_at": starts_at,
        "duration_minutes": duration,
        "location": location,
        "notes": notes,
        "attendees": attendees,
        "contacts": contacts,
    }


def _invitation_body(*, actor: Any, meeting: Meeting, local_start: datetime.datetime) -> Promise:
    """The invitation, worded and dated in each recipient's language (SPEC §7.6)."""
    placeholders = {
        "actor": actor.full_name,
        "meeting": meeting.title,
        "date": deferred_date(local_start, "l d F Y"),
        "time": deferred_date(local_start, "H:i"),
        "minutes": meeting.duration_minutes,
        "location": meeting.location,
    }
    if meeting.location:
        return deferred(
            gettext_lazy(
                "%(actor)s invites you to %(meeting)s on %(date)s at %(time)s (%(minutes)s minutes), %(location)s."
            ),
            **placeholders,
        )
    return deferred(
        gettext_lazy("%(actor)s invites you to %(meeting)s on %(date)s at %(time)s (%(minutes)s minutes)."),
        **placeholders,
    )


@transaction.atomic
def meeting_schedule_kickoff(*, project: Project, actor: Any, data: dict[str, Any]) -> Meeting:
    """Schedule (or reschedule) the project's kickoff and send the .ics invitation to the attendees."""
    if not can_edit_project(actor, project):
        raise PermissionDenied(_("Only the project's PM can schedule its kickoff."))
    project = Project.objects.select_for_update().select_related("client", "pm").get(pk=project.pk)
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            _("This project is %(status)s; its kickoff can no longer be scheduled.")
            % {"status": in_sentence(project.get_status_display())}
        )
    cleaned = _clean_meeting(project=project, data=data)
    attendees, contacts = cleaned.pop("attendees"), cleaned.pop("contacts")
    meeting = Meeting.objects.filter(project=project, kind=MeetingKind.KICKOFF).first()
    if meeting is None:
        meeting = Meeting.objects.create(project=project, kind=MeetingKind.KICKOFF, created_by=actor, **cleaned)
        verb = "kickoff_scheduled"
        changes: dict[str, tuple[Any, Any]] = {"starts_at": (None, meeting.starts_at)}
    else:
        changes = {field: (getattr(meeting, field), value) for field, value in cleaned.items()}
        changes = {field: pair for field, pair in changes.items() if pair[0] != pair[1]}
        for field, value in cleaned.items():
            setattr(meeting, field, value)
        meeting.sequence += 1
        meeting.save()
        verb = "kickoff_rescheduled"
    meeting.attendees.set(attendees)
    meeting.contacts.set(contacts)
    meeting.project = project
    log_activity(actor=actor, verb=verb, target=project, changes=changes, message=meeting.title)
    local_start = timezone.localtime(meeting.starts_at)
    notify(
        event=Event.KICKOFF_SCHEDULED,
        recipients=attendees,
        target=meeting,
        actor=actor,
        title=deferred(
            gettext_lazy("Kickoff of %(project)s: %(start)s"),
            project=project.name,
            start=deferred_date(local_start, "D d M Y, H:i"),
        ),
        body=_invitation_body(actor=actor, meeting=meeting, local_start=local_start),
        attachments=[{"filename": ics_filename(meeting), "content": meeting_ics(meeting), "mimetype": "text/calendar"}],
    )
    return meeting
