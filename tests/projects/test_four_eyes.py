"""Four eyes on projects (SPEC §7.2): the PM is never the sales liaison, and the two signatures of a change
request come from two people. Through the services, the API and the pages; a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import FourEyes
from core.models import Activity
from projects.models import ChangeRequestApproval
from projects.services.changes import change_request_approve, change_request_raise
from projects.services.projects import project_reassign
from tests.factories import UserFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
COSTLY = {"title": "Fleet interface", "cost_impact": "8500.00", "schedule_impact_days": 14}


@pytest.fixture
def seller(db):
    """A sales rep who also holds the pm role: the project's sales liaison."""
    return UserFactory(username="seller", first_name="Sven", last_name="Seller", roles=["sales", "pm"])


@pytest.fixture
def project(seller, pm):
    return accepted_project(owner=seller, pm=pm)


def unchanged(project, pm) -> bool:
    project.refresh_from_db()
    return project.pm == pm and project.version == 1 and not Activity.objects.filter(verb="reassigned").exists()


# --- Reassigning the project -------------------------------------------------------------------
def test_it_refuses_to_make_the_sales_liaison_the_pm(project, seller, pm, manager):
    with pytest.raises(ValidationError) as refused:
        project_reassign(project=project, actor=manager, pm=seller)

    assert "four eyes" in refused.value.message_dict["pm"][0]
    assert unchanged(project, pm)


def test_the_api_answers_400_on_pm(api_as, project, seller, pm, manager):
    response = api_as(manager).post(f"/api/v1/projects/{project.pk}/reassign/", {"pm": seller.pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["pm"]
    assert unchanged(project, pm)


def test_the_reassign_form_does_not_offer_the_sales_liaison(client_as, project, seller, pm, other_pm, manager):
    browser = client_as(manager)
    url = reverse("projects:reassign", args=[project.pk])

    page = browser.get(url, **HTMX).content.decode()
    refused = browser.post(url, {"pm": seller.pk}, **HTMX)

    assert f'<option value="{other_pm.pk}"' in page
    assert f'<option value="{seller.pk}"' not in page
    assert refused.status_code == 200
    assert "four eyes" in refused.content.decode()
    assert unchanged(project, pm)


# --- The second signature of a change request --------------------------------------------------
@pytest.fixture
def signed_once(project, pm):
    change = change_request_raise(project=project, actor=pm, data=dict(COSTLY))
    change_request_approve(change_request=change, actor=pm)
    return change


def still_waiting(change) -> bool:
    change.refresh_from_db()
    return change.status == "proposed" and ChangeRequestApproval.objects.filter(change_request=change).count() == 1


def test_it_refuses_a_second_signature_by_the_first_signatory(signed_once, pm):
    with pytest.raises(FourEyes) as refused:
        change_request_approve(change_request=signed_once, actor=pm)

    assert refused.value.code == "four_eyes"
    assert still_waiting(signed_once)


def test_the_page_refuses_a_second_signature_by_the_first_signatory(client_as, signed_once, pm):
    response = client_as(pm).post(
        reverse("projects:change_request_approve", args=[signed_once.pk]), {"comment": "Again"}, **HTMX
    )

    assert response.status_code == 200
    assert any("four eyes" in str(message) for message in get_messages(response.wsgi_request))
    assert still_waiting(signed_once)


def test_the_sales_liaison_gives_the_second_signature(signed_once, seller):
    change_request_approve(change_request=signed_once, actor=seller)

    signed_once.refresh_from_db()
    assert signed_once.status == "approved"
    assert set(signed_once.approvals.values_list("user__username", flat=True)) == {"pm", "seller"}


# --- The admin has no door around the rule -------------------------------------------------------
def test_the_admin_cannot_name_a_pm_or_add_a_signature(rf, admin_user):
    from django.contrib import admin

    from projects.admin import ChangeRequestAdmin, ProjectAdmin
    from projects.models import ChangeRequest, Project

    project_admin, change_admin = admin.site._registry[Project], admin.site._registry[ChangeRequest]
    request = rf.get("/admin/")
    request.user = admin_user

    assert isinstance(project_admin, ProjectAdmin) and isinstance(change_admin, ChangeRequestAdmin)
    assert {"pm", "sales_liaison"} <= set(project_admin.get_readonly_fields(request))
    assert project_admin.get_actions(request).keys() <= {"delete_selected"}
    approvals = next(inline for inline in change_admin.inlines if inline.model is ChangeRequestApproval)
    assert approvals(ChangeRequest, admin.site).has_add_permission(request) is False
