"""/api/v1/projects/ (GET, PATCH by its PM with version, reassign) and /api/v1/meetings/ (kickoff, .ics)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from projects.models import Meeting, Project
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

LIST_QUERIES = 4  # session, user, count, rows
MEETING_LIST_QUERIES = 6  # session, user, count, rows, attendees, contacts


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


@pytest.mark.parametrize("persona", ["rep", "other_rep", "pm", "other_pm", "manager", "outsider"])
def test_every_signed_in_user_reads_projects(persona, request, api_as, project):
    response = api_as(request.getfixturevalue(persona)).get("/api/v1/projects/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [project.pk]


def test_anonymous_reads_nothing(api, project):
    assert api.get("/api/v1/projects/").status_code in (401, 403)


def test_the_detail_has_what_was_sold_and_the_copied_records(api_as, project, rep):
    body = api_as(rep).get(f"/api/v1/projects/{project.pk}/").json()

    assert body["budget"] == "48000.00"
    assert body["what_was_sold"]["offer"]["title"] == "ERP roll-out"
    assert len(body["commitments"]) == 2
    assert {risk["score"] for risk in body["risks"]} == {12, 4}
    assert [item["name"] for item in body["deliverables"]]


def test_the_list_filters(api_as, project, rep, pm, other_pm, manager):
    other = accepted_project(owner=rep, pm=other_pm, title="Second")
    Project.objects.filter(pk=other.pk).update(health="at_risk")
    client = api_as(manager)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in client.get(f"/api/v1/projects/?{query}").json()["results"]]

    assert ids(f"pm={pm.pk}") == [project.pk]
    assert ids("health=at_risk") == [other.pk]
    assert ids(f"client={other.client_id}") == [other.pk]
    assert ids("status=planning") == [other.pk, project.pk]
    assert client.get("/api/v1/projects/?status=bogus").status_code == 400


def test_the_list_query_count_is_pinned_and_does_not_grow(api_as, project, rep, pm, django_assert_num_queries):
    client = api_as(rep)
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/api/v1/projects/")
    for index in range(10):
        accepted_project(owner=rep, pm=pm, title=f"More {index}", with_contacts=False)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/api/v1/projects/")

    assert response.json()["count"] == 11


def test_its_pm_patches_with_the_version(api_as, project, pm):
    response = api_as(pm).patch(
        f"/api/v1/projects/{project.pk}/", {"status": "active", "health": "at_risk", "version": 1}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["health"], response.json()["version"]) == (
        "active",
        "at_risk",
        2,
    )


def test_a_stale_patch_is_409(api_as, project, pm):
    client = api_as(pm)
    client.patch(f"/api/v1/projects/{project.pk}/", {"health": "at_risk", "version": 1}, format="json")

    response = client.patch(f"/api/v1/projects/{project.pk}/", {"health": "off_track", "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_version"] == 2


def test_an_illegal_status_is_409(api_as, project, pm):
    response = api_as(pm).patch(f"/api/v1/projects/{project.pk}/", {"status": "completed", "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_completing_without_the_actual_effort_is_400(api_as, project, pm):
    Project.objects.filter(pk=project.pk).update(status="active")

    response = api_as(pm).patch(f"/api/v1/projects/{project.pk}/", {"status": "completed", "version": 1}, format="json")

    assert response.status_code == 400
    assert "actual_effort_days" in response.json()
    assert Project.objects.get().status == "active"


def test_completing_with_the_actual_effort_or_not_tracked(api_as, project, pm):
    Project.objects.filter(pk=project.pk).update(status="active")

    response = api_as(pm).patch(
        f"/api/v1/projects/{project.pk}/",
        {"status": "completed", "effort_not_tracked": True, "version": 1},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["effort_not_tracked"]) == ("completed", True)


@pytest.mark.parametrize(
    "body",
    [
        {"health": "great", "version": 1},
        {"actual_effort_days": "-3", "version": 1},
        {"health": "at_risk"},
        # The schema says a decimal string: a JSON number is refused, not rounded through a float.
        {"actual_effort_days": 0, "version": 1},
        {"actual_effort_days": 12.5, "version": 1},
        {"effort_not_tracked": 1, "version": 1},
    ],
)
def test_bad_input_is_400(body, api_as, project, pm):
    response = api_as(pm).patch(f"/api/v1/projects/{project.pk}/", body, format="json")

    assert response.status_code == 400
    assert Project.objects.get().version == 1


@pytest.mark.parametrize("persona", ["rep", "other_pm", "manager", "outsider"])
def test_only_its_pm_patches(persona, request, api_as, project):
    response = api_as(request.getfixturevalue(persona)).patch(
        f"/api/v1/projects/{project.pk}/", {"health": "at_risk", "version": 1}, format="json"
    )

    assert response.status_code == 403


def test_a_manager_reassigns_through_the_api(api_as, project, other_pm, manager, pm):
    response = api_as(manager).post(f"/api/v1/projects/{project.pk}/reassign/", {"pm": other_pm.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["pm"] == other_pm.pk
    assert api_as(pm).post(f"/api/v1/projects/{project.pk}/reassign/", {"pm": pm.pk}, format="json").status_code == 403


# --- Meetings -----------------------------------------------------------------------------------
def kickoff_body(project, *people):
    return {
        "project": project.pk,
        "kind": "kickoff",
        "starts_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
        "duration_minutes": 60,
        "location": "Online",
        "attendees": [person.pk for person in people],
        "contacts": [contact.pk for contact in project.client.contacts.all()],
    }


def test_the_pm_schedules_the_kickoff_and_downloads_the_ics(api_as, project, pm, rep):
    client = api_as(pm)

    response = client.post("/api/v1/meetings/", kickoff_body(project, pm, rep), format="json")

    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get()
    assert response.json()["ics_url"] == f"/api/v1/meetings/{meeting.pk}/ics/"
    ics = client.get(response.json()["ics_url"])
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert 'filename="kickoff.ics"' in ics["Content-Disposition"]
    assert f"UID:{meeting.uid}@handoff-portal" in ics.content.decode()


def test_the_ics_is_served_to_a_calendar_client_asking_for_it(api_as, project, pm):
    client = api_as(pm)
    meeting_id = client.post("/api/v1/meetings/", kickoff_body(project, pm), format="json").json()["id"]

    response = client.get(f"/api/v1/meetings/{meeting_id}/ics/", HTTP_ACCEPT="text/calendar")

    assert response.status_code == 200


def test_only_the_pm_schedules_through_the_api(api_as, project, rep, pm):
    response = api_as(rep).post("/api/v1/meetings/", kickoff_body(project, pm), format="json")

    assert response.status_code == 403
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("change", [{"kind": "weekly"}, {"starts_at": "tomorrow"}, {"duration_minutes": 1}])
def test_a_bad_kickoff_is_400(change, api_as, project, pm):
    response = api_as(pm).post("/api/v1/meetings/", {**kickoff_body(project, pm), **change}, format="json")

    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_the_meeting_list_filters_and_its_queries_do_not_grow(api_as, project, pm, rep, django_assert_num_queries):
    client = api_as(pm)
    client.post("/api/v1/meetings/", kickoff_body(project, pm, rep), format="json")
    with django_assert_num_queries(MEETING_LIST_QUERIES):
        client.get(f"/api/v1/meetings/?project={project.pk}")
    for index in range(5):
        other = accepted_project(owner=rep, pm=pm, title=f"P{index}")
        client.post("/api/v1/meetings/", kickoff_body(other, pm, rep), format="json")

    with django_assert_num_queries(MEETING_LIST_QUERIES):
        response = client.get("/api/v1/meetings/?kind=kickoff")

    assert response.json()["count"] == 6
