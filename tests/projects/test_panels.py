"""The sections projects owns on the client and offer pages (issue 16): loaded there with hx-get, answered
here as a fragment for htmx and as a page of their own otherwise, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import ClientIssue, ClientPulse, FollowUp, LessonLearned
from tests.factories import OfferFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# session, user, the client (or offer), the rows; the issues panel also reads the projects the reader may
# log an issue for, the issues with their assignees, and the form's choices.
PANEL_QUERIES = {
    "client_pulse_panel": 4,
    "client_lessons_panel": 4,
    "client_projects_panel": 4,
    "issue_client_panel": 7,
}


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm, with_contacts=False)


def _records(project, *, count: int, rep, pm) -> None:
    for index in range(count):
        issue = ClientIssue.objects.create(
            client=project.client, project=project, title=f"Issue {index}", created_by=rep
        )
        issue.assignees.set([rep, pm])
        ClientPulse.objects.create(project=project, mood=index % 5 + 1, urgency=2, satisfaction=4, recorded_by=rep)
        LessonLearned.objects.create(project=project, client=project.client, text=f"Lesson {index}", author=pm)


def _queries(browser, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url, **HTMX).status_code == 200
    return len(queries)


def test_the_client_page_loads_each_panel_with_hx_get_and_links_it_without_javascript(client_as, rep, project):
    page = client_as(rep).get(reverse("clients:detail", args=[project.client_id])).content.decode()

    for name in ("client_pulse_panel", "client_lessons_panel", "client_projects_panel", "issue_client_panel"):
        url = reverse(f"projects:{name}", args=[project.client_id])
        assert f'hx-get="{url}" hx-trigger="load"' in page
    assert f'href="{reverse("projects:issue_list")}?client={project.client_id}"' in page
    assert f'href="{reverse("projects:client_pulse_panel", args=[project.client_id])}"' in page


@pytest.mark.parametrize("name", ["client_pulse_panel", "client_lessons_panel", "client_projects_panel"])
def test_a_panel_is_a_fragment_for_htmx_and_a_page_otherwise(name, client_as, rep, project):
    url = reverse(f"projects:{name}", args=[project.client_id])
    browser = client_as(rep)

    fragment = browser.get(url, **HTMX)
    page = browser.get(url)

    assert "<html" not in fragment.content.decode()
    assert "<html" in page.content.decode()
    assert f'href="{reverse("clients:detail", args=[project.client_id])}"' in page.content.decode()
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]


@pytest.mark.parametrize(
    "name", ["client_pulse_panel", "client_lessons_panel", "client_projects_panel", "offer_origin_panel"]
)
def test_a_panel_of_no_such_object_is_not_found(name, client_as, rep):
    assert client_as(rep).get(reverse(f"projects:{name}", args=[999999]), **HTMX).status_code == 404


@pytest.mark.parametrize("name", sorted(PANEL_QUERIES))
def test_a_client_panel_runs_the_same_number_of_queries_whatever_the_rows(name, client_as, rep, pm, project):
    browser = client_as(rep)
    url = reverse(f"projects:{name}", args=[project.client_id])
    _records(project, count=1, rep=rep, pm=pm)
    browser.get(url, **HTMX)  # warm caches (content types, session)

    assert _queries(browser, url) == PANEL_QUERIES[name]
    _records(project, count=10, rep=rep, pm=pm)
    assert _queries(browser, url) == PANEL_QUERIES[name]


def test_the_offer_origin_panel_names_the_follow_up_in_a_fixed_number_of_queries(client_as, rep, pm, project):
    offer = OfferFactory(client=project.client, owner=rep)
    FollowUp.objects.create(project=project, title="Second site", raised_by=pm, offer=offer)
    browser = client_as(rep)
    url = reverse("projects:offer_origin_panel", args=[offer.pk])
    browser.get(url, **HTMX)

    with CaptureQueriesContext(connection) as queries:
        content = browser.get(url, **HTMX).content.decode()

    assert len(queries) == 4  # session, user, the offer, the follow-up with its project
    assert 'data-testid="from-follow-up"' in content
    assert "Second site" in content and project.name in content
    page = client_as(rep).get(reverse("handoff:offer_detail", args=[offer.pk])).content.decode()
    assert f'hx-get="{url}"' in page


def test_the_offer_origin_panel_is_empty_for_an_offer_from_elsewhere(client_as, rep):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).get(reverse("projects:offer_origin_panel", args=[offer.pk]), **HTMX)

    assert response.status_code == 200
    assert response.content.decode().strip() == ""
