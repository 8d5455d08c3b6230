"""Deliverables (planned → submitted → accepted | rejected by a client contact) and the project's commitments
(open / kept / at risk / renegotiated / broken, at risk and broken on the sales liaison's home page)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import TransitionNotAllowed
from core.models import Activity
from notifications.events import Event
from notifications.models import Notification
from projects.models import Deliverable, ProjectCommitment
from projects.services.deliverables import (
    commitment_set_status,
    deliverable_add,
    deliverable_decide,
    deliverable_edit,
    deliverable_submit,
    is_overdue,
)
from projects.services.projects import project_update
from tests.factories import ContactFactory
from tests.projects.factories import DeliverableFactory, accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


@pytest.fixture
def contact(project):
    return project.client.contacts.get(name="Carla CEO")


@pytest.fixture
def submitted(project, pm):
    deliverable = deliverable_add(project=project, actor=pm, name="Design document", due=TODAY())
    return deliverable_submit(deliverable=deliverable, actor=pm)


def in_app(event, user) -> list[Notification]:
    return list(Notification.objects.filter(event=event, recipient=user, channel="in_app"))


# --- Services: add, edit, submit ----------------------------------------------------------------------------
def test_the_pm_adds_edits_and_submits_a_deliverable(project, pm):
    deliverable = deliverable_add(project=project, actor=pm, name="  Data model  ", due=TODAY())
    deliverable = deliverable_edit(deliverable=deliverable, actor=pm, data={"name": "Data model v2"})
    deliverable = deliverable_submit(deliverable=deliverable, actor=pm)

    assert (deliverable.name, deliverable.status) == ("Data model v2", "submitted")
    assert deliverable.submitted_at is not None
    verbs = set(Activity.objects.filter(target_id=project.pk).values_list("verb", flat=True))
    assert {"deliverable_added", "deliverable_edited", "deliverable_submitted"} <= verbs


@pytest.mark.parametrize("persona", ["rep", "manager", "other_pm", "outsider"])
def test_only_the_pm_plans_deliverables(persona, request, project):
    before = Deliverable.objects.count()

    with pytest.raises(PermissionDenied):
        deliverable_add(project=project, actor=request.getfixturevalue(persona), name="Mine")

    assert Deliverable.objects.count() == before


@pytest.mark.parametrize(("name", "due"), [("", None), ("x" * 201, None), ("Ok", "2026-01-01")])
def test_it_refuses_a_bad_deliverable(name, due, project, pm):
    before = Deliverable.objects.count()

    with pytest.raises(ValidationError):
        deliverable_add(project=project, actor=pm, name=name, due=due)

    assert Deliverable.objects.count() == before


def test_a_submitted_deliverable_cannot_be_submitted_again(submitted, pm):
    with pytest.raises(TransitionNotAllowed):
        deliverable_submit(deliverable=submitted, actor=pm)


def test_an_accepted_deliverable_no_longer_changes(submitted, pm, contact):
    deliverable_decide(deliverable=submitted, actor=pm, decision="accepted", contact=contact)

    with pytest.raises(TransitionNotAllowed):
        deliverable_edit(deliverable=submitted, actor=pm, data={"name": "Renamed"})
    submitted.refresh_from_db()
    assert submitted.name == "Design document"


# --- Services: the client's decision -----------------------------------------------------------------------
def test_the_client_accepts_and_the_sales_liaison_is_told(submitted, pm, rep, contact):
    deliverable = deliverable_decide(deliverable=submitted, actor=pm, decision="accepted", contact=contact.pk)

    assert (deliverable.status, deliverable.decided_by, deliverable.rejection_reason) == ("accepted", contact, "")
    assert deliverable.decided_at is not None
    notice = in_app(Event.DELIVERABLE_DECIDED, rep)
    assert len(notice) == 1
    assert "Carla CEO" in notice[0].body
    assert notice[0].url.endswith(f"#deliverable-{submitted.pk}")
    assert in_app(Event.DELIVERABLE_DECIDED, pm) == []


def test_the_sales_liaison_records_a_rejection_with_a_reason_and_the_pm_resubmits(submitted, pm, rep, contact):
    deliverable = deliverable_decide(
        deliverable=submitted, actor=rep, decision="rejected", contact=contact, reason="Chapter 3 is missing."
    )
    assert (deliverable.status, deliverable.rejection_reason) == ("rejected", "Chapter 3 is missing.")
    assert len(in_app(Event.DELIVERABLE_DECIDED, pm)) == 1

    deliverable = deliverable_submit(deliverable=deliverable, actor=pm)
    deliverable = deliverable_decide(deliverable=deliverable, actor=rep, decision="accepted", contact=contact)

    assert deliverable.status == "accepted"
    assert Activity.objects.filter(verb="deliverable_resubmitted").exists()


def test_a_decision_on_a_deliverable_that_is_not_submitted_is_refused(project, pm, contact):
    planned = deliverable_add(project=project, actor=pm, name="Go-live")

    with pytest.raises(TransitionNotAllowed) as raised_error:
        deliverable_decide(deliverable=planned, actor=pm, decision="accepted", contact=contact)

    assert "not submitted" in raised_error.value.message
    planned.refresh_from_db()
    assert (planned.status, planned.decided_by) == ("planned", None)
    assert not Notification.objects.filter(event=Event.DELIVERABLE_DECIDED).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "rejected", "reason": "  "}, "reason"),
        ({"contact": None}, "contact"),
        ({"contact": "abc"}, "contact"),
        ({"decided_at": "yesterday"}, "decided_at"),
        ({"decided_at": "future"}, "decided_at"),
    ],
)
def test_it_refuses_a_bad_decision_and_changes_nothing(kwargs, field, submitted, pm, contact):
    arguments = {"decision": "accepted", "contact": contact, "reason": ""}
    arguments.update(kwargs)
    if arguments.get("decided_at") == "future":
        arguments["decided_at"] = timezone.now() + datetime.timedelta(days=2)

    with pytest.raises(ValidationError) as raised_error:
        deliverable_decide(deliverable=submitted, actor=pm, **arguments)

    assert field in raised_error.value.message_dict
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_by) == ("submitted", None)


def test_the_deciding_contact_must_belong_to_the_projects_client(submitted, pm):
    stranger = ContactFactory(name="Someone Else")

    with pytest.raises(ValidationError) as raised_error:
        deliverable_decide(deliverable=submitted, actor=pm, decision="accepted", contact=stranger)

    assert "contact" in raised_error.value.message_dict
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.parametrize("persona", ["manager", "other_rep", "other_pm", "outsider"])
def test_only_the_pm_and_the_sales_liaison_record_decisions(persona, request, submitted, contact):
    with pytest.raises(PermissionDenied):
        deliverable_decide(
            deliverable=submitted, actor=request.getfixturevalue(persona), decision="accepted", contact=contact
        )


def test_overdue_means_due_in_the_past_and_not_accepted(project):
    yesterday = TODAY() - datetime.timedelta(days=1)

    assert is_overdue(Deliverable(project=project, due=yesterday, status="submitted"))
    assert is_overdue(Deliverable(project=project, due=yesterday, status="rejected"))
    assert not is_overdue(Deliverable(project=project, due=yesterday, status="accepted"))
    assert not is_overdue(Deliverable(project=project, due=TODAY(), status="planned"))
    assert not is_overdue(Deliverable(project=project, due=None, status="planned"))


# --- Services: commitments -------------------------------------------------------------------------------
def test_the_pm_moves_a_commitment_and_it_is_logged(project, pm):
    commitment = project.commitments.first()

    commitment = commitment_set_status(commitment=commitment, actor=pm, status="at_risk")

    assert commitment.status == "at_risk"
    assert Activity.objects.filter(verb="commitment_status_changed", target_id=project.pk).exists()


def test_kept_and_broken_are_final(project, pm):
    commitment = commitment_set_status(commitment=project.commitments.first(), actor=pm, status="kept")

    with pytest.raises(TransitionNotAllowed):
        commitment_set_status(commitment=commitment, actor=pm, status="at_risk")
    commitment.refresh_from_db()
    assert commitment.status == "kept"


def test_it_refuses_an_unknown_commitment_status(project, pm):
    commitment = project.commitments.first()

    with pytest.raises(ValidationError):
        commitment_set_status(commitment=commitment, actor=pm, status="forgotten")

    commitment.refresh_from_db()
    assert commitment.status == "open"


@pytest.mark.parametrize("persona", ["rep", "manager", "other_pm", "outsider"])
def test_only_the_pm_moves_commitments(persona, request, project):
    commitment = project.commitments.first()

    with pytest.raises(PermissionDenied):
        commitment_set_status(commitment=commitment, actor=request.getfixturevalue(persona), status="broken")


def test_commitments_of_a_closed_project_no_longer_change(project, pm):
    project = project_update(project=project, actor=pm, data={"status": "cancelled"}, version=project.version)

    with pytest.raises(TransitionNotAllowed):
        commitment_set_status(commitment=project.commitments.first(), actor=pm, status="broken")


def test_the_sales_liaison_sees_troubled_commitments_on_the_home_page(client_as, project, pm, rep, other_rep):
    first, second = project.commitments.all()
    commitment_set_status(commitment=first, actor=pm, status="at_risk")
    commitment_set_status(commitment=second, actor=pm, status="kept")

    mine = client_as(rep).get("/").content.decode()
    theirs = client_as(other_rep).get("/").content.decode()

    assert 'data-testid="home-commitments"' in mine
    assert first.text in mine
    assert second.text not in mine
    assert 'data-testid="home-commitments"' not in theirs


# --- Pages ---------------------------------------------------------------------------------------------------
def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def test_overdue_deliverables_stand_out_on_the_page(client_as, project, rep):
    DeliverableFactory(project=project, name="Late one", due=TODAY() - datetime.timedelta(days=3))
    DeliverableFactory(project=project, name="Late but accepted", due=TODAY() - datetime.timedelta(days=3))
    Deliverable.objects.filter(name="Late but accepted").update(status="accepted")

    page = client_as(rep).get(detail(project)).content.decode()

    assert page.count('data-testid="overdue"') == 1
    assert 'data-testid="overdue-count">1 overdue' in page
    assert "0 accepted, 1 overdue" not in page  # the accepted one counts as accepted
    assert "1 accepted, 1 overdue" in page


def test_the_pm_gets_the_deliverable_and_commitment_controls(client_as, project, pm):
    page = client_as(pm).get(detail(project)).content.decode()

    assert 'data-testid="add-deliverable"' in page
    assert 'data-testid="submit-deliverable"' in page
    assert 'data-testid="commitment-status"' in page


@pytest.mark.parametrize("persona", ["rep", "manager", "other_pm", "outsider"])
def test_others_get_no_pm_controls(persona, request, client_as, project):
    page = client_as(request.getfixturevalue(persona)).get(detail(project)).content.decode()

    assert 'data-testid="add-deliverable"' not in page
    assert 'data-testid="submit-deliverable"' not in page
    assert 'data-testid="commitment-status"' not in page


def test_the_pm_adds_a_deliverable_inline(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:deliverable_add", args=[project.pk]), {"name": "Test plan", "due": "2030-01-31"}, **HTMX
    )

    content = response.content.decode()
    assert 'id="deliverables"' in content
    assert "Test plan" in content
    assert Deliverable.objects.filter(name="Test plan", due=datetime.date(2030, 1, 31)).exists()


def test_an_invalid_deliverable_comes_back_with_errors(client_as, project, pm):
    before = Deliverable.objects.count()

    response = client_as(pm).post(
        reverse("projects:deliverable_add", args=[project.pk]), {"name": "", "due": "31/31/2030"}, **HTMX
    )

    assert "field-error" in response.content.decode()
    assert Deliverable.objects.count() == before


@pytest.mark.parametrize("persona", ["rep", "other_pm", "outsider"])
def test_others_cannot_add_or_submit_through_the_page(persona, request, client_as, project):
    client = client_as(request.getfixturevalue(persona))
    deliverable = project.deliverables.first()

    assert client.post(reverse("projects:deliverable_add", args=[project.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("projects:deliverable_submit", args=[deliverable.pk])).status_code == 403
    deliverable.refresh_from_db()
    assert deliverable.status == "planned"


def test_the_pm_submits_and_the_rep_records_the_decision_in_the_modal(client_as, project, pm, rep, contact):
    deliverable = project.deliverables.first()
    client_as(pm).post(reverse("projects:deliverable_submit", args=[deliverable.pk]), **HTMX)
    client = client_as(rep)

    form = client.get(reverse("projects:deliverable_decide", args=[deliverable.pk]), **HTMX).content.decode()
    response = client.post(
        reverse("projects:deliverable_decide", args=[deliverable.pk]),
        {"decision": "rejected", "contact": contact.pk, "reason": "Wrong format", "decided_on": ""},
        **HTMX,
    )

    assert "Carla CEO" in form
    assert "closeModal" in response["HX-Trigger"]
    assert "Wrong format" in response.content.decode()
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.decided_by) == ("rejected", contact)


def test_a_rejection_without_reason_returns_into_the_modal(client_as, submitted, pm, contact):
    response = client_as(pm).post(
        reverse("projects:deliverable_decide", args=[submitted.pk]),
        {"decision": "rejected", "contact": contact.pk, "reason": ""},
        **HTMX,
    )

    assert response["HX-Retarget"] == "#modal-body"
    assert "Say why the client rejected the deliverable." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_decision_in_the_future_is_refused_on_its_field(client_as, submitted, pm, contact):
    response = client_as(pm).post(
        reverse("projects:deliverable_decide", args=[submitted.pk]),
        {"decision": "accepted", "contact": contact.pk, "decided_on": "2099-01-01"},
        **HTMX,
    )

    assert "The decision cannot lie in the future." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_pm_edits_a_deliverable_in_the_modal(client_as, submitted, pm):
    url = reverse("projects:deliverable_edit", args=[submitted.pk])

    form = client_as(pm).get(url, **HTMX).content.decode()
    response = client_as(pm).post(url, {"name": "Design document v2", "due": ""}, **HTMX)

    assert 'value="Design document"' in form
    assert "closeModal" in response["HX-Trigger"]
    submitted.refresh_from_db()
    assert (submitted.name, submitted.due) == ("Design document v2", None)


def test_the_pm_sets_a_commitment_status_inline(client_as, project, pm):
    commitment = project.commitments.first()

    response = client_as(pm).post(
        reverse("projects:commitment_status", args=[commitment.pk]), {"status": "at_risk"}, **HTMX
    )

    assert 'id="commitments"' in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == "at_risk"


def test_a_bad_commitment_status_shows_an_error_and_changes_nothing(client_as, project, pm):
    commitment = project.commitments.first()

    response = client_as(pm).post(
        reverse("projects:commitment_status", args=[commitment.pk]), {"status": "lost"}, **HTMX
    )

    assert "Choose one of" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == "open"


def test_unknown_rows_are_404(client_as, pm):
    client = client_as(pm)

    assert client.post(reverse("projects:deliverable_submit", args=[999999])).status_code == 404
    assert client.post(reverse("projects:commitment_status", args=[999999]), {"status": "kept"}).status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_does_not_grow_with_deliverables_and_decisions(client_as, project, pm, contact):
    client = client_as(pm)
    decided = deliverable_submit(deliverable=project.deliverables.first(), actor=pm)
    deliverable_decide(deliverable=decided, actor=pm, decision="accepted", contact=contact)
    before = _count(client, detail(project))

    for index in range(10):
        DeliverableFactory(
            project=project, status="rejected", decided_by=contact, decided_at=timezone.now(), rejection_reason="no"
        )
        ProjectCommitment.objects.create(project=project, text=f"Promise {index}", status="at_risk")

    assert _count(client, detail(project)) == before


def test_the_home_page_does_not_grow_with_troubled_commitments(client_as, project, rep):
    client = client_as(rep)
    ProjectCommitment.objects.create(project=project, text="Promise", status="broken")
    before = _count(client, "/")
    for index in range(10):
        other = accepted_project(owner=rep, pm=project.pm, title=f"Other {index}", with_contacts=False)
        ProjectCommitment.objects.filter(project=other).update(status="at_risk")

    assert _count(client, "/") == before


# --- API ---------------------------------------------------------------------------------------------------
API = "/api/v1/deliverables/"


@pytest.mark.parametrize("persona", ["rep", "other_rep", "pm", "other_pm", "manager", "outsider"])
def test_every_signed_in_user_reads_deliverables(persona, request, api_as, project):
    body = api_as(request.getfixturevalue(persona)).get(API, {"project": project.pk}).json()

    assert body["count"] == project.deliverables.count()
    assert {"overdue", "decided_by", "rejection_reason"} <= set(body["results"][0])


def test_the_api_filters_overdue_and_status(api_as, project, rep):
    DeliverableFactory(project=project, name="Late", due=TODAY() - datetime.timedelta(days=1))
    client = api_as(rep)

    overdue = client.get(API, {"overdue": "true"}).json()

    assert [row["name"] for row in overdue["results"]] == ["Late"]
    assert overdue["results"][0]["overdue"] is True
    assert client.get(API, {"status": "accepted"}).json()["count"] == 0


def test_the_api_walks_a_deliverable_to_rejected_and_accepted(api_as, project, pm, rep, contact):
    created = api_as(pm).post(API, {"project": project.pk, "name": "Report", "due": "2030-05-01"}, format="json")
    assert created.status_code == 201, created.content
    url = f"{API}{created.json()['id']}/"

    assert api_as(pm).post(f"{url}submit/", format="json").json()["status"] == "submitted"
    rejected = api_as(rep).post(
        f"{url}decide/", {"decision": "rejected", "contact": contact.pk, "reason": "Too short"}, format="json"
    )
    api_as(pm).post(f"{url}submit/", format="json")
    accepted = api_as(rep).post(f"{url}decide/", {"decision": "accepted", "contact": contact.pk}, format="json")

    assert rejected.json()["rejection_reason"] == "Too short"
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["decided_by"]) == ("accepted", contact.pk)


def test_the_api_answers_409_to_a_decision_on_a_planned_deliverable(api_as, project, pm, contact):
    deliverable = project.deliverables.first()

    response = api_as(pm).post(f"{API}{deliverable.pk}/decide/", {"decision": "accepted", "contact": contact.pk})

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_the_api_answers_400_with_field_errors(api_as, submitted, pm):
    response = api_as(pm).post(
        f"{API}{submitted.pk}/decide/", {"decision": "rejected", "contact": 999999, "reason": ""}, format="json"
    )

    assert response.status_code == 400
    assert {"contact", "reason"} <= set(response.json())
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_api_patches_a_deliverable(api_as, submitted, pm):
    response = api_as(pm).patch(f"{API}{submitted.pk}/", {"due": "2031-02-03"}, format="json")

    assert response.status_code == 200
    assert response.json()["due"] == "2031-02-03"


@pytest.mark.parametrize("persona", ["rep", "other_pm", "outsider"])
def test_the_api_refuses_others_the_pm_writes(persona, request, api_as, project, submitted):
    client = api_as(request.getfixturevalue(persona))
    before = Deliverable.objects.count()

    assert client.post(API, {"project": project.pk, "name": "x"}, format="json").status_code == 403
    assert client.patch(f"{API}{submitted.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.post(f"{API}{project.deliverables.first().pk}/submit/").status_code == 403
    assert Deliverable.objects.count() == before


@pytest.mark.parametrize("persona", ["manager", "other_rep", "outsider"])
def test_the_api_refuses_others_the_decision(persona, request, api_as, submitted, contact):
    response = api_as(request.getfixturevalue(persona)).post(
        f"{API}{submitted.pk}/decide/", {"decision": "accepted", "contact": contact.pk}, format="json"
    )

    assert response.status_code == 403


def test_the_api_patches_a_commitment_status(api_as, project, pm, rep):
    commitment = project.commitments.first()
    url = f"/api/v1/project-commitments/{commitment.pk}/"

    denied = api_as(rep).patch(url, {"status": "broken"}, format="json")
    bad = api_as(pm).patch(url, {"status": "forgotten"}, format="json")
    done = api_as(pm).patch(url, {"status": "kept"}, format="json")
    final = api_as(pm).patch(url, {"status": "broken"}, format="json")

    assert denied.status_code == 403
    assert bad.status_code == 400
    assert done.json()["status"] == "kept"
    assert final.status_code == 409
    listed = api_as(rep).get("/api/v1/project-commitments/", {"project": project.pk, "status": "kept"}).json()
    assert [row["id"] for row in listed["results"]] == [commitment.pk]


def test_the_api_list_query_count_does_not_grow(api_as, project, rep, django_assert_max_num_queries):
    client = api_as(rep)
    for _ in range(15):
        DeliverableFactory(project=project)

    with django_assert_max_num_queries(4):  # session, user, count, rows
        assert client.get(API).status_code == 200


def test_the_schema_documents_the_deliverable_actions(api_as, pm):
    schema = api_as(pm).get("/api/schema/").content.decode()

    assert "/api/v1/deliverables/{id}/decide/" in schema
    assert "/api/v1/project-commitments/{id}/" in schema
