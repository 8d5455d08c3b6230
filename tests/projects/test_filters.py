"""The list pages filter through the FilterSets of projects.filters, the ones their API endpoints use."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from projects.models import Project
from tests.factories import ClientFactory
from tests.projects.factories import ClientIssueFactory, accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


def test_the_project_list_and_the_api_show_the_same_rows(client_as, api_as, project, rep, pm):
    troubled = accepted_project(owner=rep, pm=pm, title="Troubled")
    Project.objects.filter(pk=troubled.pk).update(health="off_track")
    query = {"health": "off_track", "pm": str(pm.pk)}

    page = client_as(rep).get(reverse("projects:list"), query, **HTMX).content.decode()
    api = api_as(rep).get("/api/v1/projects/", query).json()["results"]

    assert [row["id"] for row in api] == [troubled.pk]
    assert "Troubled" in page
    assert project.name not in page


def test_an_empty_parameter_means_no_filter(client_as, project, rep):
    response = client_as(rep).get(reverse("projects:list"), {"status": "", "health": "", "pm": "", "client": ""})

    assert response.status_code == 200
    assert project.name in response.content.decode()


@pytest.mark.parametrize(
    ("parameter", "value"), [("status", "bogus"), ("health", "sunny"), ("pm", "abc"), ("client", "0")]
)
def test_an_invalid_project_filter_is_a_400_that_names_the_parameter(client_as, project, rep, parameter, value):
    response = client_as(rep).get(reverse("projects:list"), {parameter: value})

    assert response.status_code == 400
    errors = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(errors) == 1
    assert f"“{parameter}”" in errors[0]
    assert project.name not in response.content.decode()


@pytest.mark.parametrize(
    ("parameter", "value"), [("severity", "huge"), ("status", "done"), ("assignee", "x"), ("mine", "yes")]
)
def test_an_invalid_issue_filter_is_a_400_that_names_the_parameter(client_as, rep, parameter, value):
    ClientIssueFactory(client=ClientFactory(account_owner=rep), title="Printer on fire")

    response = client_as(rep).get(reverse("projects:issue_list"), {parameter: value})

    assert response.status_code == 400
    errors = [str(message) for message in get_messages(response.wsgi_request)]
    assert f"“{parameter}”" in errors[0]
    assert "Printer on fire" not in response.content.decode()


def test_the_issue_list_keeps_its_mine_checkbox_and_takes_the_apis_true(client_as, rep, other_rep):
    ClientIssueFactory(client=ClientFactory(account_owner=rep), title="Leaking tap XJ1")
    ClientIssueFactory(client=ClientFactory(account_owner=other_rep), title="Broken lift XJ2")

    for value in ("1", "true"):
        page = client_as(rep).get(reverse("projects:issue_list"), {"mine": value}).content.decode()
        assert "Leaking tap XJ1" in page and "Broken lift XJ2" not in page
    page = client_as(rep).get(reverse("projects:issue_list"), {"mine": "0"}).content.decode()
    assert "Leaking tap XJ1" in page and "Broken lift XJ2" in page
