"""Project services: the PM's versioned state edits, reassignment by managers, the kickoff and its .ics."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from core.errors import StaleVersion, TransitionNotAllowed
from core.models import Activity
from notifications.events import Event
from projects.ics import meeting_ics
from projects.models import Meeting, Project, ProjectStatus
from projects.services import projects as services
from projects.services.projects import meeting_schedule_kickoff, project_reassign, project_update
from tests.factories import ContactFactory, UserFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


@pytest.fixture
def notified(monkeypatch):
    calls: list[dict] = []

    def record(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr(services, "notify", record)
    return calls


# --- project_update ---------------------------------------------------------------------------
def test_the_pm_updates_status_health_and_effort(project, pm):
    updated = project_update(
        project=project,
        actor=pm,
        data={"status": "active", "health": "at_risk", "actual_effort_days": "12.5"},
        version=project.version,
    )

    assert (updated.status, updated.health, updated.actual_effort_days) == ("active", "at_risk", Decimal("12.5"))
    assert updated.version == project.version + 1
    activity = Activity.objects.get(verb="updated", target_id=project.pk)
    assert activity.changes["status"] == ["planning", "active"]


def test_it_refuses_a_stale_version(project, pm):
    project_update(project=project, actor=pm, data={"health": "at_risk"}, version=1)

    with pytest.raises(StaleVersion) as raised:
        project_update(project=project, actor=pm, data={"health": "off_track"}, version=1)

    assert raised.value.current.health == "at_risk"
    assert Project.objects.get().health == "at_risk"


def test_it_requires_the_version(project, pm):
    with pytest.raises(ValidationError):
        project_update(project=project, actor=pm, data={"health": "at_risk"}, version=None)


@pytest.mark.parametrize(
    ("start", "target"), [("planning", "completed"), ("completed", "active"), ("cancelled", "planning")]
)
def test_it_refuses_status_moves_outside_the_table(start, target, project, pm):
    Project.objects.filter(pk=project.pk).update(status=start)

    with pytest.raises(TransitionNotAllowed):
        project_update(project=project, actor=pm, data={"status": target}, version=project.version)

    assert Project.objects.get().status == start


def test_completing_sets_the_completion_time(project, pm):
    project = project_update(project=project, actor=pm, data={"status": "active"}, version=1)

    project = project_update(
        project=project, actor=pm, data={"status": "completed", "actual_effort_days": "42"}, version=project.version
    )

    assert project.completed_at is not None
    assert project.actual_effort_days == Decimal("42.0")


def test_it_refuses_to_complete_a_project_without_its_actual_effort(project, pm):
    project = project_update(project=project, actor=pm, data={"status": "active"}, version=1)

    with pytest.raises(ValidationError) as raised:
        project_update(project=project, actor=pm, data={"status": "completed"}, version=project.version)

    assert "actual_effort_days" in raised.value.message_dict
    unchanged = Project.objects.get()
    assert (unchanged.status, unchanged.completed_at, unchanged.version) == ("active", None, project.version)


def test_it_completes_a_project_whose_effort_was_not_tracked(project, pm):
    project = project_update(project=project, actor=pm, data={"status": "active"}, version=1)

    project = project_update(
        project=project, actor=pm, data={"status": "completed", "effort_not_tracked": True}, version=project.version
    )

    assert (project.status, project.effort_not_tracked, project.actual_effort_days) == ("completed", True, 0)


def test_it_refuses_an_effort_that_is_both_entered_and_not_tracked(project, pm):
    with pytest.raises(ValidationError) as raised:
        project_update(
            project=project, actor=pm, data={"actual_effort_days": "5", "effort_not_tracked": True}, version=1
        )

    assert "effort_not_tracked" in raised.value.message_dict
    assert Project.objects.get().version == 1


def test_the_pm_fills_in_the_missing_effort_of_a_completed_project(project, pm):
    # Completed before the rule existed: no effort and not marked as not tracked.
    Project.objects.filter(pk=project.pk).update(status="completed", completed_at=timezone.now())
    project.refresh_from_db()

    updated = project_update(project=project, actor=pm, data={"actual_effort_days": "88.5"}, version=1)

    assert updated.actual_effort_days == Decimal("88.5")
    with pytest.raises(ValidationError):
        project_update(project=updated, actor=pm, data={"actual_effort_days": "0"}, version=updated.version)


@pytest.mark.parametrize(
    "data",
    [
        {"status": "done"},
        {"health": "great"},
        {"actual_effort_days": "-1"},
        {"actual_effort_days": "abc"},
        {"actual_effort_days": "1.25"},
        {"actual_effort_days": "NaN"},
        {"effort_not_tracked": "yes"},
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(data, project, pm):
    with pytest.raises(ValidationError):
        project_update(project=project, actor=pm, data=data, version=project.version)

    unchanged = Project.objects.get()
    assert (unchanged.status, unchanged.health, unchanged.version) == ("planning", "on_track", 1)


@pytest.mark.parametrize("persona", ["rep", "other_pm", "manager", "outsider"])
def test_only_its_pm_updates_a_project(persona, request, project):
    with pytest.raises(PermissionDenied):
        project_update(project=project, actor=request.getfixturevalue(persona), data={"health": "at_risk"}, version=1)


# --- project_reassign ---------------------------------------------------------------------------
def test_a_manager_reassigns_a_project(project, other_pm, manager, notified):
    project_reassign(project=project, actor=manager, pm=other_pm)

    assert Project.objects.get().pm == other_pm
    assert notified[0]["event"] == Event.PROJECT_REASSIGNED
    assert list(notified[0]["recipients"]) == [other_pm]


@pytest.mark.parametrize("persona", ["rep", "pm", "other_pm", "outsider"])
def test_only_managers_reassign_projects(persona, request, project, other_pm):
    with pytest.raises(PermissionDenied):
        project_reassign(project=project, actor=request.getfixturevalue(persona), pm=other_pm)


def test_a_project_goes_only_to_a_pm(project, manager):
    with pytest.raises(ValidationError):
        project_reassign(project=project, actor=manager, pm=UserFactory(roles=["sales"]))


def test_a_closed_project_is_not_reassigned(project, other_pm, manager):
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CANCELLED)

    with pytest.raises(TransitionNotAllowed):
        project_reassign(project=project, actor=manager, pm=other_pm)


# --- Kickoff ----------------------------------------------------------------------------------
def kickoff_data(project, *people, **extra):
    return {
        "starts_at": timezone.now() + datetime.timedelta(days=3),
        "duration_minutes": 90,
        "location": "Client HQ",
        "attendees": list(people),
        "contacts": list(project.client.contacts.all()[:1]),
        **extra,
    }


def test_the_pm_schedules_the_kickoff_and_the_attendees_get_the_ics(project, pm, rep, notified):
    meeting = meeting_schedule_kickoff(project=project, actor=pm, data=kickoff_data(project, pm, rep))

    assert meeting.kind == "kickoff"
    assert meeting.title == f"Kickoff: {project.name}"
    assert set(meeting.attendees.all()) == {pm, rep}
    call = notified[0]
    assert call["event"] == Event.KICKOFF_SCHEDULED
    assert set(call["recipients"]) == {pm, rep}
    attachment = call["attachments"][0]
    assert (attachment["filename"], attachment["mimetype"]) == ("kickoff.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in attachment["content"]


def test_the_ics_has_a_stable_uid_the_pm_as_organizer_and_the_attendees(project, pm, rep):
    meeting = meeting_schedule_kickoff(project=project, actor=pm, data=kickoff_data(project, pm, rep))
    contact = meeting.contacts.get()

    event = Calendar.from_ical(meeting_ics(meeting)).walk("VEVENT")[0]

    assert str(event["UID"]) == f"{meeting.uid}@handoff-portal"
    assert str(event["ORGANIZER"]) == f"mailto:{pm.email}"
    attendees = {str(address) for address in event["ATTENDEE"]}
    assert attendees == {f"mailto:{pm.email}", f"mailto:{rep.email}", f"mailto:{contact.email}"}
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=90)


def test_rescheduling_keeps_the_uid_and_bumps_the_sequence(project, pm, rep):
    first = meeting_schedule_kickoff(project=project, actor=pm, data=kickoff_data(project, pm))

    second = meeting_schedule_kickoff(project=project, actor=pm, data=kickoff_data(project, pm, rep, location="Online"))

    assert second.pk == first.pk
    assert Meeting.objects.count() == 1
    event = Calendar.from_ical(meeting_ics(second)).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{first.uid}@handoff-portal"
    assert event["SEQUENCE"] == 1
    assert str(event["LOCATION"]) == "Online"


def test_a_kickoff_invites_only_contacts_of_the_client(project, pm):
    stranger = ContactFactory()

    with pytest.raises(ValidationError) as raised:
        meeting_schedule_kickoff(project=project, actor=pm, data=kickoff_data(project, pm, contacts=[stranger]))

    assert "contacts" in raised.value.message_dict
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "bad", [{"starts_at": None}, {"duration_minutes": 2}, {"attendees": [], "contacts": []}, {"title": "x" * 201}]
)
def test_a_kickoff_with_bad_input_is_refused(bad, project, pm):
    with pytest.raises(ValidationError):
        meeting_schedule_kickoff(project=project, actor=pm, data=kickoff_data(project, pm, **bad))

    assert not Meeting.objects.exists()


@pytest.mark.parametrize("persona", ["rep", "other_pm", "manager"])
def test_only_the_pm_schedules_the_kickoff(persona, request, project, pm):
    with pytest.raises(PermissionDenied):
        meeting_schedule_kickoff(
            project=project, actor=request.getfixturevalue(persona), data=kickoff_data(project, pm)
        )


def test_a_cancelled_project_gets_no_kickoff(project, pm):
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CANCELLED)

    with pytest.raises(TransitionNotAllowed):
        meeting_schedule_kickoff(project=project, actor=pm, data=kickoff_data(project, pm))
