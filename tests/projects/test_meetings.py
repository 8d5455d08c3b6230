"""Regular and recurring project meetings: notes, decisions, action items, join/leave by sales, .ics with RRULE."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.errors import TransitionNotAllowed
from core.models import Activity
from projects.ics import meeting_ics
from projects.models import ActionItem, Meeting, MeetingKind, Project
from projects.services.meetings import (
    StaleMeeting,
    action_item_add,
    action_item_set_done,
    meeting_create,
    meeting_join,
    meeting_leave,
    meeting_update_notes,
    next_occurrence,
)
from projects.services.projects import meeting_schedule_kickoff
from tests.factories import ClientFactory, ContactFactory, UserFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# session, user (with roles and unread count); the meeting (project, client, PM, liaison, author joined), attendees,
# contacts, action items with owners; the activity rows; the notes form's people and contacts, the action
# form's people.
DETAIL_QUERIES = 10
API_LIST_QUERIES = 6  # session, user, count, rows, attendees, contacts
API_ACTION_LIST_QUERIES = 4  # session, user, count, rows (meeting and owner joined)


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


def make_meeting(project, actor, **overrides):
    data = {
        "title": "Weekly status",
        "starts_at": timezone.now() - datetime.timedelta(days=1),
        "duration_minutes": 45,
        "recurrence": "weekly",
        "attendees": [project.pm, project.sales_liaison],
        "contacts": list(project.client.contacts.all()[:1]),
        "notes": "Agenda: progress, risks.",
    }
    data.update(overrides)
    return meeting_create(project=project, actor=actor, data=data)


@pytest.fixture
def meeting(project, pm):
    return make_meeting(project, pm)


@pytest.fixture
def one_off(project, pm):
    return make_meeting(project, pm, title="Design review", recurrence="none")


def url(name, *args):
    return reverse(f"projects:{name}", args=args)


# --- meeting_create ------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["pm", "rep", "manager"])
def test_it_lets_the_pm_the_liaison_and_managers_create_a_meeting(persona, request, project):
    meeting = make_meeting(project, request.getfixturevalue(persona))

    assert meeting.kind == MeetingKind.REGULAR
    assert meeting.recurrence == "weekly"
    assert set(meeting.attendees.all()) == {project.pm, project.sales_liaison}
    assert Activity.objects.filter(verb="meeting_created", target_id=project.pk).exists()


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_it_refuses_a_meeting_from_anyone_else(persona, request, project):
    with pytest.raises(PermissionDenied):
        make_meeting(project, request.getfixturevalue(persona))

    assert not Meeting.objects.exists()


def test_it_gives_a_default_title(project, pm):
    assert make_meeting(project, pm, title="").title == f"Project meeting: {project.name}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"recurrence": "daily"}, "recurrence"),
        ({"starts_at": None}, "starts_at"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"attendees": [], "contacts": []}, "attendees"),
        ({"title": "t" * 201}, "title"),
        ({"decisions": "d" * 10001}, "decisions"),
    ],
)
def test_it_refuses_a_bad_meeting_and_creates_nothing(change, field, project, pm):
    with pytest.raises(ValidationError) as error:
        make_meeting(project, pm, **change)

    assert field in error.value.message_dict
    assert not Meeting.objects.exists()


def test_it_invites_only_contacts_of_the_projects_client(project, pm):
    stranger = ContactFactory(client=ClientFactory())

    with pytest.raises(ValidationError) as error:
        make_meeting(project, pm, contacts=[stranger])

    assert "contacts" in error.value.message_dict
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_closed_project_gets_no_new_meetings(status, project, pm):
    Project.objects.filter(pk=project.pk).update(status=status)

    with pytest.raises(TransitionNotAllowed):
        make_meeting(project, pm)


# --- meeting_update_notes --------------------------------------------------------------------------------
def test_it_keeps_the_notes_decisions_and_people(meeting, project, rep, manager):
    contacts = list(project.client.contacts.all())

    meeting = meeting_update_notes(
        meeting=meeting,
        actor=rep,
        data={
            "notes": "The client wants a demo.",
            "decisions": "Demo on Friday.",
            "attendees": [rep, manager],
            "contacts": contacts,
        },
    )

    meeting.refresh_from_db()
    assert (meeting.notes, meeting.decisions) == ("The client wants a demo.", "Demo on Friday.")
    assert set(meeting.attendees.all()) == {rep, manager}
    assert set(meeting.contacts.all()) == set(contacts)
    activity = Activity.objects.get(verb="notes_updated")
    assert {"notes", "decisions", "attendees", "contacts"} <= set(activity.changes)
    assert meeting.sequence == 0  # the date did not move


def test_moving_the_date_bumps_the_calendar_sequence(meeting, pm):
    later = meeting.starts_at + datetime.timedelta(days=1)

    meeting = meeting_update_notes(meeting=meeting, actor=pm, data={"starts_at": later})

    assert meeting.starts_at == later
    assert meeting.sequence == 1


def test_nothing_changed_writes_nothing(meeting, pm):
    before = Activity.objects.count()

    meeting_update_notes(meeting=meeting, actor=pm, data={"notes": meeting.notes})

    assert Activity.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decisions": "d" * 10001}, "decisions"),
        ({"notes": "n" * 20001}, "notes"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"attendees": [], "contacts": []}, "attendees"),
    ],
)
def test_bad_notes_are_refused_and_change_nothing(data, field, meeting, pm):
    with pytest.raises(ValidationError) as error:
        meeting_update_notes(meeting=meeting, actor=pm, data={"notes": "changed", **data})

    assert field in error.value.message_dict
    meeting.refresh_from_db()
    assert meeting.notes == "Agenda: progress, risks."
    assert meeting.attendees.count() == 2


def test_a_contact_of_another_client_is_refused(meeting, pm):
    stranger = ContactFactory(client=ClientFactory())

    with pytest.raises(ValidationError):
        meeting_update_notes(meeting=meeting, actor=pm, data={"contacts": [stranger], "notes": "x"})

    assert stranger not in meeting.contacts.all()
    meeting.refresh_from_db()
    assert meeting.notes == "Agenda: progress, risks."


def test_a_stale_edit_is_refused(meeting, pm, rep):
    read_at = meeting.updated_at
    meeting_update_notes(meeting=meeting, actor=rep, data={"notes": "Rita's notes"})

    with pytest.raises(StaleMeeting):
        meeting_update_notes(meeting=meeting, actor=pm, data={"notes": "Paula's notes"}, updated_at=read_at)

    meeting.refresh_from_db()
    assert meeting.notes == "Rita's notes"


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_only_the_team_edits_the_notes(persona, request, meeting):
    with pytest.raises(PermissionDenied):
        meeting_update_notes(meeting=meeting, actor=request.getfixturevalue(persona), data={"notes": "x"})


def test_the_kickoff_takes_notes_but_is_rescheduled_only_from_the_project(project, pm):
    kickoff = meeting_schedule_kickoff(project=project, actor=pm, data={"starts_at": timezone.now(), "attendees": [pm]})

    meeting_update_notes(meeting=kickoff, actor=pm, data={"decisions": "Go."})
    with pytest.raises(ValidationError) as error:
        meeting_update_notes(
            meeting=kickoff, actor=pm, data={"starts_at": kickoff.starts_at + datetime.timedelta(days=1)}
        )

    assert "starts_at" in error.value.message_dict
    kickoff.refresh_from_db()
    assert kickoff.decisions == "Go."


# --- Action items ----------------------------------------------------------------------------------------
def test_it_adds_an_action_with_an_owner_and_a_due_date(meeting, pm, rep):
    due = timezone.localdate() + datetime.timedelta(days=5)

    item = action_item_add(meeting=meeting, actor=pm, text=" Send the plan ", owner=rep, due=due)

    assert (item.text, item.owner, item.due, item.done) == ("Send the plan", rep, due, False)
    assert Activity.objects.filter(verb="action_item_added", target_id=meeting.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "t" * 501}, "text"),
        ({"owner": None}, "owner"),
        ({"owner": 999999}, "owner"),
        ({"owner": "abc"}, "owner"),
        ({"due": "soon"}, "due"),
        ({"due": datetime.date(2000, 1, 1)}, "due"),
    ],
)
def test_a_bad_action_is_refused_and_nothing_is_added(change, field, meeting, pm, rep):
    data = {"text": "Send the plan", "owner": rep, "due": None, **change}

    with pytest.raises(ValidationError) as error:
        action_item_add(meeting=meeting, actor=pm, **data)

    assert field in error.value.message_dict
    assert not ActionItem.objects.exists()


def test_an_inactive_owner_is_refused(meeting, pm):
    gone = UserFactory(username="gone", is_active=False, roles=["pm"])

    with pytest.raises(ValidationError):
        action_item_add(meeting=meeting, actor=pm, text="x", owner=gone)


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_only_the_team_adds_actions(persona, request, meeting, rep):
    with pytest.raises(PermissionDenied):
        action_item_add(meeting=meeting, actor=request.getfixturevalue(persona), text="x", owner=rep)

    assert not ActionItem.objects.exists()


def test_the_owner_ticks_their_action_off_once(meeting, pm, other_rep):
    item = action_item_add(meeting=meeting, actor=pm, text="Call the CFO", owner=other_rep)

    action_item_set_done(item=item, actor=other_rep, done=True)
    item = action_item_set_done(item=item, actor=other_rep, done=True)

    assert item.done and item.done_at is not None
    assert Activity.objects.filter(verb="action_item_done").count() == 1
    item = action_item_set_done(item=item, actor=pm, done=False)
    assert not item.done and item.done_at is None


@pytest.mark.parametrize("persona", ["other_pm", "outsider"])
def test_others_cannot_tick_an_action_off(persona, request, meeting, pm, rep):
    item = action_item_add(meeting=meeting, actor=pm, text="Call the CFO", owner=rep)

    with pytest.raises(PermissionDenied):
        action_item_set_done(item=item, actor=request.getfixturevalue(persona), done=True)

    item.refresh_from_db()
    assert not item.done


# --- Join and leave ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["other_rep", "other_pm"])
def test_sales_and_pms_join_and_leave_a_recurring_meeting(persona, request, meeting):
    user = request.getfixturevalue(persona)

    meeting_join(meeting=meeting, actor=user)
    meeting_join(meeting=meeting, actor=user)

    assert user in meeting.attendees.all()
    assert Activity.objects.filter(verb="joined", target_id=meeting.pk).count() == 1
    meeting_leave(meeting=meeting, actor=user)
    meeting_leave(meeting=meeting, actor=user)
    assert user not in meeting.attendees.all()
    assert Activity.objects.filter(verb="left", target_id=meeting.pk).count() == 1


@pytest.mark.parametrize("persona", ["outsider", "manager"])
def test_only_sales_and_pms_join(persona, request, meeting):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        meeting_join(meeting=meeting, actor=user)

    assert user not in meeting.attendees.all()


def test_a_one_off_meeting_is_not_open_to_join(one_off, other_rep):
    with pytest.raises(TransitionNotAllowed):
        meeting_join(meeting=one_off, actor=other_rep)

    assert other_rep not in one_off.attendees.all()


def test_the_meetings_of_a_closed_project_are_not_open_to_join(meeting, project, other_rep):
    Project.objects.filter(pk=project.pk).update(status="completed")

    with pytest.raises(TransitionNotAllowed):
        meeting_join(meeting=meeting, actor=other_rep)


# --- Recurrence and the calendar ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("recurrence", "rule"), [("weekly", "FREQ=WEEKLY"), ("biweekly", "INTERVAL=2"), ("monthly", "FREQ=MONTHLY")]
)
def test_the_ics_of_a_recurring_meeting_has_its_rrule(recurrence, rule, project, pm):
    meeting = make_meeting(project, pm, recurrence=recurrence)

    ics = meeting_ics(Meeting.objects.get(pk=meeting.pk))

    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert rule in event["RRULE"].to_ical().decode()
    assert str(event["UID"]) == f"{meeting.uid}@handoff-portal"


def test_a_one_off_meeting_has_no_rrule(one_off):
    assert "RRULE" not in meeting_ics(one_off)


def test_the_next_occurrence_of_a_weekly_meeting(meeting):
    now = meeting.starts_at + datetime.timedelta(days=15)

    assert next_occurrence(meeting, now=now) == meeting.starts_at + datetime.timedelta(days=21)


def test_the_next_occurrence_of_a_monthly_meeting_keeps_the_day(project, pm):
    start = timezone.make_aware(datetime.datetime(2026, 1, 31, 10, 0))
    meeting = make_meeting(project, pm, recurrence="monthly", starts_at=start)

    nxt = next_occurrence(meeting, now=start + datetime.timedelta(days=3))

    assert timezone.localtime(nxt).date() == datetime.date(2026, 2, 28)
    assert timezone.localtime(nxt).hour == 10


def test_a_past_one_off_meeting_has_no_next_occurrence(one_off):
    assert next_occurrence(one_off, now=one_off.starts_at + datetime.timedelta(days=1)) is None


# --- Pages ---------------------------------------------------------------------------------------------------
def test_the_project_page_loads_its_meetings_after_it(client_as, project, pm, meeting):
    page = client_as(pm).get(url("detail", project.pk)).content.decode()

    assert f'hx-get="{url("meeting_section", project.pk)}" hx-trigger="load"' in page
    assert 'id="meetings"' in page
    assert "Reschedule kickoff" not in page and "Schedule kickoff" in page  # no kickoff yet (the weekly is none)


def test_the_project_page_offers_to_reschedule_a_scheduled_kickoff(client_as, project, pm):
    meeting_schedule_kickoff(project=project, actor=pm, data={"starts_at": timezone.now(), "attendees": [pm]})

    assert "Reschedule kickoff" in client_as(pm).get(url("detail", project.pk)).content.decode()


def test_the_meeting_section_lists_upcoming_and_past_meetings(client_as, project, pm, meeting, one_off):
    page = client_as(pm).get(url("meeting_section", project.pk), **HTMX).content.decode()

    section = page[page.index('id="meetings"') :]
    assert section.index("Upcoming") < section.index("Weekly status") < section.index("Past")
    assert section.index("Past") < section.index("Design review")
    assert url("meeting_detail", meeting.pk) in section
    assert 'data-testid="meeting-new"' in section


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_others_see_the_meetings_without_the_new_button(persona, request, client_as, project, meeting):
    page = client_as(request.getfixturevalue(persona)).get(url("meeting_section", project.pk), **HTMX).content.decode()

    assert "Weekly status" in page
    assert 'data-testid="meeting-new"' not in page


def test_the_team_creates_a_meeting_from_the_modal(client_as, project, pm, rep):
    client = client_as(rep)
    form = client.get(url("meeting_create", project.pk), **HTMX).content.decode()
    assert 'name="recurrence"' in form and "<html" not in form

    response = client.post(
        url("meeting_create", project.pk),
        {
            "title": "Weekly status",
            "starts_at": "2030-03-04T10:00",
            "duration_minutes": "30",
            "recurrence": "biweekly",
            "attendees": [pm.pk, rep.pk],
        },
        **HTMX,
    )

    assert response.status_code == 200
    meeting = Meeting.objects.get()
    assert response["HX-Redirect"] == url("meeting_detail", meeting.pk)
    assert (meeting.recurrence, meeting.duration_minutes, meeting.created_by) == ("biweekly", 30, rep)


def test_a_bad_meeting_is_an_inline_error_in_the_modal(client_as, project, pm):
    response = client_as(pm).post(
        url("meeting_create", project.pk),
        {"title": "x", "starts_at": "", "duration_minutes": "30", "recurrence": "weekly"},
        **HTMX,
    )

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_others_cannot_open_or_post_the_meeting_form(persona, request, client_as, project, pm):
    client = client_as(request.getfixturevalue(persona))

    assert client.get(url("meeting_create", project.pk)).status_code == 403
    response = client.post(
        url("meeting_create", project.pk),
        {"starts_at": "2030-03-04T10:00", "duration_minutes": "30", "recurrence": "weekly", "attendees": [pm.pk]},
    )
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_the_meeting_page_shows_notes_decisions_actions_and_people(client_as, meeting, pm, rep, project):
    meeting_update_notes(meeting=meeting, actor=pm, data={"decisions": "Ship in May."})
    action_item_add(meeting=meeting, actor=pm, text="Send the plan", owner=rep)

    response = client_as(pm).get(url("meeting_detail", meeting.pk))

    page = response.content.decode()
    assert "<title>Weekly status · " in page
    assert project.name in page  # breadcrumbs
    for text in ("Agenda: progress, risks.", "Ship in May.", "Send the plan", "Rita Rep", "Weekly"):
        assert text in page
    assert 'data-testid="notes-form"' in page and 'data-testid="action-form"' in page
    assert url("meeting_ics", meeting.pk) in page
    assert "style=" not in page and "<script>" not in page


def test_a_rep_sees_the_join_button_but_no_edit_forms(client_as, meeting, other_rep):
    page = client_as(other_rep).get(url("meeting_detail", meeting.pk)).content.decode()

    assert 'data-testid="meeting-join"' in page
    assert 'data-testid="notes-form"' not in page and 'data-testid="action-form"' not in page


def test_an_outsider_reads_but_gets_no_join_button(client_as, meeting, outsider):
    page = client_as(outsider).get(url("meeting_detail", meeting.pk)).content.decode()

    assert "Weekly status" in page
    assert 'data-testid="meeting-join"' not in page


def test_a_one_off_meeting_has_no_join_button(client_as, one_off, other_rep):
    assert (
        'data-testid="meeting-join"' not in client_as(other_rep).get(url("meeting_detail", one_off.pk)).content.decode()
    )


def test_a_missing_meeting_is_404(client_as, pm):
    assert client_as(pm).get(url("meeting_detail", 999999)).status_code == 404


def test_the_meeting_page_query_count_is_pinned_and_does_not_grow(
    client_as, meeting, project, pm, rep, other_rep, django_assert_num_queries
):
    client = client_as(pm)
    client.get(url("meeting_detail", meeting.pk))  # warms the content-type cache, as in a running server
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url("meeting_detail", meeting.pk))
    for index in range(8):
        owner = UserFactory(username=f"owner{index}", roles=["pm"])
        action_item_add(meeting=meeting, actor=pm, text=f"Action {index}", owner=owner)
        meeting_join(meeting=meeting, actor=owner)
    ContactFactory.create_batch(3, client=project.client)
    meeting_update_notes(meeting=meeting, actor=pm, data={"contacts": list(project.client.contacts.all())})

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url("meeting_detail", meeting.pk))

    assert "Action 7" in response.content.decode()


def test_the_team_saves_the_notes_inline(client_as, meeting, pm, rep, project):
    contact = project.client.contacts.first()
    response = client_as(rep).post(
        url("meeting_notes", meeting.pk),
        {
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "attendees": [pm.pk, rep.pk],
            "contacts": [contact.pk],
            "notes": "Discussed the VAT bug.",
            "decisions": "Hotfix this week.",
            "updated_at": meeting.updated_at.isoformat(),
        },
        **HTMX,
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content and 'id="notes"' in content
    assert "Hotfix this week." in content
    meeting.refresh_from_db()
    assert meeting.decisions == "Hotfix this week."


def test_a_stale_notes_form_shows_the_newer_notes(client_as, meeting, pm, rep):
    read_at = meeting.updated_at.isoformat()
    meeting_update_notes(meeting=meeting, actor=rep, data={"notes": "Rita was faster."})

    response = client_as(pm).post(
        url("meeting_notes", meeting.pk),
        {
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "attendees": [pm.pk],
            "notes": "Paula's version",
            "updated_at": read_at,
        },
        **HTMX,
    )

    content = response.content.decode()
    assert "Someone else saved this meeting" in content
    assert "Rita was faster." in content
    meeting.refresh_from_db()
    assert meeting.notes == "Rita was faster."


def test_bad_notes_are_an_inline_error(client_as, meeting, pm):
    response = client_as(pm).post(
        url("meeting_notes", meeting.pk), {"starts_at": "", "notes": "x", "attendees": [pm.pk]}, **HTMX
    )

    assert 'class="field-error"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.notes == "Agenda: progress, risks."


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_others_cannot_post_notes_or_actions(persona, request, client_as, meeting, rep):
    client = client_as(request.getfixturevalue(persona))

    assert client.post(url("meeting_notes", meeting.pk), {"notes": "x"}).status_code == 403
    assert client.post(url("action_item_add", meeting.pk), {"text": "x", "owner": rep.pk}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.notes == "Agenda: progress, risks."
    assert not ActionItem.objects.exists()


def test_the_team_adds_an_action_and_ticks_it_off_with_htmx(client_as, meeting, pm, rep):
    client = client_as(pm)
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()

    response = client.post(
        url("action_item_add", meeting.pk), {"text": "Send the plan", "owner": rep.pk, "due": due}, **HTMX
    )

    assert response.status_code == 200
    assert "Send the plan" in response.content.decode() and 'id="actions"' in response.content.decode()
    item = ActionItem.objects.get()
    response = client.post(url("action_item_done", item.pk), {"done": "1"}, **HTMX)
    assert "Reopen" in response.content.decode()
    item.refresh_from_db()
    assert item.done


def test_a_bad_action_is_an_inline_error(client_as, meeting, pm):
    response = client_as(pm).post(url("action_item_add", meeting.pk), {"text": "", "owner": ""}, **HTMX)

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not ActionItem.objects.exists()


def test_the_owner_ticks_off_from_the_meeting_page_others_get_403(client_as, meeting, pm, other_rep, other_pm):
    item = action_item_add(meeting=meeting, actor=pm, text="Call the CFO", owner=other_rep)

    assert client_as(other_pm).post(url("action_item_done", item.pk), {"done": "1"}).status_code == 403
    response = client_as(other_rep).post(url("action_item_done", item.pk), {"done": "1"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done


def test_a_rep_joins_and_leaves_with_htmx(client_as, meeting, other_rep):
    client = client_as(other_rep)

    response = client.post(url("meeting_join", meeting.pk), **HTMX)

    assert 'data-testid="meeting-leave"' in response.content.decode()
    assert other_rep in meeting.attendees.all()
    response = client.post(url("meeting_leave", meeting.pk), **HTMX)
    assert 'data-testid="meeting-join"' in response.content.decode()
    assert other_rep not in meeting.attendees.all()


def test_joining_a_one_off_meeting_shows_the_refusal(client_as, one_off, other_rep):
    response = client_as(other_rep).post(url("meeting_join", one_off.pk), **HTMX)

    assert "Only recurring project meetings" in response.content.decode()
    assert other_rep not in one_off.attendees.all()


def test_an_outsider_cannot_join(client_as, meeting, outsider):
    assert client_as(outsider).post(url("meeting_join", meeting.pk)).status_code == 403
    assert outsider not in meeting.attendees.all()


# --- Home -------------------------------------------------------------------------------------------------------
def test_the_home_page_lists_my_open_actions_with_the_overdue_ones_marked(client_as, project, pm, rep):
    meeting = make_meeting(project, pm, starts_at=timezone.now() - datetime.timedelta(days=10))
    today = timezone.localdate()
    action_item_add(meeting=meeting, actor=pm, text="Late one", owner=rep, due=today - datetime.timedelta(days=2))
    action_item_add(meeting=meeting, actor=pm, text="Next week", owner=rep, due=today + datetime.timedelta(days=7))
    done = action_item_add(meeting=meeting, actor=pm, text="Already done", owner=rep)
    action_item_set_done(item=done, actor=rep, done=True)
    action_item_add(meeting=meeting, actor=pm, text="Paula's own", owner=pm)

    page = client_as(rep).get("/").content.decode()

    section = page[page.index('data-testid="home-action-items"') :]
    section = section[: section.index("</section>")]
    assert section.index("Late one") < section.index("Next week")
    assert section.count("badge--overdue") == 1
    assert "Already done" not in section and "Paula's own" not in section
    assert url("meeting_detail", meeting.pk) in section


def test_the_home_page_has_an_empty_action_state(client_as, rep):
    assert "No open action items" in client_as(rep).get("/").content.decode()


# --- API ---------------------------------------------------------------------------------------------------------
def regular_body(project, *people, **overrides):
    body = {
        "project": project.pk,
        "kind": "regular",
        "recurrence": "weekly",
        "title": "Weekly status",
        "starts_at": "2030-03-04T10:00:00+01:00",
        "duration_minutes": 30,
        "attendees": [person.pk for person in people],
        "contacts": [],
    }
    body.update(overrides)
    return body


def test_the_api_creates_a_recurring_meeting(api_as, project, pm, rep):
    response = api_as(rep).post("/api/v1/meetings/", regular_body(project, pm, rep), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["recurrence"]) == ("regular", "weekly")
    assert Meeting.objects.get().created_by == rep


def test_the_api_still_schedules_the_kickoff_by_default(api_as, project, pm):
    body = regular_body(project, pm)
    del body["kind"], body["recurrence"]

    response = api_as(pm).post("/api/v1/meetings/", body, format="json")

    assert response.status_code == 201
    assert response.json()["kind"] == "kickoff"


@pytest.mark.parametrize(
    "change", [{"recurrence": "daily"}, {"starts_at": "soon"}, {"attendees": []}, {"kind": "kickoff"}]
)
def test_the_api_answers_400_to_a_bad_meeting(change, api_as, project, pm):
    response = api_as(pm).post("/api/v1/meetings/", regular_body(project, pm, **change), format="json")

    assert response.status_code == 400
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_the_api_answers_403_to_a_meeting_from_others(persona, request, api_as, project, pm):
    response = api_as(request.getfixturevalue(persona)).post(
        "/api/v1/meetings/", regular_body(project, pm), format="json"
    )

    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_the_api_answers_409_on_a_closed_project(api_as, project, pm):
    Project.objects.filter(pk=project.pk).update(status="cancelled")

    response = api_as(pm).post("/api/v1/meetings/", regular_body(project, pm), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_the_api_patches_the_notes(api_as, meeting, pm, rep, project):
    contact = project.client.contacts.first()

    response = api_as(rep).patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {
            "notes": "Minutes.",
            "decisions": "Go.",
            "contacts": [contact.pk],
            "updated_at": meeting.updated_at.isoformat(),
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["notes"], response.json()["decisions"]) == ("Minutes.", "Go.")
    assert response.json()["contacts"] == [contact.pk]


def test_the_api_answers_409_to_a_stale_patch(api_as, meeting, pm, rep):
    read_at = meeting.updated_at.isoformat()
    meeting_update_notes(meeting=meeting, actor=rep, data={"notes": "First."})

    response = api_as(pm).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"notes": "Second.", "updated_at": read_at}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    meeting.refresh_from_db()
    assert meeting.notes == "First."


def test_the_api_answers_400_to_a_contact_of_another_client(api_as, meeting, pm):
    stranger = ContactFactory(client=ClientFactory())

    response = api_as(pm).patch(f"/api/v1/meetings/{meeting.pk}/", {"contacts": [stranger.pk]}, format="json")

    assert response.status_code == 400
    assert "contacts" in response.json()


@pytest.mark.parametrize("persona", ["other_rep", "outsider"])
def test_the_api_answers_403_to_a_patch_from_others(persona, request, api_as, meeting):
    response = api_as(request.getfixturevalue(persona)).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"notes": "x"}, format="json"
    )

    assert response.status_code == 403


def test_the_api_answers_404_to_an_unknown_meeting(api_as, pm):
    assert api_as(pm).patch("/api/v1/meetings/999999/", {"notes": "x"}, format="json").status_code == 404
    assert api_as(pm).post("/api/v1/meetings/999999/join/").status_code == 404


def test_the_api_joins_and_leaves(api_as, meeting, other_rep):
    client = api_as(other_rep)

    response = client.post(f"/api/v1/meetings/{meeting.pk}/join/")

    assert response.status_code == 200
    assert other_rep.pk in response.json()["attendees"]
    assert client.get(f"/api/v1/meetings/?attendee={other_rep.pk}").json()["count"] == 1
    response = client.post(f"/api/v1/meetings/{meeting.pk}/leave/")
    assert other_rep.pk not in response.json()["attendees"]


def test_the_api_answers_409_to_joining_a_one_off_meeting(api_as, one_off, other_rep):
    response = api_as(other_rep).post(f"/api/v1/meetings/{one_off.pk}/join/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_joinable"


def test_the_api_answers_403_to_an_outsider_joining(api_as, meeting, outsider):
    assert api_as(outsider).post(f"/api/v1/meetings/{meeting.pk}/join/").status_code == 403


def test_the_api_meeting_detail_has_the_action_items(api_as, meeting, pm, rep):
    action_item_add(meeting=meeting, actor=pm, text="Send the plan", owner=rep)

    body = api_as(rep).get(f"/api/v1/meetings/{meeting.pk}/").json()

    assert body["recurrence"] == "weekly"
    assert [item["text"] for item in body["action_items"]] == ["Send the plan"]


def test_the_api_meeting_list_query_count_is_pinned(api_as, project, meeting, pm, rep, django_assert_num_queries):
    client = api_as(rep)
    with django_assert_num_queries(API_LIST_QUERIES):
        client.get("/api/v1/meetings/?recurrence=weekly")
    for index in range(5):
        make_meeting(project, pm, title=f"M{index}")

    with django_assert_num_queries(API_LIST_QUERIES):
        assert client.get("/api/v1/meetings/?recurrence=weekly").json()["count"] == 6


def test_the_api_adds_lists_and_ticks_off_action_items(api_as, meeting, pm, rep, other_rep):
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = api_as(pm).post(
        "/api/v1/action-items/",
        {"meeting": meeting.pk, "text": "Send the plan", "owner": rep.pk, "due": due},
        format="json",
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]

    listing = api_as(other_rep).get(f"/api/v1/action-items/?owner={rep.pk}&done=false").json()
    assert [row["id"] for row in listing["results"]] == [item_id]
    response = api_as(rep).patch(f"/api/v1/action-items/{item_id}/", {"done": True}, format="json")
    assert response.status_code == 200
    assert response.json()["done"] is True


@pytest.mark.parametrize(
    "change", [{"owner": None}, {"owner": 999999}, {"text": ""}, {"due": "2000-01-01"}, {"due": "someday"}]
)
def test_the_api_answers_400_to_a_bad_action_item(change, api_as, meeting, pm, rep):
    body = {"meeting": meeting.pk, "text": "Send the plan", "owner": rep.pk, **change}

    response = api_as(pm).post("/api/v1/action-items/", body, format="json")

    assert response.status_code == 400
    assert not ActionItem.objects.exists()


def test_the_api_answers_403_to_others_on_action_items(api_as, meeting, pm, rep, other_pm):
    item = action_item_add(meeting=meeting, actor=pm, text="x", owner=rep)
    client = api_as(other_pm)

    assert (
        client.post(
            "/api/v1/action-items/", {"meeting": meeting.pk, "text": "y", "owner": rep.pk}, format="json"
        ).status_code
        == 403
    )
    assert client.patch(f"/api/v1/action-items/{item.pk}/", {"done": True}, format="json").status_code == 403
    item.refresh_from_db()
    assert not item.done and ActionItem.objects.count() == 1


def test_the_api_answers_400_to_a_patch_with_a_bad_done(api_as, meeting, pm, rep):
    item = action_item_add(meeting=meeting, actor=pm, text="x", owner=rep)

    assert api_as(pm).patch(f"/api/v1/action-items/{item.pk}/", {"done": "maybe"}, format="json").status_code == 400


def test_the_api_action_item_list_query_count_is_pinned(api_as, meeting, pm, rep, django_assert_num_queries):
    client = api_as(rep)
    action_item_add(meeting=meeting, actor=pm, text="first", owner=rep)
    with django_assert_num_queries(API_ACTION_LIST_QUERIES):
        client.get("/api/v1/action-items/")
    for index in range(10):
        action_item_add(meeting=meeting, actor=pm, text=f"Item {index}", owner=pm)

    with django_assert_num_queries(API_ACTION_LIST_QUERIES):
        assert client.get("/api/v1/action-items/").json()["count"] == 11


def test_the_meeting_section_queries_do_not_grow_with_meetings_and_actions(client_as, project, pm, rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(pm)
    make_meeting(project, pm)
    client.get(url("meeting_section", project.pk), **HTMX)
    with CaptureQueriesContext(connection) as before:
        client.get(url("meeting_section", project.pk), **HTMX)
    for index in range(6):
        meeting = make_meeting(project, pm, title=f"Meeting {index}", recurrence="none" if index % 2 else "weekly")
        action_item_add(meeting=meeting, actor=pm, text=f"Action {index}", owner=rep)

    with CaptureQueriesContext(connection) as after:
        response = client.get(url("meeting_section", project.pk), **HTMX)

    # session, user, project, meetings (open action items counted), attendees, contacts
    assert len(before) == len(after) == 6
    assert "Meeting 5" in response.content.decode()


# --- In a real browser ---------------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_low_pulse_and_a_joined_weekly_meeting_in_the_browser(page, live_server, rep, pm, other_rep):
    from playwright.sync_api import expect

    from tests.browser import login, screenshot, switch_user

    project = accepted_project(owner=rep, pm=pm)
    meeting = make_meeting(project, pm)
    action_item_add(
        meeting=meeting,
        actor=pm,
        text="Send the plan",
        owner=rep,
        due=timezone.localdate() + datetime.timedelta(days=3),
    )

    # The PM logs a low pulse inline on the project page.
    login(page, live_server, pm)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.select_option("#id_pulse_mood", "2")
    page.select_option("#id_pulse_urgency", "5")
    page.select_option("#id_pulse_satisfaction", "2")
    page.fill("#id_pulse_note", "Upset about the invoices.")
    page.get_by_test_id("pulse-submit").click()
    expect(page.locator("#pulse")).to_contain_text("Low mood")
    expect(page.locator("#messages")).to_contain_text("the sales liaison and the managers are alerted")
    expect(page.get_by_test_id("pulse-chart")).to_be_visible()
    screenshot(page, "project-pulse")

    # Another rep joins the weekly meeting from its page; the rep's inbox has the alert.
    switch_user(page, live_server, other_rep)
    page.goto(f"{live_server.url}/projects/meetings/{meeting.pk}/")
    page.get_by_test_id("meeting-join").click()
    expect(page.get_by_test_id("meeting-leave")).to_be_visible()
    expect(page.locator("#attendees")).to_contain_text("Otto Other")
    screenshot(page, "meeting-detail")

    switch_user(page, live_server, rep)
    expect(page.get_by_test_id("home-action-items")).to_contain_text("Send the plan")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("main")).to_contain_text("Low client mood")


# --- Bad input at the edges of the API ------------------------------------------------------------------------------
@pytest.mark.parametrize("starts_at", ["0061-11-28T11:05:08Z", "2100-01-01T10:00:00Z"])
def test_the_api_refuses_a_meeting_outside_2000_to_2099(starts_at, api_as, meeting, project, pm):
    created = api_as(pm).post("/api/v1/meetings/", regular_body(project, pm, starts_at=starts_at), format="json")
    patched = api_as(pm).patch(f"/api/v1/meetings/{meeting.pk}/", {"starts_at": starts_at}, format="json")

    assert created.status_code == patched.status_code == 400
    assert "starts_at" in created.json() and "starts_at" in patched.json()
    assert Meeting.objects.count() == 1


def test_the_service_refuses_a_meeting_outside_2000_to_2099(project, pm):
    with pytest.raises(ValidationError) as error:
        make_meeting(project, pm, starts_at=timezone.make_aware(datetime.datetime(1999, 12, 31, 10, 0)))

    assert "starts_at" in error.value.message_dict


@pytest.mark.parametrize("body", [{"attendees": [2**70]}, {"contacts": [-3]}, {"attendees": ["x"]}])
def test_the_api_refuses_ids_no_row_can_have(body, api_as, meeting, pm):
    response = api_as(pm).patch(f"/api/v1/meetings/{meeting.pk}/", body, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("query", ["done=null", "done=2", "owner=0.5", "meeting=abc", "project=-1"])
def test_the_api_refuses_a_malformed_action_item_filter(query, api_as, pm):
    assert api_as(pm).get(f"/api/v1/action-items/?{query}").status_code == 400


@pytest.mark.parametrize("query", ["attendee=0.5", "recurrence=daily"])
def test_the_api_refuses_a_malformed_meeting_filter(query, api_as, pm):
    assert api_as(pm).get(f"/api/v1/meetings/?{query}").status_code == 400


@pytest.mark.parametrize("done", [0, 0.0, "yes", None])
def test_the_api_refuses_a_done_that_is_not_true_or_false(done, api_as, meeting, pm, rep):
    item = action_item_add(meeting=meeting, actor=pm, text="x", owner=rep)

    response = api_as(pm).patch(f"/api/v1/action-items/{item.pk}/", {"done": done}, format="json")

    assert response.status_code == 400
    item.refresh_from_db()
    assert not item.done


def test_an_empty_patch_changes_nothing(api_as, meeting, pm, rep):
    item = action_item_add(meeting=meeting, actor=pm, text="x", owner=rep)

    response = api_as(rep).patch(f"/api/v1/action-items/{item.pk}/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["done"] is False


def test_without_javascript_the_meeting_form_is_a_page_and_keeps_its_errors(client_as, project, pm):
    client = client_as(pm)

    page = client.get(url("meeting_create", project.pk)).content.decode()
    response = client.post(url("meeting_create", project.pk), {"title": "x", "starts_at": "", "recurrence": "weekly"})

    assert "<title>New meeting · " in page and 'lang="en"' in page
    assert "hx-post" not in page[page.index('<form class="form"') :]
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Meeting.objects.exists()


# --- Concurrency, on real PostgreSQL -----------------------------------------------------------------------------------
def _at_once(work, callers: int = 8) -> list:
    import threading

    from django.db import connection

    barrier = threading.Barrier(callers)
    results: list = []

    def target() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work())
        except Exception as exc:  # the test asserts on what came back
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_ticks_and_joins_count_once(project, pm, rep, other_rep):
    meeting = make_meeting(project, pm)
    item = action_item_add(meeting=meeting, actor=pm, text="Call the CFO", owner=rep)

    ticks = _at_once(lambda: action_item_set_done(item=ActionItem.objects.get(pk=item.pk), actor=rep, done=True).done)
    joins = _at_once(lambda: meeting_join(meeting=Meeting.objects.get(pk=meeting.pk), actor=other_rep).pk)

    assert ticks == [True] * 8
    assert joins == [meeting.pk] * 8
    assert Activity.objects.filter(verb="action_item_done").count() == 1
    assert Activity.objects.filter(verb="joined").count() == 1
    assert list(meeting.attendees.filter(pk=other_rep.pk)) == [other_rep]
