"""Regular project meetings after the kickoff: notes, decisions, action items, and recurring meetings sales can join.

The project's PM, its sales liaison and managers create meetings and keep their
notes; any sales rep or PM (everyone reads projects, SPEC §2) joins or leaves a
recurring meeting; an action item's owner may tick it off too.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from core.activity import log_activity
from core.errors import DomainError, TransitionNotAllowed
from projects.models import ActionItem, Meeting, MeetingKind, MeetingRecurrence, Project
from projects.services.projects import CLOSED_STATUSES, _clean_meeting, in_sentence

DECISIONS_MAX = 10000
ACTION_TEXT_MAX = 500
NOTE_FIELDS = ("starts_at", "attendees", "contacts", "notes", "decisions")
MEETING_YEARS = (2000, 2099)


class StaleMeeting(DomainError):
    """Someone saved the meeting since the caller opened it (the meeting has no version: its ``updated_at`` is one)."""

    code = "stale_version"

    def __init__(self, current: Meeting) -> None:
        super().__init__(
            gettext("Someone else saved this meeting since you opened it. Review their changes and save again."),
            current_updated_at=current.updated_at.isoformat(),
        )
        self.current = current


def is_project_team(user: Any, project: Project) -> bool:
    """The project's PM (holding the role), its sales liaison (holding the role), or a manager."""
    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return (
        (project.pm_id == user.pk and user.has_role(Role.PM))
        or (project.sales_liaison_id == user.pk and user.has_role(Role.SALES))
        or user.has_role(Role.MANAGER)
    )


def can_edit_meetings(user: Any, project: Project) -> bool:
    return is_project_team(user, project)


def can_join_meetings(user: Any) -> bool:
    """Sales reps and PMs join recurring project meetings; they read every project."""
    return bool(
        user
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.has_role(Role.SALES) or user.has_role(Role.PM))
    )


def is_joinable(meeting: Meeting) -> bool:
    return meeting.kind == MeetingKind.REGULAR and meeting.recurrence != MeetingRecurrence.NONE


def can_tick_action_item(user: Any, item: ActionItem) -> bool:
    if item.owner_id is not None and getattr(user, "pk", None) == item.owner_id and user.is_active:
        return True
    return can_edit_meetings(user, item.meeting.project)


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def next_occurrence(meeting: Meeting, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the meeting next starts (or is still under way); ``None`` once a one-off meeting is over.

    A recurring meeting repeats at the same local time of day, so a weekly
    10:00 call stays at 10:00 across daylight-saving changes.
    """
    now = now or timezone.now()
    duration = datetime.timedelta(minutes=meeting.duration_minutes)
    if meeting.starts_at + duration > now:
        return meeting.starts_at
    if meeting.recurrence == MeetingRecurrence.NONE:
        return None
    start = timezone.localtime(meeting.starts_at)
    if meeting.recurrence == MeetingRecurrence.MONTHLY:
        months = max((now.year - start.year) * 12 + now.month - start.month - 1, 0)
        candidate = _add_months(start, months)
        while candidate + duration <= now:
            months += 1
            candidate = _add_months(start, months)
        return candidate
    step = datetime.timedelta(days=14 if meeting.recurrence == MeetingRecurrence.BIWEEKLY else 7)
    candidate = start + step * max(int((now - start) / step) - 1, 0)
    while candidate + duration <= now:
        candidate += step
    return candidate


def _check_year(starts_at: Any) -> None:
    """Meetings happen between 2000 and 2099: a year 61 or 9999 is a typo, not a plan."""
    if isinstance(starts_at, datetime.datetime) and not MEETING_YEARS[0] <= starts_at.year <= MEETING_YEARS[1]:
        raise ValidationError(
            {
                "starts_at": gettext("Choose a date between %(first)s and %(last)s.")
                % {"first": MEETING_YEARS[0], "last": MEETING_YEARS[1]}
            }
        )


def _when(moment: datetime.datetime) -> str:
    """A meeting time as the activity timeline shows it: local, to the minute."""
    return f"{timezone.localtime(moment):%d %b %Y, %H:%M}"


def _deny_edit() -> PermissionDenied:
    return PermissionDenied(gettext("Only the project's PM, its sales liaison and managers change its meetings."))


def _clean_recurrence(value: Any) -> str:
    value = value or MeetingRecurrence.NONE
    if value not in MeetingRecurrence.values:
        raise ValidationError(
            {"recurrence": gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(MeetingRecurrence.values)}}
        )
    return value


def _clean_decisions(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError({"decisions": gettext("The decisions are text.")})
    value = (value or "").strip()
    if len(value) > DECISIONS_MAX:
        raise ValidationError(
            {"decisions": gettext("Keep the decisions under %(limit)s characters.") % {"limit": DECISIONS_MAX}}
        )
    return value


def _merge_errors(*checks) -> dict[str, Any]:
    """Run each check, collecting every field's error instead of stopping at the first."""
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, check in checks:
        try:
            results[name] = check()
        except ValidationError as error:
            errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return results


# --- Meetings --------------------------------------------------------------------------------
@transaction.atomic
def meeting_create(*, project: Project, actor: Any, data: dict[str, Any]) -> Meeting:
    """A regular meeting (once, or recurring weekly, every two weeks or monthly) with its agenda and invitees."""
    if not can_edit_meetings(actor, project):
        raise _deny_edit()
    project = Project.objects.select_for_update().select_related("client", "pm").get(pk=project.pk)
    if not can_edit_meetings(actor, project):
        raise _deny_edit()
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            gettext("This project is %(status)s; it gets no new meetings.")
            % {"status": in_sentence(project.get_status_display())}
        )
    title = (data.get("title") or "").strip() or gettext("Project meeting: %(project)s") % {"project": project.name}
    checked = _merge_errors(
        ("year", lambda: _check_year(data.get("starts_at"))),
        ("meeting", lambda: _clean_meeting(project=project, data={**data, "title": title})),
        ("recurrence", lambda: _clean_recurrence(data.get("recurrence"))),
        ("decisions", lambda: _clean_decisions(data.get("decisions"))),
    )
    cleaned = checked["meeting"]
    attendees, contacts = cleaned.pop("attendees"), cleaned.pop("contacts")
    meeting = Meeting.objects.create(
        project=project,
        kind=MeetingKind.REGULAR,
        recurrence=checked["recurrence"],
        decisions=checked["decisions"],
        created_by=actor,
        **cleaned,
    )
    meeting.attendees.set(attendees)
    meeting.contacts.set(contacts)
    meeting.project = project
    log_activity(
        actor=actor,
        verb="meeting_created",
        target=project,
        changes={"starts_at": (None, _when(meeting.starts_at)), "recurrence": (None, meeting.get_recurrence_display())},
        message=meeting.title,
    )
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("project", "project__client", "project__pm")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_update_notes(
    *, meeting: Meeting, actor: Any, data: dict[str, Any], updated_at: datetime.datetime | None = None
) -> Meeting:
    """Date, attendees (users and the client's contacts), notes and decisions; only the keys given change.

    ``updated_at``, when given, is the meeting's ``updated_at`` the caller read:
    a newer save in between refuses the edit (``StaleMeeting``) rather than
    overwriting someone's notes.
    """
    if not can_edit_meetings(actor, meeting.project):
        raise _deny_edit()
    meeting = _lock_meeting(meeting)
    project = meeting.project
    if not can_edit_meetings(actor, project):
        raise _deny_edit()
    if updated_at is not None and meeting.updated_at != updated_at:
        raise StaleMeeting(meeting)
    data = {key: value for key, value in data.items() if key in NOTE_FIELDS}
    current_attendees = list(meeting.attendees.all())
    current_contacts = list(meeting.contacts.all())
    starts_at = data.get("starts_at")
    if isinstance(starts_at, datetime.datetime) and timezone.is_naive(starts_at):
        data["starts_at"] = starts_at = timezone.make_aware(starts_at)
    if (
        meeting.kind == MeetingKind.KICKOFF
        and isinstance(starts_at, datetime.datetime)
        and starts_at != meeting.starts_at
    ):
        raise ValidationError(
            {"starts_at": gettext("Reschedule the kickoff from the project page, so the invitation goes out again.")}
        )
    merged = {
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "location": meeting.location,
        "notes": meeting.notes,
        "attendees": current_attendees,
        "contacts": current_contacts,
        **{key: value for key, value in data.items() if key != "decisions"},
    }
    checked = _merge_errors(
        ("year", lambda: _check_year(data.get("starts_at"))),
        ("meeting", lambda: _clean_meeting(project=project, data=merged)),
        ("decisions", lambda: _clean_decisions(data.get("decisions", meeting.decisions))),
    )
    cleaned = checked["meeting"]
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in (
        ("starts_at", cleaned["starts_at"]),
        ("notes", cleaned["notes"]),
        ("decisions", checked["decisions"]),
    ):
        if getattr(meeting, field) != value:
            changes[field] = (getattr(meeting, field), value)
            setattr(meeting, field, value)
    new_attendees, new_contacts = cleaned["attendees"], cleaned["contacts"]
    if {user.pk for user in new_attendees} != {user.pk for user in current_attendees}:
        changes["attendees"] = (
            ", ".join(sorted(user.full_name for user in current_attendees)),
            ", ".join(sorted(user.full_name for user in new_attendees)),
        )
        meeting.attendees.set(new_attendees)
    if {contact.pk for contact in new_contacts} != {contact.pk for contact in current_contacts}:
        changes["contacts"] = (
            ", ".join(sorted(contact.name for contact in current_contacts)),
            ", ".join(sorted(contact.name for contact in new_contacts)),
        )
        meeting.contacts.set(new_contacts)
    if not changes:
        return meeting
    if "starts_at" in changes:
        meeting.sequence += 1  # calendars update the entry they already have
    meeting.save()
    # Long texts go into the message, not the change record: the timeline shows what changed, not 20 000 characters.
    summary = {
        field: pair if field not in ("notes", "decisions") else ("…" if pair[0] else "", "…" if pair[1] else "")
        for field, pair in changes.items()
    }
    if "starts_at" in summary:
        summary["starts_at"] = (_when(changes["starts_at"][0]), _when(changes["starts_at"][1]))
    log_activity(actor=actor, verb="notes_updated", target=meeting, changes=summary, message=meeting.title)
    return meeting


@transaction.atomic
def meeting_join(*, meeting: Meeting, actor: Any) -> Meeting:
    """A sales rep or PM adds themself to a recurring project meeting. Joining twice changes nothing."""
    if not can_join_meetings(actor):
        raise PermissionDenied(gettext("Only sales reps and project managers join project meetings."))
    meeting = _lock_meeting(meeting)
    if not is_joinable(meeting):
        raise TransitionNotAllowed(
            gettext("Only recurring project meetings are open to join; ask the project's PM to invite you."),
            code="not_joinable",
        )
    if meeting.project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            gettext("This project is %(status)s; its meetings are over.")
            % {"status": in_sentence(meeting.project.get_status_display())},
            code="not_joinable",
        )
    if meeting.attendees.filter(pk=actor.pk).exists():
        return meeting
    meeting.attendees.add(actor)
    meeting.save(update_fields=["updated_at"])
    log_activity(actor=actor, verb="joined", target=meeting, message=meeting.title)
    return meeting


@transaction.atomic
def meeting_leave(*, meeting: Meeting, actor: Any) -> Meeting:
    """An attendee leaves a recurring meeting. Leaving one you are not in changes nothing."""
    if not can_join_meetings(actor):
        raise PermissionDenied(gettext("Only sales reps and project managers join or leave project meetings."))
    meeting = _lock_meeting(meeting)
    if not is_joinable(meeting):
        raise TransitionNotAllowed(
            gettext("Only recurring project meetings can be left here; ask the project's PM to change the invitation."),
            code="not_joinable",
        )
    if not meeting.attendees.filter(pk=actor.pk).exists():
        return meeting
    meeting.attendees.remove(actor)
    meeting.save(update_fields=["updated_at"])
    log_activity(actor=actor, verb="left", target=meeting, message=meeting.title)
    return meeting


# --- Action items ------------------------------------------------------------------------------
def _clean_action_item(*, meeting: Meeting, text: Any, owner: Any, due: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    text = (text or "").strip() if isinstance(text, str | type(None)) else None
    if text is None:
        errors["text"] = gettext("Describe the action as text.")
    elif not text:
        errors["text"] = gettext("Describe the action.")
    elif len(text) > ACTION_TEXT_MAX:
        errors["text"] = gettext("Keep the action under %(limit)s characters.") % {"limit": ACTION_TEXT_MAX}
    owner_id = getattr(owner, "pk", owner)
    owner_user = None
    if owner_id in (None, ""):
        errors["owner"] = gettext("Every action has an owner: choose a colleague.")
    else:
        owner_user = User.objects.filter(pk=owner_id, is_active=True).first() if str(owner_id).isdigit() else None
        if owner_user is None:
            errors["owner"] = gettext("The owner must be an active user of the portal.")
    if due in ("", None):
        due = None
    elif isinstance(due, datetime.datetime) or not isinstance(due, datetime.date):
        errors["due"] = gettext("Give the due date as a date (YYYY-MM-DD).")
    elif due < timezone.localdate(meeting.starts_at):
        errors["due"] = gettext("The due date cannot be before the meeting.")
    if errors:
        raise ValidationError(errors)
    return {"text": text, "owner": owner_user, "due": due}


@transaction.atomic
def action_item_add(*, meeting: Meeting, actor: Any, text: Any, owner: Any, due: Any = None) -> ActionItem:
    """An action agreed in the meeting, with its owner (a user) and an optional due date."""
    if not can_edit_meetings(actor, meeting.project):
        raise _deny_edit()
    meeting = _lock_meeting(meeting)
    if not can_edit_meetings(actor, meeting.project):
        raise _deny_edit()
    cleaned = _clean_action_item(meeting=meeting, **{"text": text, "owner": owner, "due": due})
    item = ActionItem.objects.create(meeting=meeting, **cleaned)
    meeting.save(update_fields=["updated_at"])
    log_activity(
        actor=actor,
        verb="action_item_added",
        target=meeting,
        changes={"owner": (None, item.owner), "due": (None, item.due)},
        message=item.text,
    )
    return item


@transaction.atomic
def action_item_set_done(*, item: ActionItem, actor: Any, done: bool) -> ActionItem:
    """Tick an action off (or reopen it): the meeting's editors or the item's owner. A repeat changes nothing."""
    item = ActionItem.objects.select_related("meeting", "meeting__project").get(pk=item.pk)
    if not can_tick_action_item(actor, item):
        raise PermissionDenied(
            gettext("Only the action's owner, the project's PM, its sales liaison and managers tick it off.")
        )
    if not isinstance(done, bool):
        raise ValidationError({"done": gettext("Say true or false.")})
    now = timezone.now()
    # Compare-and-set: of two clicks at once, one moves the item and writes the activity row.
    moved = ActionItem.objects.filter(pk=item.pk, done=not done).update(done=done, done_at=now if done else None)
    item.refresh_from_db()
    if moved:
        log_activity(
            actor=actor,
            verb="action_item_done" if done else "action_item_reopened",
            target=item.meeting,
            changes={"done": (not done, done)},
            message=item.text,
        )
    return item
