"""Change requests (SPEC §3 "After the handoff"): raise, the two-signature rule, approve rolls into the budget
and the end date, reject with a comment; the project page's section and the sold-vs-now table; the API."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, TransitionNotAllowed
from core.models import Activity
from notifications.events import Event
from notifications.models import Notification
from projects.models import ChangeRequest, ChangeRequestApproval, Project
from projects.services.changes import change_request_approve, change_request_raise, change_request_reject
from projects.services.projects import project_update
from tests.projects.factories import ChangeRequestFactory, accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
COSTLY = {
    "title": "Fleet interface",
    "description": "Vehicle data",
    "cost_impact": "8500.00",
    "schedule_impact_days": 14,
}
FREE = {"title": "Rename the reports", "cost_impact": "0", "schedule_impact_days": 7}


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


def raised(project, actor, data=COSTLY) -> ChangeRequest:
    return change_request_raise(project=project, actor=actor, data=dict(data))


def in_app(event, user) -> list[Notification]:
    return list(Notification.objects.filter(event=event, recipient=user, channel="in_app"))


# --- Raise ---------------------------------------------------------------------------------------------------
def test_it_lets_the_pm_raise_a_change_and_tells_the_sales_liaison(project, pm, rep):
    change = raised(project, pm)

    assert (change.status, change.cost_impact, change.schedule_impact_days) == ("proposed", Decimal("8500.00"), 14)
    assert change.raised_by == pm
    assert len(in_app(Event.CHANGE_REQUEST_RAISED, rep)) == 1
    assert in_app(Event.CHANGE_REQUEST_RAISED, pm) == []
    assert Activity.objects.filter(verb="change_request_raised", target_id=project.pk).exists()


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_it_lets_the_sales_liaison_and_managers_raise_a_change(persona, request, project, pm):
    change = raised(project, request.getfixturevalue(persona))

    assert change.pk
    assert len(in_app(Event.CHANGE_REQUEST_RAISED, pm)) == 1


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_it_refuses_a_change_from_anyone_else(persona, request, project):
    with pytest.raises(PermissionDenied):
        raised(project, request.getfixturevalue(persona))

    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**COSTLY, "title": "  "}, "title"),
        ({**COSTLY, "title": "x" * 201}, "title"),
        ({**COSTLY, "cost_impact": "a lot"}, "cost_impact"),
        ({**COSTLY, "cost_impact": "10.005"}, "cost_impact"),
        ({**COSTLY, "cost_impact": "1e20"}, "cost_impact"),
        ({**COSTLY, "cost_impact": "NaN"}, "cost_impact"),
        ({**COSTLY, "schedule_impact_days": "3.5"}, "schedule_impact_days"),
        ({**COSTLY, "schedule_impact_days": 5000}, "schedule_impact_days"),
        ({**COSTLY, "description": "x" * 10001}, "description"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(data, field, project, pm):
    with pytest.raises(ValidationError) as raised_error:
        raised(project, pm, data)

    assert field in raised_error.value.message_dict
    assert not ChangeRequest.objects.exists()
    assert not Notification.objects.filter(event=Event.CHANGE_REQUEST_RAISED).exists()


def test_it_refuses_a_change_on_a_closed_project(project, pm):
    project = project_update(project=project, actor=pm, data={"status": "cancelled"}, version=project.version)

    with pytest.raises(TransitionNotAllowed):
        raised(project, pm)

    assert not ChangeRequest.objects.exists()


# --- Approve ------------------------------------------------------------------------------------------------
def test_a_costly_change_waits_for_the_second_signature(project, pm, rep):
    change = raised(project, pm)

    change = change_request_approve(change_request=change, actor=pm, comment="Fine by delivery.")

    project.refresh_from_db()
    assert change.status == "proposed"
    assert project.budget == Decimal("48000.00")
    assert list(change.approvals.values_list("capacity", flat=True)) == ["pm"]
    assert not Notification.objects.filter(event=Event.CHANGE_REQUEST_DECIDED).exists()


def test_the_second_signature_approves_and_rolls_into_budget_and_end_date(project, pm, rep):
    sold_end, version = project.planned_end, project.version
    change = raised(project, rep)
    change_request_approve(change_request=change, actor=pm)

    change = change_request_approve(change_request=change, actor=rep, comment="Agreed with the CFO.")

    project.refresh_from_db()
    assert change.status == "approved"
    assert change.decided_at is not None
    assert project.budget == Decimal("56500.00")
    assert project.planned_end == sold_end + datetime.timedelta(days=14)
    assert project.version == version + 1
    assert project.snapshot.data["offer"]["value"] == "48000.00"  # what was sold stays
    activity = Activity.objects.get(verb="change_request_approved", target_id=project.pk)
    assert activity.changes["budget"] == ["48000.00", "56500.00"]
    assert len(in_app(Event.CHANGE_REQUEST_DECIDED, pm)) == 1
    assert in_app(Event.CHANGE_REQUEST_DECIDED, rep) == []


@pytest.mark.parametrize("signer", ["pm", "rep"])
def test_a_free_change_needs_one_signature_from_either(signer, request, project):
    sold_end = project.planned_end
    change = raised(project, request.getfixturevalue("pm"), FREE)

    change = change_request_approve(change_request=change, actor=request.getfixturevalue(signer))

    project.refresh_from_db()
    assert change.status == "approved"
    assert project.budget == Decimal("48000.00")
    assert project.planned_end == sold_end + datetime.timedelta(days=7)


def test_it_refuses_a_second_approval_by_the_same_person(project, pm):
    change = raised(project, pm)
    change_request_approve(change_request=change, actor=pm)

    with pytest.raises(DomainError) as raised_error:
        change_request_approve(change_request=change, actor=pm)

    assert raised_error.value.code == "four_eyes"
    assert ChangeRequestApproval.objects.filter(change_request=change).count() == 1
    change.refresh_from_db()
    assert change.status == "proposed"


@pytest.mark.parametrize("persona", ["manager", "other_rep", "other_pm", "outsider"])
def test_only_the_pm_and_the_sales_liaison_sign(persona, request, project, pm):
    change = raised(project, pm)

    with pytest.raises(PermissionDenied):
        change_request_approve(change_request=change, actor=request.getfixturevalue(persona))

    assert not ChangeRequestApproval.objects.exists()


def test_it_refuses_to_move_the_end_before_the_start(project, pm):
    change = raised(project, pm, {"title": "Much faster", "cost_impact": "0", "schedule_impact_days": -3000})

    with pytest.raises(TransitionNotAllowed) as raised_error:
        change_request_approve(change_request=change, actor=pm)

    assert raised_error.value.code == "end_before_start"
    assert not ChangeRequestApproval.objects.exists()
    change.refresh_from_db()
    assert change.status == "proposed"


def test_it_refuses_a_budget_below_zero(project, pm, rep):
    change = raised(project, pm, {"title": "Descope everything", "cost_impact": "-50000"})
    change_request_approve(change_request=change, actor=pm)

    with pytest.raises(TransitionNotAllowed):
        change_request_approve(change_request=change, actor=rep)

    project.refresh_from_db()
    assert project.budget == Decimal("48000.00")
    assert ChangeRequestApproval.objects.filter(change_request=change).count() == 1


def test_a_project_without_an_end_date_keeps_none(project, pm):
    Project.objects.filter(pk=project.pk).update(planned_end=None)
    change = raised(project, pm, FREE)

    change_request_approve(change_request=change, actor=pm)

    project.refresh_from_db()
    assert project.planned_end is None


# --- Reject ------------------------------------------------------------------------------------------------
def test_either_signatory_rejects_with_a_comment(project, pm, rep):
    change = raised(project, pm)

    change = change_request_reject(change_request=change, actor=rep, comment="The client will not pay for it.")

    assert (change.status, change.decision_comment) == ("rejected", "The client will not pay for it.")
    assert len(in_app(Event.CHANGE_REQUEST_DECIDED, pm)) == 1


def test_a_rejection_needs_a_comment(project, pm):
    change = raised(project, pm)

    with pytest.raises(ValidationError) as raised_error:
        change_request_reject(change_request=change, actor=pm, comment="   ")

    assert "comment" in raised_error.value.message_dict
    change.refresh_from_db()
    assert change.status == "proposed"


def test_a_decided_change_cannot_be_decided_again(project, pm, rep):
    change = raised(project, pm)
    change_request_reject(change_request=change, actor=pm, comment="No.")

    with pytest.raises(TransitionNotAllowed):
        change_request_approve(change_request=change, actor=rep)
    with pytest.raises(TransitionNotAllowed):
        change_request_reject(change_request=change, actor=rep, comment="Still no.")

    assert not ChangeRequestApproval.objects.exists()


@pytest.mark.parametrize("persona", ["manager", "other_rep", "outsider"])
def test_only_the_signatories_reject(persona, request, project, pm):
    change = raised(project, pm)

    with pytest.raises(PermissionDenied):
        change_request_reject(change_request=change, actor=request.getfixturevalue(persona), comment="No.")


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_signatures_at_once_approve_exactly_once(rep, pm):
    import threading

    from django.db import connections

    project = accepted_project(owner=rep, pm=pm)
    change = raised(project, pm)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def sign(user):
        try:
            barrier.wait()
            change_request_approve(change_request=change.pk, actor=user)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(user,)) for user in (pm, rep)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    project.refresh_from_db()
    change.refresh_from_db()
    assert change.status == "approved"
    assert project.budget == Decimal("56500.00")


# --- Pages ---------------------------------------------------------------------------------------------------
def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def test_the_page_shows_signatures_and_what_is_pending(client_as, project, pm, rep):
    change = raised(project, pm)
    change_request_approve(change_request=change, actor=pm, comment="Ok from delivery")

    page = client_as(rep).get(detail(project)).content.decode()

    assert "Fleet interface" in page
    assert "Project manager: Paula Manager" in page
    assert "Waiting for: Sales liaison (Rita Rep)" in page
    assert 'data-testid="approve-change"' in page


def test_the_page_shows_sold_beside_current_after_an_approval(client_as, project, pm, rep):
    change = raised(project, pm)
    change_request_approve(change_request=change, actor=pm)
    change_request_approve(change_request=change, actor=rep)

    page = client_as(rep).get(detail(project)).content.decode()

    assert "€48,000.00" in page
    assert "€56,500.00" in page
    assert "1 approved change: +€8,500.00" in page
    assert "approved changes: +14 days" in page


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_others_get_no_change_controls(persona, request, client_as, project, pm):
    raised(project, pm)

    page = client_as(request.getfixturevalue(persona)).get(detail(project)).content.decode()

    assert "Fleet interface" in page
    assert 'data-testid="approve-change"' not in page
    assert 'data-testid="reject-change"' not in page
    assert 'data-testid="raise-change"' not in page


def test_the_pm_raises_a_change_inline(client_as, project, pm):
    response = client_as(pm).post(reverse("projects:change_request_raise", args=[project.pk]), COSTLY, **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="change-requests"' in content
    assert 'id="sold-vs-now-table" class="table-wrap" hx-swap-oob="true"' in content
    assert "Change request “Fleet interface” raised." in content
    assert ChangeRequest.objects.get().title == "Fleet interface"


def test_an_invalid_change_comes_back_with_its_errors_and_nothing_is_saved(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:change_request_raise", args=[project.pk]),
        {**COSTLY, "title": "", "cost_impact": "12.345"},
        **HTMX,
    )

    content = response.content.decode()
    assert "This field is required." in content
    assert "field-error" in content
    assert not ChangeRequest.objects.exists()


def test_without_javascript_raising_redirects_back(client_as, project, rep):
    response = client_as(rep).post(reverse("projects:change_request_raise", args=[project.pk]), COSTLY)

    assert response.status_code == 302
    assert response["Location"].endswith(detail(project) + "#change-requests")


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_others_cannot_raise_through_the_page(persona, request, client_as, project):
    response = client_as(request.getfixturevalue(persona)).post(
        reverse("projects:change_request_raise", args=[project.pk]), COSTLY, **HTMX
    )

    assert response.status_code == 403
    assert not ChangeRequest.objects.exists()


def test_the_approve_form_opens_in_the_modal(client_as, project, pm):
    change = raised(project, pm)

    response = client_as(pm).get(reverse("projects:change_request_approve", args=[change.pk]), **HTMX)

    content = response.content.decode()
    assert 'id="modal-title"' in content
    assert "both the PM and the sales liaison" in content


def test_the_approve_form_has_a_page_without_javascript(client_as, project, pm):
    change = raised(project, pm)

    response = client_as(pm).get(reverse("projects:change_request_approve", args=[change.pk]))

    assert response.status_code == 200
    assert b"<html" in response.content
    assert b"Cancel</a>" in response.content


def test_two_signatures_on_the_page_approve_and_refresh_the_numbers(client_as, project, pm, rep):
    change = raised(project, pm)
    client_as(pm).post(reverse("projects:change_request_approve", args=[change.pk]), {"comment": ""}, **HTMX)

    response = client_as(rep).post(
        reverse("projects:change_request_approve", args=[change.pk]), {"comment": "ok"}, **HTMX
    )

    content = response.content.decode()
    assert "closeModal" in response["HX-Trigger"]
    assert "€56,500.00" in content
    assert "approved: the budget and the planned end now include it" in content
    change.refresh_from_db()
    assert change.status == "approved"


def test_a_second_signature_by_the_same_person_shows_an_error(client_as, project, pm):
    change = raised(project, pm)
    url = reverse("projects:change_request_approve", args=[change.pk])
    client = client_as(pm)
    client.post(url, {"comment": ""}, **HTMX)

    response = client.post(url, {"comment": ""}, **HTMX)

    assert "You already signed this change request" in response.content.decode()
    assert ChangeRequestApproval.objects.count() == 1


def test_a_rejection_without_comment_returns_into_the_modal(client_as, project, pm):
    change = raised(project, pm)

    response = client_as(pm).post(reverse("projects:change_request_reject", args=[change.pk]), {"comment": ""}, **HTMX)

    assert response["HX-Retarget"] == "#modal-body"
    assert "This field is required." in response.content.decode()
    change.refresh_from_db()
    assert change.status == "proposed"


@pytest.mark.parametrize("persona", ["manager", "other_rep", "outsider"])
def test_others_get_403_on_the_decision_forms(persona, request, client_as, project, pm):
    change = raised(project, pm)
    client = client_as(request.getfixturevalue(persona))

    assert client.get(reverse("projects:change_request_approve", args=[change.pk])).status_code == 403
    assert client.post(reverse("projects:change_request_reject", args=[change.pk]), {"comment": "x"}).status_code == 403
    change.refresh_from_db()
    assert change.status == "proposed"


def test_an_unknown_change_request_is_404(client_as, pm):
    assert client_as(pm).get(reverse("projects:change_request_approve", args=[999999])).status_code == 404


def _count(client, url, method="get", data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, **HTMX) if method == "post" else client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_page_and_the_section_do_not_grow_with_change_requests(client_as, project, pm, rep):
    client = client_as(pm)
    # One of everything first: a prefetch over no rows costs no query, which is not growth.
    first = raised(project, rep)
    change_request_approve(change_request=raised(project, rep), actor=rep)
    page_before = _count(client, detail(project))
    section_url = reverse("projects:change_request_reject", args=[first.pk])
    section_before = _count(client, section_url, "post", {"comment": "no"})

    for _ in range(8):
        change = ChangeRequestFactory(project=project)
        ChangeRequestApproval.objects.create(change_request=change, user=pm, capacity="pm")
        ChangeRequestApproval.objects.create(change_request=change, user=rep, capacity="sales_liaison")
    second = raised(project, rep)

    assert _count(client, detail(project)) == page_before
    assert _count(client, reverse("projects:change_request_reject", args=[second.pk]), "post", {"comment": "no"}) == (
        section_before
    )


# --- API ---------------------------------------------------------------------------------------------------
API = "/api/v1/change-requests/"


@pytest.mark.parametrize("persona", ["rep", "other_rep", "pm", "other_pm", "manager", "outsider"])
def test_every_signed_in_user_reads_change_requests(persona, request, api_as, project, pm):
    change = raised(project, pm)

    body = api_as(request.getfixturevalue(persona)).get(API).json()

    assert [row["id"] for row in body["results"]] == [change.pk]
    assert body["results"][0]["pending_signatures"] == ["pm", "sales_liaison"]
    assert body["results"][0]["cost_impact"] == "8500.00"


def test_the_api_list_filters_by_project_and_status(api_as, project, pm, rep):
    other = accepted_project(owner=rep, pm=pm, title="Second", with_contacts=False)
    mine = raised(project, pm)
    raised(other, pm)
    change_request_reject(change_request=raised(project, pm, FREE), actor=pm, comment="no")
    client = api_as(rep)

    by_project = client.get(API, {"project": project.pk, "status": "proposed"}).json()

    assert [row["id"] for row in by_project["results"]] == [mine.pk]
    assert client.get(API, {"status": "rejected"}).json()["count"] == 1


def test_the_api_raises_approves_and_rolls_into_the_project(api_as, project, pm, rep):
    created = api_as(pm).post(API, {"project": project.pk, **COSTLY}, format="json")
    assert created.status_code == 201, created.content
    url = f"{API}{created.json()['id']}/approve/"

    first = api_as(pm).post(url, {}, format="json")
    second = api_as(rep).post(url, {"comment": "ok"}, format="json")

    assert first.json()["status"] == "proposed"
    assert first.json()["pending_signatures"] == ["sales_liaison"]
    assert second.status_code == 200
    assert second.json()["status"] == "approved"
    assert [item["capacity"] for item in second.json()["approvals"]] == ["pm", "sales_liaison"]
    assert api_as(rep).get(f"/api/v1/projects/{project.pk}/").json()["budget"] == "56500.00"


def test_the_api_answers_409_to_a_second_signature(api_as, project, pm):
    change = raised(project, pm)
    url = f"{API}{change.pk}/approve/"
    api_as(pm).post(url, {}, format="json")

    response = api_as(pm).post(url, {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "four_eyes"


def test_the_api_answers_400_with_field_errors(api_as, project, pm):
    response = api_as(pm).post(
        API, {"project": project.pk, "title": "", "cost_impact": "abc", "schedule_impact_days": 99999}, format="json"
    )

    assert response.status_code == 400
    assert {"title", "cost_impact", "schedule_impact_days"} <= set(response.json())
    assert not ChangeRequest.objects.exists()


def test_the_api_answers_400_for_an_unknown_project(api_as, pm):
    response = api_as(pm).post(API, {"project": 999999, **COSTLY}, format="json")

    assert response.status_code == 400
    assert "project" in response.json()


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_the_api_refuses_others_with_403(persona, request, api_as, project, pm):
    change = raised(project, pm)
    client = api_as(request.getfixturevalue(persona))

    assert client.post(API, {"project": project.pk, **COSTLY}, format="json").status_code == 403
    assert client.post(f"{API}{change.pk}/approve/", {}, format="json").status_code == 403
    assert client.post(f"{API}{change.pk}/reject/", {"comment": "no"}, format="json").status_code == 403
    assert ChangeRequest.objects.count() == 1
    assert not ChangeRequestApproval.objects.exists()


def test_the_api_rejects_with_a_comment_and_refuses_it_twice(api_as, project, pm, rep):
    change = raised(project, pm)
    url = f"{API}{change.pk}/reject/"

    missing = api_as(rep).post(url, {}, format="json")
    done = api_as(rep).post(url, {"comment": "Too expensive"}, format="json")
    again = api_as(pm).post(url, {"comment": "Again"}, format="json")

    assert missing.status_code == 400
    assert "comment" in missing.json()
    assert done.json()["status"] == "rejected"
    assert again.status_code == 409


def test_the_api_refuses_anonymous(api):
    assert api.get(API).status_code in (401, 403)


def test_the_api_list_query_count_does_not_grow(api_as, project, pm, rep, django_assert_max_num_queries):
    client = api_as(rep)
    for _ in range(10):
        change = ChangeRequestFactory(project=project)
        ChangeRequestApproval.objects.create(change_request=change, user=pm, capacity="pm")

    with django_assert_max_num_queries(5):  # session, user, count, rows, approvals
        assert client.get(API).json()["count"] == 10


def test_the_schema_documents_the_change_request_actions(api_as, pm):
    schema = api_as(pm).get("/api/schema/").content.decode()

    assert "/api/v1/change-requests/{id}/approve/" in schema
    assert "/api/v1/change-requests/{id}/reject/" in schema


# --- Demo data -------------------------------------------------------------------------------------------
def test_the_demo_has_changes_deliverables_in_every_status_and_troubled_commitments():
    from accounts import demo as accounts_demo
    from projects import demo
    from projects.models import Deliverable, ProjectCommitment

    accounts_demo.seed()
    demo.seed()
    demo.seed()  # idempotent

    approved = ChangeRequest.objects.get(status="approved")
    assert approved.approvals.count() == 2
    pending = ChangeRequest.objects.get(status="proposed")
    assert pending.approvals.count() == 1
    assert ChangeRequest.objects.count() == 3
    assert set(Deliverable.objects.values_list("status", flat=True)) == {"planned", "submitted", "accepted", "rejected"}
    assert any(
        item.due and item.due < timezone.localdate() and item.status != "accepted" for item in Deliverable.objects.all()
    )
    assert ProjectCommitment.objects.filter(status="at_risk").exists()
    assert ProjectCommitment.objects.filter(status="broken").exists()


# --- Browser ------------------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_change_with_two_signatures_and_a_deliverable_rejected_then_accepted_in_the_browser(
    page, live_server, rep, pm
):
    from playwright.sync_api import expect

    from tests.browser import login, screenshot, switch_user

    project = accepted_project(owner=rep, pm=pm)
    url = f"{live_server.url}{detail(project)}"

    login(page, live_server, pm)
    page.goto(url)
    page.click("[data-testid=raise-change]")
    page.fill("#change-requests input[name=title]", "Fleet interface")
    page.fill("#change-requests input[name=cost_impact]", "8500")
    page.fill("#change-requests input[name=schedule_impact_days]", "14")
    page.click("[data-testid=raise-change-submit]")
    expect(page.locator("#messages")).to_contain_text("Change request “Fleet interface” raised.")
    page.click("[data-testid=approve-change]")
    page.click("#modal [data-testid=confirm]")
    expect(page.locator("[data-testid=pending-signature]")).to_contain_text("Sales liaison (Rita Rep)")

    deliverable = project.deliverables.first()
    row = page.locator(f"#deliverable-{deliverable.pk}")
    row.get_by_role("button", name=re.compile("Submit")).click()
    expect(row).to_contain_text("Submitted")
    page.locator(f"#deliverable-{deliverable.pk} [data-testid=decide-deliverable]").click()
    page.check("#modal input[value=rejected]")
    page.select_option("#modal select[name=contact]", label="Carla CEO (Head of IT)")
    page.fill("#modal textarea[name=reason]", "The diagrams are missing.")
    page.click("#modal [data-testid=confirm]")
    expect(page.locator(f"#deliverable-{deliverable.pk}")).to_contain_text("The diagrams are missing.")
    page.locator(f"#deliverable-{deliverable.pk}").get_by_role(
        "button", name=re.compile("submit", re.IGNORECASE)
    ).click()
    # Wait for the swapped row: clicking into the old one while htmx replaces it opens no modal.
    expect(page.locator(f"#deliverable-{deliverable.pk} .badge--submitted")).to_be_visible()
    page.locator(f"#deliverable-{deliverable.pk} [data-testid=decide-deliverable]").click()
    page.check("#modal input[value=accepted]")
    page.select_option("#modal select[name=contact]", label="Carla CEO (Head of IT)")
    page.click("#modal [data-testid=confirm]")
    expect(page.locator(f"#deliverable-{deliverable.pk}")).to_contain_text("Accepted by Carla CEO")

    commitment = project.commitments.first()
    page.select_option(f"#commitment-status-{commitment.pk}", "at_risk")
    page.locator(f"#commitment-{commitment.pk}").get_by_role("button", name="Set").click()
    expect(page.locator("#messages")).to_contain_text("is now at risk")

    switch_user(page, live_server, rep)
    expect(page.locator("[data-testid=home-commitments]")).to_contain_text(commitment.text)
    page.goto(url)
    page.click("[data-testid=approve-change]")
    page.fill("#modal textarea[name=comment]", "Agreed with the CFO.")
    page.click("#modal [data-testid=confirm]")
    expect(page.locator("[data-testid=now-budget]")).to_contain_text("€56,500.00")
    expect(page.locator("#team-budget")).to_contain_text("€56,500.00")
    expect(page.locator("#change-requests")).to_contain_text("Approved")
    expect(page.locator("#project-timeline")).to_contain_text("Change request approved")
    screenshot(page, "project-change-requests-and-deliverables")
