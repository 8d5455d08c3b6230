"""Project pages: the filtered list, the one-screen detail, the PM's inline state edit, kickoff, .ics, reassign."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from projects.models import Meeting, Project
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST_QUERIES = 6  # session, user (with roles and unread count), count, rows, PM choices, client choices
# The project page with one or many of every after-handoff record: session, user (with roles and unread count),
# the project (client, PM, liaison and snapshot joined, whether a kickoff is scheduled), commitments, risks (owners
# joined), deliverables (who decided joined), change requests (who raised joined), their approvals (users joined).
# Its lower sections load by htmx after it, each in its own request (SECTION_QUERIES below; the client issues,
# client links and documents have their own pins).
DETAIL_QUERIES = 8
# Each lower section: session, user, the project (client and people joined), then its rows.
SECTION_QUERIES = {
    "meeting_section": 6,  # meetings (open action items counted), attendees, contacts
    "pulse_section": 4,  # the latest pulses (who recorded them joined)
    "follow_up_section": 4,  # follow-ups (who raised and decided them, their offer joined)
    "lesson_section": 4,  # lessons (authors joined)
    "activity_section": 4,  # the activity rows (actors joined)
}


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


# --- List --------------------------------------------------------------------------------------
def test_the_list_shows_projects_to_everyone_signed_in(client_as, project, outsider):
    page = client_as(outsider).get(reverse("projects:list")).content.decode()

    assert project.name in page


def test_the_list_has_an_empty_state(client_as, rep):
    assert "No projects yet" in client_as(rep).get(reverse("projects:list")).content.decode()


def test_the_list_filters_by_health_and_answers_htmx_with_the_table(client_as, project, rep, pm):
    other = accepted_project(owner=rep, pm=pm, title="Troubled")
    Project.objects.filter(pk=other.pk).update(health="off_track")

    response = client_as(rep).get(reverse("projects:list"), {"health": "off_track"}, **HTMX)

    content = response.content.decode()
    assert "<html" not in content
    assert "Troubled" in content
    assert project.name not in content


def test_the_list_is_paginated(client_as, rep, pm):
    for index in range(26):
        accepted_project(owner=rep, pm=pm, title=f"Project {index:02d}", with_contacts=False)

    page = client_as(rep).get(reverse("projects:list")).content.decode()

    assert "Page 1 of 2" in page


def test_the_list_query_count_is_pinned_and_does_not_grow(client_as, project, rep, pm, django_assert_num_queries):
    client = client_as(rep)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("projects:list"))
    for index in range(20):
        accepted_project(owner=rep, pm=pm, title=f"More {index}", with_contacts=False)

    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("projects:list"))


# --- Detail --------------------------------------------------------------------------------------
def test_the_page_shows_what_was_sold_beside_the_current_values(client_as, project, rep):
    page = client_as(rep).get(detail(project)).content.decode()

    for text in (
        "What was sold, and where it stands",
        "€48,000.00",
        "60.0 estimated",
        "Go-live before 1 March",
        "Legacy interfaces undocumented",
        "Design signed off",
        "Paula Manager",
        "Rita Rep",
        "Carla CEO",
    ):
        assert text in page, text
    assert "competitor" not in page


def _now_effort(page: str) -> str:
    start = page.index('data-testid="now-effort">') + len('data-testid="now-effort">')
    return page[start : page.index("</td>", start)]


def test_the_sold_vs_now_effort_says_what_is_known_instead_of_zero_spent(client_as, project, rep):
    # Not "0.0 spent" for a project whose effort nobody entered (issue 18).
    assert _now_effort(client_as(rep).get(detail(project)).content.decode()) == "not entered yet"

    Project.objects.filter(pk=project.pk).update(effort_not_tracked=True)
    assert _now_effort(client_as(rep).get(detail(project)).content.decode()) == "not tracked"

    Project.objects.filter(pk=project.pk).update(effort_not_tracked=False, actual_effort_days="42.5")
    assert _now_effort(client_as(rep).get(detail(project)).content.decode()) == "42.5 spent"


def test_the_pm_gets_the_edit_form_and_the_kickoff_button(client_as, project, pm):
    page = client_as(pm).get(detail(project)).content.decode()

    assert 'data-testid="save-state"' in page
    assert 'data-testid="kickoff"' in page
    assert 'data-testid="reassign"' not in page


@pytest.mark.parametrize("persona", ["rep", "other_pm", "outsider"])
def test_others_get_no_edit_controls(persona, request, client_as, project):
    page = client_as(request.getfixturevalue(persona)).get(detail(project)).content.decode()

    assert 'data-testid="save-state"' not in page
    assert 'data-testid="kickoff"' not in page
    assert 'data-testid="reassign"' not in page


def test_managers_get_the_reassign_button(client_as, project, manager):
    assert 'data-testid="reassign"' in client_as(manager).get(detail(project)).content.decode()


def _after_handoff_records(project, *, count: int, pm, rep) -> None:
    """``count`` of every kind of record the project page shows, written straight to the tables."""
    from projects.models import (
        ActionItem,
        ChangeRequest,
        ChangeRequestApproval,
        ClientIssue,
        ClientPulse,
        Deliverable,
        FollowUp,
        LessonLearned,
        ProjectRisk,
    )

    contact = project.client.contacts.first()
    for index in range(count):
        Deliverable.objects.create(
            project=project,
            name=f"Deliverable {index}",
            status="accepted",
            decided_by=contact,
            decided_at=timezone.now(),
        )
        ProjectRisk.objects.create(project=project, title=f"Risk {index}", probability=2, impact=3, owner=rep)
        change = ChangeRequest.objects.create(project=project, title=f"Change {index}", cost_impact=100, raised_by=pm)
        ChangeRequestApproval.objects.create(change_request=change, user=pm, capacity="pm")
        ChangeRequestApproval.objects.create(change_request=change, user=rep, capacity="sales_liaison")
        ClientPulse.objects.create(project=project, mood=index % 5 + 1, urgency=3, satisfaction=4, recorded_by=rep)
        FollowUp.objects.create(project=project, title=f"Follow-up {index}", estimated_value=1000, raised_by=pm)
        LessonLearned.objects.create(project=project, client=project.client, text=f"Lesson {index}", author=pm)
        issue = ClientIssue.objects.create(
            client=project.client, project=project, title=f"Issue {index}", created_by=rep
        )
        issue.assignees.set([pm, rep])
        meeting = Meeting.objects.create(
            project=project, title=f"Weekly {index}", starts_at=timezone.now(), recurrence="weekly", created_by=pm
        )
        meeting.attendees.set([pm, rep])
        meeting.contacts.set([contact])
        ActionItem.objects.create(meeting=meeting, text=f"Action {index}", owner=rep)


@pytest.mark.parametrize("persona", ["pm", "rep", "manager", "other_rep"])
def test_the_detail_query_count_is_pinned_and_does_not_grow(
    request, persona, project, pm, rep, client_as, django_assert_num_queries
):
    """One of every record, then ten more of each: the same queries (the PM's, the liaison's, anyone's view)."""
    from projects.services.projects import meeting_schedule_kickoff, project_update

    meeting_schedule_kickoff(
        project=project,
        actor=pm,
        data={"starts_at": timezone.now(), "attendees": [pm], "contacts": list(project.client.contacts.all()[:1])},
    )
    _after_handoff_records(project, count=1, pm=pm, rep=rep)
    client = client_as(request.getfixturevalue(persona))
    client.get(detail(project))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail(project))
    for health in ("at_risk", "off_track", "on_track", "at_risk"):
        project = project_update(project=project, actor=pm, data={"health": health}, version=project.version)
    _after_handoff_records(project, count=10, pm=pm, rep=rep)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(detail(project))

    page = response.content.decode()
    assert "Deliverable 9" in page
    assert "Change 9" in page


def test_the_activity_section_shows_the_timeline(client_as, project, pm):
    page = client_as(pm).get(reverse("projects:activity_section", args=[project.pk]), **HTMX).content.decode()

    assert "Accepted from the handoff" in page
    assert 'id="project-timeline"' in page  # what the section swaps refresh out of band


# --- The lower sections, loaded after the page ------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SECTION_QUERIES))
def test_the_page_loads_each_lower_section_with_hx_get_and_links_it_without_javascript(name, client_as, project, pm):
    page = client_as(pm).get(detail(project)).content.decode()
    url = reverse(f"projects:{name}", args=[project.pk])

    assert f'hx-get="{url}" hx-trigger="load"' in page
    assert f'href="{url}"' in page


@pytest.mark.parametrize("name", sorted(SECTION_QUERIES))
def test_a_section_is_a_fragment_for_htmx_and_a_page_of_its_own_otherwise(name, client_as, project, outsider):
    url = reverse(f"projects:{name}", args=[project.pk])
    browser = client_as(outsider)  # anyone signed in reads projects (SPEC §2)

    fragment = browser.get(url, **HTMX)
    page = browser.get(url)

    assert fragment.status_code == page.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert "<html" in page.content.decode()
    assert f'href="{detail(project)}"' in page.content.decode()  # back to the project
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in page["Vary"]


@pytest.mark.parametrize("name", sorted(SECTION_QUERIES))
def test_a_section_of_no_such_project_is_not_found(name, client_as, pm):
    assert client_as(pm).get(reverse(f"projects:{name}", args=[999999]), **HTMX).status_code == 404


@pytest.mark.parametrize("name", sorted(SECTION_QUERIES))
def test_a_section_needs_a_signed_in_user(name, client, project):
    response = client.get(reverse(f"projects:{name}", args=[project.pk]), **HTMX)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(SECTION_QUERIES))
def test_a_section_runs_the_same_number_of_queries_whatever_the_rows(
    name, project, pm, rep, client_as, django_assert_num_queries
):
    url = reverse(f"projects:{name}", args=[project.pk])
    _after_handoff_records(project, count=1, pm=pm, rep=rep)
    browser = client_as(pm)
    browser.get(url, **HTMX)  # warms the content-type cache, as in a running server
    with django_assert_num_queries(SECTION_QUERIES[name]):
        browser.get(url, **HTMX)
    _after_handoff_records(project, count=10, pm=pm, rep=rep)

    with django_assert_num_queries(SECTION_QUERIES[name]):
        assert browser.get(url, **HTMX).status_code == 200


# --- Inline state edit -------------------------------------------------------------------------
def test_the_pm_saves_the_state_inline(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:state", args=[project.pk]),
        {"status": "active", "health": "at_risk", "actual_effort_days": "3.5", "version": 1},
        **HTMX,
    )

    content = response.content.decode()
    assert "<html" not in content
    assert "Saved" in content
    assert Project.objects.get().status == "active"


def test_completing_without_the_actual_effort_is_an_inline_error(client_as, project, pm):
    Project.objects.filter(pk=project.pk).update(status="active")

    response = client_as(pm).post(
        reverse("projects:state", args=[project.pk]),
        {"status": "completed", "health": "on_track", "actual_effort_days": "0", "version": 1},
        **HTMX,
    )

    content = response.content.decode()
    assert "needs its actual effort" in content
    assert Project.objects.get().status == "active"


def test_the_pm_completes_a_project_whose_effort_was_not_tracked(client_as, project, pm):
    Project.objects.filter(pk=project.pk).update(status="active")

    response = client_as(pm).post(
        reverse("projects:state", args=[project.pk]),
        {
            "status": "completed",
            "health": "on_track",
            "actual_effort_days": "0",
            "effort_not_tracked": "on",
            "version": 1,
        },
        **HTMX,
    )

    assert "Saved" in response.content.decode()
    assert (Project.objects.get().status, Project.objects.get().effort_not_tracked) == ("completed", True)


def test_a_stale_edit_shows_the_newer_values(client_as, project, pm):
    Project.objects.filter(pk=project.pk).update(version=2, health="off_track")

    response = client_as(pm).post(
        reverse("projects:state", args=[project.pk]),
        {"status": "planning", "health": "at_risk", "actual_effort_days": "0", "version": 1},
        **HTMX,
    )

    content = response.content.decode()
    assert "changed by someone else" in content
    assert 'value="off_track" selected' in content
    assert Project.objects.get().health == "off_track"


def test_an_illegal_status_is_refused_with_a_message(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:state", args=[project.pk]),
        {"status": "completed", "health": "on_track", "actual_effort_days": "0", "version": 1},
    )

    assert response.status_code == 302
    assert any("completed" in str(message) for message in get_messages(response.wsgi_request))
    assert Project.objects.get().status == "planning"


def test_a_negative_effort_is_an_inline_error(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:state", args=[project.pk]),
        {"status": "planning", "health": "on_track", "actual_effort_days": "-2", "version": 1},
        **HTMX,
    )

    assert "greater than or equal to 0" in response.content.decode()
    assert Project.objects.get().version == 1


def test_the_rep_cannot_edit_the_state(client_as, project, rep):
    response = client_as(rep).post(
        reverse("projects:state", args=[project.pk]),
        {"status": "active", "health": "on_track", "actual_effort_days": "0", "version": 1},
    )

    assert response.status_code == 403


# --- Kickoff, .ics, reassign ---------------------------------------------------------------------
def test_the_pm_schedules_the_kickoff_from_the_modal(client_as, project, pm, rep):
    client = client_as(pm)
    form = client.get(reverse("projects:kickoff", args=[project.pk]), **HTMX).content.decode()
    assert "Carla CEO" in form
    starts = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("projects:kickoff", args=[project.pk]),
        {"title": "", "starts_at": starts, "duration_minutes": 60, "attendees": [pm.pk, rep.pk]},
        **HTMX,
    )

    assert response["HX-Redirect"] == detail(project)
    meeting = Meeting.objects.get()
    download = client.get(reverse("projects:meeting_ics", args=[meeting.pk]))
    assert download["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in download.content.decode()


def test_a_kickoff_without_a_date_is_an_inline_error(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:kickoff", args=[project.pk]), {"duration_minutes": 60, "attendees": [pm.pk]}, **HTMX
    )

    assert "This field is required" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_rep_cannot_schedule_the_kickoff(client_as, project, rep, pm):
    starts = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = client_as(rep).post(
        reverse("projects:kickoff", args=[project.pk]),
        {"starts_at": starts, "duration_minutes": 60, "attendees": [pm.pk]},
    )

    assert response.status_code == 403


def test_a_manager_reassigns_the_project(client_as, project, manager, other_pm):
    response = client_as(manager).post(reverse("projects:reassign", args=[project.pk]), {"pm": other_pm.pk}, **HTMX)

    assert response["HX-Redirect"] == detail(project)
    assert Project.objects.get().pm == other_pm


def test_a_missing_project_is_404(client_as, rep):
    assert client_as(rep).get(reverse("projects:detail", args=[999999])).status_code == 404
