"""Lessons learned (SPEC §3): written once a project is completed, shown on the client page and its offers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import TransitionNotAllowed
from core.models import Activity
from projects.models import LessonLearned
from projects.services.lessons import lesson_add
from tests.factories import OfferFactory
from tests.projects.factories import accepted_project, completed_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ALLOWED = ["pm", "rep", "manager"]
REFUSED = ["other_rep", "other_pm", "outsider"]
LESSON = "The CFO signs only after a reference visit: plan one before the final offer."
# session, user, count, rows (project, client and author joined)
API_LIST_QUERIES = 4


@pytest.fixture
def project(rep, pm):
    return completed_project(owner=rep, pm=pm)


def only_lesson_is_gone() -> bool:
    return not LessonLearned.objects.exists() and not Activity.objects.filter(verb="lesson_added").exists()


# --- Service ------------------------------------------------------------------------------------
def test_it_records_a_lesson_for_the_client(project, pm):
    lesson = lesson_add(project=project, actor=pm, text=f"  {LESSON}  ")

    assert (lesson.text, lesson.client_id, lesson.project_id, lesson.author) == (
        LESSON,
        project.client_id,
        project.pk,
        pm,
    )
    assert Activity.objects.filter(verb="lesson_added", target_id=project.pk).exists()


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_team_and_managers_record_lessons(persona, request, project):
    assert lesson_add(project=project, actor=request.getfixturevalue(persona), text=LESSON).pk


@pytest.mark.parametrize("persona", REFUSED)
def test_it_refuses_lessons_from_anyone_else(persona, request, project):
    with pytest.raises(PermissionDenied):
        lesson_add(project=project, actor=request.getfixturevalue(persona), text=LESSON)

    assert only_lesson_is_gone()


@pytest.mark.parametrize("status", ["planning", "active", "on_hold", "cancelled"])
def test_it_refuses_a_lesson_before_the_project_is_completed(status, rep, pm):
    project = accepted_project(owner=rep, pm=pm)
    project.status = status
    project.save()

    with pytest.raises(TransitionNotAllowed):
        lesson_add(project=project, actor=pm, text=LESSON)

    assert only_lesson_is_gone()


@pytest.mark.parametrize("text", ["", "   ", None, "x" * 5001])
def test_it_refuses_an_empty_or_overlong_lesson(text, project, pm):
    with pytest.raises(ValidationError) as error:
        lesson_add(project=project, actor=pm, text=text)

    assert "text" in error.value.message_dict
    assert only_lesson_is_gone()


# --- Project page -----------------------------------------------------------------------------------
def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def section(project) -> str:
    """The project page's lessons section, loaded after the page with hx-get."""
    return reverse("projects:lesson_section", args=[project.pk])


def test_the_project_page_loads_the_lessons_after_it(client_as, project, pm):
    page = client_as(pm).get(detail(project)).content.decode()

    assert f'hx-get="{section(project)}" hx-trigger="load"' in page
    assert 'id="lessons"' in page


def test_the_completed_project_shows_its_lessons_and_the_add_form(client_as, project, pm):
    lesson_add(project=project, actor=pm, text=LESSON)

    page = client_as(pm).get(section(project), **HTMX).content.decode()

    assert "Lessons learned" in page
    assert "reference visit" in page
    assert 'data-testid="lesson-form"' in page
    assert 'for="lesson_text"' in page


def test_an_open_project_explains_when_lessons_come_and_has_no_form(client_as, rep, pm):
    project = accepted_project(owner=rep, pm=pm)

    page = client_as(pm).get(section(project), **HTMX).content.decode()

    assert "Lessons are recorded once the project is completed." in page
    assert 'data-testid="lesson-form"' not in page


def test_outsiders_read_the_lessons_without_a_form(client_as, project, pm, outsider):
    lesson_add(project=project, actor=pm, text=LESSON)

    page = client_as(outsider).get(section(project), **HTMX).content.decode()

    assert "reference visit" in page
    assert 'data-testid="lesson-form"' not in page


def test_adding_through_htmx_answers_with_the_section(client_as, project, rep):
    response = client_as(rep).post(reverse("projects:lesson_add", args=[project.pk]), {"text": LESSON}, **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="lessons"' in content and "reference visit" in content
    assert "Lesson recorded" in content
    assert LessonLearned.objects.get().author == rep


def test_adding_without_htmx_redirects_back(client_as, project, rep):
    response = client_as(rep).post(reverse("projects:lesson_add", args=[project.pk]), {"text": LESSON})

    assert response.status_code == 302
    assert response.url == detail(project) + "#lessons"


def test_an_empty_lesson_shows_its_error_and_changes_nothing(client_as, project, pm):
    response = client_as(pm).post(reverse("projects:lesson_add", args=[project.pk]), {"text": "  "}, **HTMX)

    assert 'class="field-error"' in response.content.decode()
    assert only_lesson_is_gone()


def test_a_lesson_on_an_open_project_is_refused_with_a_message(client_as, rep, pm):
    project = accepted_project(owner=rep, pm=pm)

    response = client_as(pm).post(reverse("projects:lesson_add", args=[project.pk]), {"text": LESSON}, **HTMX)

    assert "lessons are recorded once it is completed" in response.content.decode()
    assert only_lesson_is_gone()


@pytest.mark.parametrize("persona", REFUSED)
def test_adding_as_anyone_else_is_403(persona, request, client_as, project):
    response = client_as(request.getfixturevalue(persona)).post(
        reverse("projects:lesson_add", args=[project.pk]), {"text": LESSON}, **HTMX
    )

    assert response.status_code == 403
    assert only_lesson_is_gone()


def test_adding_to_an_unknown_project_is_404(client_as, pm):
    assert client_as(pm).post(reverse("projects:lesson_add", args=[999999]), {"text": LESSON}).status_code == 404


def test_the_project_page_queries_do_not_grow_with_lessons(client_as, project, pm):
    lesson_add(project=project, actor=pm, text=LESSON)
    client = client_as(pm)
    with CaptureQueriesContext(connection) as first:
        client.get(detail(project))
    for index in range(5):
        lesson_add(project=project, actor=pm, text=f"Lesson {index}")

    with CaptureQueriesContext(connection) as second:
        client.get(detail(project))

    assert len(second) == len(first)


# --- Client page and offer pages (the lessons panel they load with hx-get) --------------------------------
def lessons_panel(browser, client_id) -> str:
    return browser.get(reverse("projects:client_lessons_panel", args=[client_id]), **HTMX).content.decode()


def test_the_client_page_loads_the_lessons_of_its_projects(client_as, project, pm, other_rep):
    lesson_add(project=project, actor=pm, text=LESSON)
    browser = client_as(other_rep)

    page = browser.get(reverse("clients:detail", args=[project.client_id])).content.decode()
    panel = lessons_panel(browser, project.client_id)

    assert f'hx-get="{reverse("projects:client_lessons_panel", args=[project.client_id])}"' in page
    assert "Lessons learned" in panel
    assert "reference visit" in panel
    assert f"/projects/{project.pk}/#lessons" in panel


def test_the_lessons_panel_has_an_empty_state(client_as, project, rep):
    assert "No lessons yet" in lessons_panel(client_as(rep), project.client_id)


def test_every_offer_of_the_client_loads_its_lessons(client_as, project, pm, rep):
    lesson_add(project=project, actor=pm, text=LESSON)
    new_offer = OfferFactory(client=project.client, owner=rep, title="Phase 2")
    elsewhere = OfferFactory(owner=rep, title="Another client")
    browser = client_as(rep)

    for offer in (new_offer, elsewhere):
        page = browser.get(reverse("handoff:offer_detail", args=[offer.pk])).content.decode()
        assert f'hx-get="{reverse("projects:client_lessons_panel", args=[offer.client_id])}"' in page
    assert "reference visit" in lessons_panel(browser, new_offer.client_id)
    other_panel = lessons_panel(browser, elsewhere.client_id)
    assert "reference visit" not in other_panel
    assert "No lessons yet" in other_panel


def test_the_lessons_panel_queries_do_not_grow_with_lessons(client_as, project, pm, rep):
    url = reverse("projects:client_lessons_panel", args=[project.client_id])
    lesson_add(project=project, actor=pm, text=LESSON)
    client = client_as(rep)
    with CaptureQueriesContext(connection) as first:
        client.get(url, **HTMX)
    other = completed_project(owner=rep, pm=pm, title="Second project", with_contacts=False)
    other.client = project.client
    other.save()
    for index in range(5):
        lesson_add(project=other if index % 2 else project, actor=pm, text=f"Lesson {index}")

    with CaptureQueriesContext(connection) as second:
        content = client.get(url, **HTMX).content.decode()

    assert "Lesson 4" in content
    assert len(second) == len(first)


# --- API ------------------------------------------------------------------------------------------
API = "/api/v1/lessons/"


def test_the_api_records_a_lesson(api_as, project, pm):
    response = api_as(pm).post(API, {"project": project.pk, "text": LESSON}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["project"], body["client"], body["text"], body["author"]) == (
        project.pk,
        project.client_id,
        LESSON,
        pm.pk,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"text": LESSON},
        {"project": 999999, "text": LESSON},
        {"project": "this", "text": "  "},
        {"project": "this", "text": "x" * 5001},
    ],
)
def test_the_api_refuses_bad_input_with_400(body, api_as, project, pm):
    payload = {**body, "project": project.pk} if body.get("project") == "this" else body

    response = api_as(pm).post(API, payload, format="json")

    assert response.status_code == 400
    assert only_lesson_is_gone()


def test_the_api_answers_409_before_the_project_is_completed(api_as, rep, pm):
    project = accepted_project(owner=rep, pm=pm)

    response = api_as(pm).post(API, {"project": project.pk, "text": LESSON}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert only_lesson_is_gone()


@pytest.mark.parametrize("persona", REFUSED)
def test_the_api_refuses_anyone_else_with_403(persona, request, api_as, project):
    response = api_as(request.getfixturevalue(persona)).post(
        API, {"project": project.pk, "text": LESSON}, format="json"
    )

    assert response.status_code == 403
    assert only_lesson_is_gone()


def test_the_api_lists_and_filters_by_client_and_project(api_as, project, pm, rep, outsider):
    lesson = lesson_add(project=project, actor=pm, text=LESSON)
    other = completed_project(owner=rep, pm=pm, title="Elsewhere", with_contacts=False)
    lesson_add(project=other, actor=pm, text="Another client, another lesson")
    client = api_as(outsider)

    assert client.get(API).json()["count"] == 2
    assert [item["id"] for item in client.get(API, {"client": project.client_id}).json()["results"]] == [lesson.pk]
    assert [item["id"] for item in client.get(API, {"project": project.pk}).json()["results"]] == [lesson.pk]
    assert client.get(f"{API}{lesson.pk}/").json()["text"] == LESSON


def test_the_api_list_query_count_is_pinned(api_as, project, pm, django_assert_num_queries):
    lesson_add(project=project, actor=pm, text=LESSON)
    client = api_as(pm)
    with django_assert_num_queries(API_LIST_QUERIES):
        client.get(API)
    for index in range(5):
        lesson_add(project=project, actor=pm, text=f"Lesson {index}")

    with django_assert_num_queries(API_LIST_QUERIES):
        assert client.get(API).json()["count"] == 6


def test_the_api_wants_a_login(api):
    assert api.get(API).status_code in (401, 403)
