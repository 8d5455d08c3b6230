"""The shared client-issue tracker: services, pages, API, permissions per persona, notifications, query counts."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.errors import TransitionNotAllowed
from core.models import Activity
from notifications.events import Event
from notifications.models import Channel, Notification
from projects.models import ClientIssue, IssueComment
from projects.services.issues import (
    IssueClosed,
    issue_assign,
    issue_comment_add,
    issue_create,
    issue_transition,
    issue_update,
)
from tests.factories import ClientFactory, UserFactory
from tests.projects.factories import ClientIssueFactory, accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# session, user (with roles and unread count), count, rows, assignees, filter people, filter clients,
# filter projects
LIST_QUERIES = 8
# session, user (with roles and unread count), issue, assignees, comments, assignable people, activity
DETAIL_QUERIES = 7
API_LIST_QUERIES = 5  # session, user, count, rows, assignees


@pytest.fixture
def project(rep, pm):
    """Rita (rep) owns the client's account and is the project's sales liaison; Paula (pm) runs it."""
    return accepted_project(owner=rep, pm=pm)


@pytest.fixture
def client_(project):
    return project.client


def log(actor, client, **data):
    data.setdefault("title", "Invoices show the wrong VAT rate")
    return issue_create(actor=actor, client=client, data=data)


@pytest.fixture
def issue(rep, pm, client_, project):
    return log(rep, client_, project=project.pk, severity="high", assignees=[pm.pk])


def notified(event) -> list[str]:
    return sorted(
        Notification.objects.filter(event=event, channel=Channel.IN_APP).values_list("recipient__username", flat=True)
    )


def activity_verbs(issue) -> list[str]:
    return list(
        Activity.objects.filter(target_type=ContentType.objects.get_for_model(ClientIssue), target_id=issue.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- Services: logging an issue --------------------------------------------------------------------
def test_it_logs_an_issue_for_the_account_owner_with_project_assignees_and_activity(
    rep, pm, other_pm, client_, project
):
    issue = log(
        rep,
        client_,
        project=project.pk,
        severity="critical",
        reported_through="sales",
        description="Since the March export.",
        assignees=[pm.pk, other_pm.pk],
    )

    issue.refresh_from_db()
    assert (issue.client, issue.project, issue.severity, issue.reported_through, issue.status) == (
        client_,
        project,
        "critical",
        "sales",
        "open",
    )
    assert set(issue.assignees.all()) == {pm, other_pm}
    assert issue.created_by == rep
    assert activity_verbs(issue) == ["created"]


@pytest.mark.parametrize("persona", ["rep", "pm", "manager"])
def test_it_lets_the_people_with_a_reason_log_an_issue(persona, request, client_):
    issue = log(request.getfixturevalue(persona), client_)

    assert ClientIssue.objects.filter(pk=issue.pk).exists()


def test_it_lets_the_sales_liaison_of_a_project_of_the_client_log_an_issue(other_rep, client_, project):
    project.sales_liaison = other_rep
    project.save(update_fields=["sales_liaison"])

    assert log(other_rep, client_).pk


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_it_refuses_an_issue_from_someone_without_a_reason(persona, request, client_):
    with pytest.raises(PermissionDenied):
        log(request.getfixturevalue(persona), client_)

    assert not ClientIssue.objects.exists()


def test_it_refuses_a_project_of_another_client_and_changes_nothing(rep, pm, client_):
    elsewhere = accepted_project(owner=rep, pm=pm, title="Elsewhere")

    with pytest.raises(ValidationError) as error:
        log(rep, client_, project=elsewhere.pk, assignees=[pm.pk])

    assert "project" in error.value.message_dict
    assert not ClientIssue.objects.exists()
    assert notified(Event.ISSUE_CREATED) == []


@pytest.mark.parametrize("who", ["unknown", "inactive", "no_role"])
def test_it_refuses_an_unknown_assignee_and_changes_nothing(who, rep, pm, client_):
    if who == "unknown":
        assignee = 999_999
    elif who == "inactive":
        assignee = UserFactory(username="gone", roles=["pm"], is_active=False).pk
    else:
        assignee = UserFactory(username="nobody", roles=[]).pk

    with pytest.raises(ValidationError) as error:
        log(rep, client_, assignees=[pm.pk, assignee])

    assert "assignees" in error.value.message_dict
    assert not ClientIssue.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"severity": "urgent"}, "severity"),
        ({"reported_through": "pigeon"}, "reported_through"),
        ({"description": "x" * 10001}, "description"),
        ({"assignees": "3"}, "assignees"),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(data, field, rep, client_):
    with pytest.raises(ValidationError) as error:
        log(rep, client_, **data)

    assert field in error.value.message_dict
    assert not ClientIssue.objects.exists()


def test_it_tells_the_assignees_and_the_account_owner_of_a_new_issue(pm, other_pm, manager, client_):
    log(manager, client_, assignees=[pm.pk, other_pm.pk])

    assert notified(Event.ISSUE_CREATED) == ["other_pm", "pm", "rep"]


def test_it_never_tells_the_actor_of_their_own_issue(rep, pm, client_):
    log(rep, client_, assignees=[rep.pk, pm.pk])

    assert notified(Event.ISSUE_CREATED) == ["pm"]
    assert notified(Event.ISSUE_ASSIGNED) == []


# --- Services: changing an issue ---------------------------------------------------------------------
def test_it_moves_an_issue_from_open_to_closed_and_stamps_the_times(issue, pm):
    for status in ("in_progress", "resolved", "closed"):
        issue = issue_transition(issue=issue, actor=pm, status=status)

    issue.refresh_from_db()
    assert issue.status == "closed"
    assert issue.resolved_at is not None
    assert issue.closed_at is not None
    assert activity_verbs(issue).count("status_changed") == 3


def test_it_sends_a_resolved_issue_back_to_work(issue, rep, pm):
    issue = issue_transition(issue=issue, actor=pm, status="resolved")

    issue = issue_transition(issue=issue, actor=rep, status="in_progress")

    issue.refresh_from_db()
    assert (issue.status, issue.resolved_at) == ("in_progress", None)


@pytest.mark.parametrize(("path", "refused"), [([], "closed"), (["resolved", "closed"], "open"), ([], "open")])
def test_it_refuses_an_illegal_transition_and_changes_nothing(path, refused, issue, pm):
    for status in path:
        issue = issue_transition(issue=issue, actor=pm, status=status)
    before = (issue.status, len(activity_verbs(issue)))

    with pytest.raises(TransitionNotAllowed):
        issue_transition(issue=issue, actor=pm, status=refused)

    issue.refresh_from_db()
    assert (issue.status, len(activity_verbs(issue))) == before


def test_it_refuses_an_unknown_status(issue, pm):
    with pytest.raises(ValidationError):
        issue_transition(issue=issue, actor=pm, status="done")

    issue.refresh_from_db()
    assert issue.status == "open"


@pytest.mark.parametrize("persona", ["rep", "pm", "manager"])
def test_the_account_owner_the_project_team_and_managers_change_an_issue(persona, request, issue):
    assert issue_transition(issue=issue, actor=request.getfixturevalue(persona), status="in_progress").status == (
        "in_progress"
    )


def test_an_assignee_from_any_department_changes_the_issue(issue, rep, other_rep):
    issue = issue_assign(issue=issue, actor=rep, assignees=[other_rep.pk])

    issue_transition(issue=issue, actor=other_rep, status="in_progress")

    issue.refresh_from_db()
    assert issue.status == "in_progress"


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_it_refuses_changes_from_someone_not_on_the_issue(persona, request, issue):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        issue_transition(issue=issue, actor=user, status="in_progress")
    with pytest.raises(PermissionDenied):
        issue_update(issue=issue, actor=user, data={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        issue_assign(issue=issue, actor=user, assignees=[user.pk])

    issue.refresh_from_db()
    assert (issue.status, issue.title, list(issue.assignees.values_list("username", flat=True))) == (
        "open",
        "Invoices show the wrong VAT rate",
        ["pm"],
    )


def test_it_edits_title_description_and_severity_and_logs_what_changed(issue, pm):
    issue_update(issue=issue, actor=pm, data={"title": "VAT rate wrong on invoices", "severity": "critical"})

    issue.refresh_from_db()
    assert (issue.title, issue.severity) == ("VAT rate wrong on invoices", "critical")
    row = Activity.objects.filter(verb="updated", target_id=issue.pk).get()
    assert row.changes == {
        "title": ["Invoices show the wrong VAT rate", "VAT rate wrong on invoices"],
        "severity": ["high", "critical"],
    }


def test_it_refuses_an_empty_title_on_edit(issue, pm):
    with pytest.raises(ValidationError):
        issue_update(issue=issue, actor=pm, data={"title": ""})

    issue.refresh_from_db()
    assert issue.title == "Invoices show the wrong VAT rate"


def test_it_refuses_to_edit_or_reassign_a_closed_issue_but_takes_comments(issue, pm, other_pm):
    for status in ("resolved", "closed"):
        issue = issue_transition(issue=issue, actor=pm, status=status)

    with pytest.raises(IssueClosed):
        issue_update(issue=issue, actor=pm, data={"title": "Again"})
    with pytest.raises(IssueClosed):
        issue_assign(issue=issue, actor=pm, assignees=[other_pm.pk])
    issue_comment_add(issue=issue, actor=pm, body="For the record: fixed in release 2.3.")

    assert issue.comments.count() == 1


def test_it_tells_only_the_newly_added_assignees_and_never_the_actor(issue, rep, pm, other_pm, manager):
    Notification.objects.all().delete()

    issue_assign(issue=issue, actor=rep, assignees=[pm.pk, other_pm.pk, manager.pk, rep.pk])

    assert notified(Event.ISSUE_ASSIGNED) == ["manager", "other_pm"]
    assert set(issue.assignees.values_list("username", flat=True)) == {"pm", "other_pm", "manager", "rep"}
    assert "assigned" in activity_verbs(issue)


def test_it_changes_nothing_when_the_assignees_stay_the_same(issue, rep, pm):
    before = len(activity_verbs(issue))

    issue_assign(issue=issue, actor=rep, assignees=[pm.pk])

    assert len(activity_verbs(issue)) == before


def test_it_refuses_an_unknown_assignee_on_reassignment(issue, rep, pm):
    with pytest.raises(ValidationError):
        issue_assign(issue=issue, actor=rep, assignees=[pm.pk, 999_999])

    assert list(issue.assignees.values_list("username", flat=True)) == ["pm"]


def test_it_adds_a_comment_and_logs_it(issue, pm):
    comment = issue_comment_add(issue=issue, actor=pm, body="  Reproduced with the March export.  ")

    assert comment.body == "Reproduced with the March export."
    assert "commented" in activity_verbs(issue)


@pytest.mark.parametrize("body", ["", "   ", None, "x" * 5001])
def test_it_refuses_an_empty_or_overlong_comment(body, issue, pm):
    with pytest.raises(ValidationError):
        issue_comment_add(issue=issue, actor=pm, body=body)

    assert not IssueComment.objects.exists()


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_it_refuses_comments_from_people_off_the_account(persona, request, issue):
    with pytest.raises(PermissionDenied):
        issue_comment_add(issue=issue, actor=request.getfixturevalue(persona), body="Hello")

    assert not IssueComment.objects.exists()


# --- Pages: the list ---------------------------------------------------------------------------------
def test_the_list_shows_issues_to_everyone_signed_in(client_as, issue, outsider):
    page = client_as(outsider).get(reverse("projects:issue_list")).content.decode()

    assert issue.title in page
    assert "Log an issue" not in page


def test_the_list_has_an_empty_state(client_as, rep):
    assert "No client issues yet" in client_as(rep).get(reverse("projects:issue_list")).content.decode()


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(reverse("projects:issue_list"))

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"severity": "critical"}, {"Critical one"}),
        ({"status": "resolved"}, {"Resolved one"}),
        ({"status": "unresolved"}, {"Critical one", "Low one"}),
        ({"assignee": "ASSIGNEE"}, {"Low one"}),
        ({"client": "CLIENT"}, {"Critical one", "Resolved one"}),
        ({"project": "PROJECT"}, {"Critical one"}),
        ({"mine": "1"}, {"Low one"}),
    ],
)
def test_the_list_filters_and_answers_htmx_with_the_table(params, expected, client_as, rep, other_rep, pm, project):
    ClientIssueFactory(client=project.client, project=project, title="Critical one", severity="critical")
    ClientIssueFactory(client=project.client, title="Resolved one", status="resolved", severity="low")
    other = ClientFactory(account_owner=other_rep)
    ClientIssueFactory(client=other, title="Low one", severity="low", assignees=[other_rep])
    replace = {"ASSIGNEE": str(other_rep.pk), "CLIENT": str(project.client_id), "PROJECT": str(project.pk)}
    params = {key: replace.get(value, value) for key, value in params.items()}

    response = client_as(other_rep).get(reverse("projects:issue_list"), params, **HTMX)

    content = response.content.decode()
    assert "<html" not in content
    shown = {title for title in ("Critical one", "Resolved one", "Low one") if title in content}
    assert shown == expected


def test_the_list_puts_the_most_severe_first(client_as, rep, client_):
    ClientIssueFactory(client=client_, title="Small thing", severity="low")
    ClientIssueFactory(client=client_, title="Fire", severity="critical")

    page = client_as(rep).get(reverse("projects:issue_list")).content.decode()

    assert page.index("Fire") < page.index("Small thing")


def test_the_list_is_paginated(client_as, rep, client_):
    ClientIssueFactory.create_batch(26, client=client_)

    page = client_as(rep).get(reverse("projects:issue_list")).content.decode()

    assert "Page 1 of 2" in page


def test_the_list_query_count_is_pinned_and_does_not_grow(
    client_as, rep, pm, other_pm, client_, project, django_assert_num_queries
):
    ClientIssueFactory(client=client_, project=project, assignees=[pm])
    client = client_as(rep)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("projects:issue_list"))
    for index in range(15):
        issue = ClientIssueFactory(client=ClientFactory(), title=f"More {index}", assignees=[pm, other_pm])
        IssueComment.objects.create(issue=issue, author=pm, body="Looking into it.")

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("projects:issue_list"))

    assert "More 14" in response.content.decode()


def test_the_navigation_links_the_tracker(client_as, rep):
    page = client_as(rep).get(reverse("projects:issue_list")).content.decode()

    assert f'href="{reverse("projects:issue_list")}" aria-current="page"' in page


# --- Pages: the detail ---------------------------------------------------------------------------
def detail(issue) -> str:
    return reverse("projects:issue_detail", args=[issue.pk])


def test_the_detail_shows_the_issue_its_comments_and_progress(client_as, issue, pm, outsider):
    issue_comment_add(issue=issue, actor=pm, body="Reproduced with the March export.")

    page = client_as(outsider).get(detail(issue)).content.decode()

    for text in (issue.title, "Reproduced with the March export.", "Paula Manager", "Open", "Activity"):
        assert text in page
    assert "Start work" not in page  # an outsider reads but cannot move it
    assert 'name="body"' not in page


def test_the_detail_offers_the_allowed_moves_to_those_who_may_change_it(client_as, issue, pm):
    page = client_as(pm).get(detail(issue)).content.decode()

    assert "Start work" in page
    assert "Mark resolved" in page
    assert 'value="closed"' not in page


def test_an_unknown_issue_is_404(client_as, rep):
    assert client_as(rep).get(reverse("projects:issue_detail", args=[999_999])).status_code == 404


def test_the_detail_query_count_is_pinned_and_does_not_grow(
    client_as, issue, rep, pm, other_pm, manager, django_assert_num_queries
):
    client = client_as(pm)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail(issue))
    issue = issue_assign(issue=issue, actor=rep, assignees=[pm.pk, other_pm.pk, manager.pk])
    for index in range(10):
        issue_comment_add(issue=issue, actor=rep if index % 2 else pm, body=f"Comment {index}")
    issue_transition(issue=issue, actor=pm, status="in_progress")

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(detail(issue))

    assert "Comment 9" in response.content.decode()


def test_a_status_button_moves_the_issue_and_htmx_gets_the_fresh_page(client_as, issue, pm):
    response = client_as(pm).post(
        reverse("projects:issue_transition", args=[issue.pk]), {"status": "in_progress"}, **HTMX
    )

    assert response.status_code == 200
    assert 'id="issue-body"' in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == "in_progress"


def test_an_illegal_move_from_the_page_shows_why_and_changes_nothing(client_as, issue, pm):
    response = client_as(pm).post(
        reverse("projects:issue_transition", args=[issue.pk]), {"status": "closed"}, follow=True
    )

    assert "cannot become closed" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == "open"


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_people_off_the_issue_get_403_on_every_change(persona, request, client_as, issue):
    client = client_as(request.getfixturevalue(persona))
    urls = {
        "issue_transition": {"status": "in_progress"},
        "issue_edit": {"title": "Mine", "severity": "low", "description": ""},
        "issue_assign": {"assignees": []},
        "issue_comment": {"body": "Hello"},
    }

    for name, data in urls.items():
        assert client.post(reverse(f"projects:{name}", args=[issue.pk]), data).status_code == 403, name

    issue.refresh_from_db()
    assert (issue.status, issue.title, issue.comments.count()) == ("open", "Invoices show the wrong VAT rate", 0)


def test_a_comment_is_added_with_htmx(client_as, issue, rep):
    response = client_as(rep).post(
        reverse("projects:issue_comment", args=[issue.pk]), {"body": "Client called again."}, **HTMX
    )

    assert "Client called again." in response.content.decode()
    assert issue.comments.get().author == rep


def test_an_empty_comment_shows_an_error_and_adds_nothing(client_as, issue, rep):
    response = client_as(rep).post(reverse("projects:issue_comment", args=[issue.pk]), {"body": "  "}, **HTMX)

    assert response.status_code == 200
    assert "Write something before posting the comment." in response.content.decode()
    assert not issue.comments.exists()


def test_the_assignees_are_edited_on_the_page(client_as, issue, rep, other_pm):
    response = client_as(rep).post(reverse("projects:issue_assign", args=[issue.pk]), {"assignees": [other_pm.pk]})

    assert response.status_code == 302
    assert list(issue.assignees.values_list("username", flat=True)) == ["other_pm"]
    assert notified(Event.ISSUE_ASSIGNED) == ["other_pm"]


def test_an_unknown_assignee_on_the_page_shows_an_error_and_changes_nothing(client_as, issue, rep, outsider):
    response = client_as(rep).post(
        reverse("projects:issue_assign", args=[issue.pk]), {"assignees": [outsider.pk]}, **HTMX
    )

    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert list(issue.assignees.values_list("username", flat=True)) == ["pm"]


def test_the_title_and_severity_are_edited_on_the_page(client_as, issue, pm):
    client_as(pm).post(
        reverse("projects:issue_edit", args=[issue.pk]),
        {"title": "VAT wrong", "severity": "critical", "description": "x"},
    )

    issue.refresh_from_db()
    assert (issue.title, issue.severity, issue.description) == ("VAT wrong", "critical", "x")


# --- Pages: the create form ------------------------------------------------------------------------
def test_the_create_page_offers_the_clients_the_user_works_on(client_as, rep, client_, project):
    page = (
        client_as(rep)
        .get(reverse("projects:issue_create"), {"client": client_.pk, "project": project.pk})
        .content.decode()
    )

    assert client_.name in page
    assert f'<option value="{project.pk}" selected>' in page


def test_an_outsider_cannot_open_the_create_page(client_as, outsider):
    assert client_as(outsider).get(reverse("projects:issue_create")).status_code == 403


def test_the_create_page_logs_an_issue_and_opens_it(client_as, rep, pm, client_, project):
    response = client_as(rep).post(
        reverse("projects:issue_create"),
        {
            "client": client_.pk,
            "project": project.pk,
            "title": "Login broken",
            "severity": "high",
            "reported_through": "sales",
            "assignees": [pm.pk],
        },
    )

    issue = ClientIssue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(issue)
    assert (issue.title, issue.project, list(issue.assignees.all())) == ("Login broken", project, [pm])


def test_the_create_page_refuses_a_project_of_another_client(client_as, rep, pm, client_):
    elsewhere = accepted_project(owner=rep, pm=pm, title="Elsewhere")

    response = client_as(rep).post(
        reverse("projects:issue_create"),
        {
            "client": client_.pk,
            "project": elsewhere.pk,
            "title": "Login broken",
            "severity": "high",
            "reported_through": "sales",
        },
    )

    assert response.status_code == 400
    assert f"Choose a project of {client_.name}" in response.content.decode()
    assert not ClientIssue.objects.exists()


def test_the_create_page_refuses_a_client_the_user_does_not_work_on(client_as, other_rep, client_):
    response = client_as(other_rep).post(
        reverse("projects:issue_create"),
        {"client": client_.pk, "title": "Login broken", "severity": "high", "reported_through": "sales"},
    )

    assert response.status_code == 403
    assert not ClientIssue.objects.exists()


# --- The client page: open issues and the one-step form ----------------------------------------------
def test_the_client_page_shows_the_open_issues_with_their_progress(client_as, issue, rep, pm):
    issue_transition(issue=issue, actor=pm, status="in_progress")
    closed = log(rep, issue.client, title="Old and done")
    for status in ("resolved", "closed"):
        closed = issue_transition(issue=closed, actor=rep, status=status)

    page = client_as(pm).get(reverse("projects:issue_client_panel", args=[issue.client_id]), **HTMX).content.decode()

    section = page[page.index('<section id="issues"') :]
    section = section[: section.index("</section>")]
    assert issue.title in section
    assert "In progress" in section
    assert "Old and done" not in section


def test_the_account_owner_logs_an_issue_in_one_step_from_the_client_page(client_as, rep, pm, client_):
    client = client_as(rep)
    page = client.get(reverse("clients:detail", args=[client_.pk])).content.decode()
    assert f'hx-get="{reverse("projects:issue_client_panel", args=[client_.pk])}"' in page
    panel = client.get(reverse("projects:issue_client_panel", args=[client_.pk]), **HTMX).content.decode()
    assert 'data-testid="log-client-issue"' in panel

    response = client.post(
        reverse("projects:issue_client_panel", args=[client_.pk]),
        {
            "client": client_.pk,
            "title": "Printer labels cut off",
            "severity": "medium",
            "reported_through": "sales",
            "assignees": [pm.pk],
        },
        **HTMX,
    )

    content = response.content.decode()
    assert "<html" not in content
    assert "Issue logged" in content
    assert "Printer labels cut off" in content
    assert ClientIssue.objects.get().client == client_
    assert notified(Event.ISSUE_CREATED) == ["pm"]


def test_the_one_step_form_shows_errors_and_logs_nothing(client_as, rep, client_):
    response = client_as(rep).post(
        reverse("projects:issue_client_panel", args=[client_.pk]),
        {"client": client_.pk, "title": "", "severity": "medium", "reported_through": "sales"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not ClientIssue.objects.exists()


def test_the_one_step_form_without_htmx_redirects_to_the_client_page(client_as, rep, client_):
    response = client_as(rep).post(
        reverse("projects:issue_client_panel", args=[client_.pk]),
        {"client": client_.pk, "title": "Labels", "severity": "low", "reported_through": "client"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/clients/{client_.pk}/#issues")


def test_the_client_page_has_no_form_for_someone_without_a_reason(client_as, other_pm, client_):
    page = client_as(other_pm).get(reverse("projects:issue_client_panel", args=[client_.pk]), **HTMX)
    page = page.content.decode()

    assert 'id="issues"' in page
    assert 'data-testid="log-client-issue"' not in page


def test_the_one_step_form_refuses_someone_without_a_reason(client_as, other_rep, client_):
    response = client_as(other_rep).post(
        reverse("projects:issue_client_panel", args=[client_.pk]),
        {"client": client_.pk, "title": "Labels", "severity": "low", "reported_through": "client"},
        **HTMX,
    )

    assert response.status_code == 403
    assert not ClientIssue.objects.exists()


# --- The project page ---------------------------------------------------------------------------------
def test_the_project_page_loads_its_open_issues(client_as, issue, rep, project):
    page = client_as(rep).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("projects:issue_project_panel", args=[project.pk]) in page

    panel = client_as(rep).get(reverse("projects:issue_project_panel", args=[project.pk]), **HTMX).content.decode()

    assert issue.title in panel
    assert f"?client={project.client_id}&amp;project={project.pk}" in panel  # log another one


def test_the_project_panel_without_htmx_goes_to_the_filtered_list(client_as, rep, project):
    response = client_as(rep).get(reverse("projects:issue_project_panel", args=[project.pk]))

    assert response.status_code == 302
    assert response["Location"].endswith(f"?project={project.pk}")


# --- API -----------------------------------------------------------------------------------------
API = "/api/v1/issues/"


@pytest.mark.parametrize("persona", ["rep", "other_rep", "pm", "other_pm", "manager", "outsider"])
def test_every_signed_in_user_reads_issues_in_the_api(persona, request, api_as, issue):
    response = api_as(request.getfixturevalue(persona)).get(API)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    row = body["results"][0]
    assert (row["id"], row["status"], row["severity"], row["assignees"]) == (
        issue.pk,
        "open",
        "high",
        [issue.assignees.get().pk],
    )
    assert row["allowed_transitions"] == ["in_progress", "resolved"]


def test_anonymous_reads_no_issues(api, issue):
    assert api.get(API).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "resolved"}, ["Resolved one"]),
        ({"status": "unresolved"}, ["Critical one", "Low one"]),
        ({"severity": "critical"}, ["Critical one"]),
        ({"assignee": "ASSIGNEE"}, ["Low one"]),
        ({"client": "CLIENT"}, ["Critical one", "Resolved one"]),
        ({"project": "PROJECT"}, ["Critical one"]),
    ],
)
def test_the_api_list_filters(params, expected, api_as, rep, other_rep, project):
    ClientIssueFactory(client=project.client, project=project, title="Critical one", severity="critical")
    ClientIssueFactory(client=project.client, title="Resolved one", status="resolved", severity="medium")
    ClientIssueFactory(
        client=ClientFactory(account_owner=other_rep), title="Low one", severity="low", assignees=[other_rep]
    )
    replace = {"ASSIGNEE": str(other_rep.pk), "CLIENT": str(project.client_id), "PROJECT": str(project.pk)}

    body = api_as(rep).get(API, {key: replace.get(value, value) for key, value in params.items()}).json()

    assert [row["title"] for row in body["results"]] == expected


def test_the_api_list_filters_on_mine_and_survives_odd_ids(api_as, rep, other_rep, project):
    ClientIssueFactory(client=project.client, title="Rita's")
    ClientIssueFactory(client=ClientFactory(account_owner=other_rep), title="Otto's")
    api = api_as(other_rep)

    assert [row["title"] for row in api.get(API, {"mine": "true"}).json()["results"]] == ["Otto's"]
    # Like every id filter of the API (core.api.filters.IdFilter): beyond 64 bits or below 1 is a 400.
    assert api.get(API, {"assignee": str(10**30)}).status_code == 400
    assert api.get(API, {"client": "-4"}).status_code == 400
    assert api.get(API, {"mine": "maybe"}).status_code == 400
    assert api.get(API, {"project": "0.5"}).status_code == 400


def test_the_api_list_query_count_is_pinned_and_does_not_grow(
    api_as, rep, pm, other_pm, client_, django_assert_num_queries
):
    ClientIssueFactory(client=client_, assignees=[pm])
    api = api_as(rep)
    with django_assert_num_queries(API_LIST_QUERIES):
        api.get(API)
    for index in range(15):
        ClientIssueFactory(client=ClientFactory(), title=f"More {index}", assignees=[pm, other_pm])

    with django_assert_num_queries(API_LIST_QUERIES):
        assert api.get(API).json()["count"] == 16


def test_the_api_logs_an_issue(api_as, rep, pm, client_, project):
    response = api_as(rep).post(
        API,
        {
            "client": client_.pk,
            "project": project.pk,
            "title": "Login broken",
            "severity": "critical",
            "assignees": [pm.pk],
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["project"], body["assignees"], body["status"], body["reported_through"]) == (
        "Login broken",
        project.pk,
        [pm.pk],
        "open",
        "client",
    )
    assert notified(Event.ISSUE_CREATED) == ["pm"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": "OTHER"}, "project"),
        ({"assignees": [999_999]}, "assignees"),
        ({"severity": "urgent"}, "severity"),
        ({"title": ""}, "title"),
        ({"client": 999_999}, "client"),
    ],
)
def test_the_api_refuses_bad_input_with_400_and_changes_nothing(body, field, api_as, rep, pm, client_):
    elsewhere = accepted_project(owner=rep, pm=pm, title="Elsewhere")
    data = {"client": client_.pk, "title": "Login broken", **body}
    if data.get("project") == "OTHER":
        data["project"] = elsewhere.pk

    response = api_as(rep).post(API, data, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ClientIssue.objects.exists()


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_the_api_refuses_an_issue_from_someone_without_a_reason(persona, request, api_as, client_):
    response = api_as(request.getfixturevalue(persona)).post(API, {"client": client_.pk, "title": "X"}, format="json")

    assert response.status_code == 403
    assert not ClientIssue.objects.exists()


def test_the_api_edits_fields_with_patch(api_as, issue, pm):
    response = api_as(pm).patch(f"{API}{issue.pk}/", {"severity": "critical", "title": "VAT"}, format="json")

    assert response.status_code == 200
    assert (response.json()["severity"], response.json()["title"]) == ("critical", "VAT")


def test_the_api_patch_points_status_changes_to_the_transition(api_as, issue, pm):
    response = api_as(pm).patch(f"{API}{issue.pk}/", {"status": "closed"}, format="json")

    assert response.status_code == 400
    assert "transition" in response.json()["status"][0]
    issue.refresh_from_db()
    assert issue.status == "open"


def test_the_api_answers_403_and_404(api_as, issue, other_rep):
    api = api_as(other_rep)

    assert api.patch(f"{API}{issue.pk}/", {"title": "Mine"}, format="json").status_code == 403
    assert api.post(f"{API}{issue.pk}/transition/", {"status": "in_progress"}, format="json").status_code == 403
    assert api.post(f"{API}{issue.pk}/assign/", {"assignees": []}, format="json").status_code == 403
    assert api.post(f"{API}{issue.pk}/comments/", {"body": "Hi"}, format="json").status_code == 403
    assert api.get(f"{API}999999/").status_code == 404
    assert api.post(f"{API}999999/transition/", {"status": "in_progress"}, format="json").status_code == 404


def test_the_api_moves_an_issue_and_refuses_an_illegal_move_with_409(api_as, issue, pm):
    api = api_as(pm)

    assert (
        api.post(f"{API}{issue.pk}/transition/", {"status": "resolved"}, format="json").json()["status"] == "resolved"
    )
    response = api.post(f"{API}{issue.pk}/transition/", {"status": "open"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert response.json()["allowed"] == ["closed", "in_progress"]
    issue.refresh_from_db()
    assert issue.status == "resolved"


def test_the_api_refuses_an_unknown_status_with_400(api_as, issue, pm):
    assert api_as(pm).post(f"{API}{issue.pk}/transition/", {"status": "done"}, format="json").status_code == 400


def test_the_api_refuses_edits_of_a_closed_issue_with_409(api_as, issue, pm):
    for status in ("resolved", "closed"):
        issue_transition(issue=issue, actor=pm, status=status)

    response = api_as(pm).patch(f"{API}{issue.pk}/", {"title": "Again"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "issue_closed"


def test_the_api_assigns_several_people_and_tells_the_new_ones(api_as, issue, rep, pm, other_pm, manager):
    response = api_as(rep).post(
        f"{API}{issue.pk}/assign/", {"assignees": [pm.pk, other_pm.pk, manager.pk]}, format="json"
    )

    assert response.status_code == 200
    assert sorted(response.json()["assignees"]) == sorted([pm.pk, other_pm.pk, manager.pk])
    assert notified(Event.ISSUE_ASSIGNED) == ["manager", "other_pm"]


def test_the_api_refuses_an_unknown_assignee_with_400(api_as, issue, rep):
    response = api_as(rep).post(f"{API}{issue.pk}/assign/", {"assignees": [999_999]}, format="json")

    assert response.status_code == 400
    assert "assignees" in response.json()
    assert issue.assignees.count() == 1


def test_the_api_lists_and_adds_comments(api_as, issue, pm, rep):
    api = api_as(pm)

    created = api.post(f"{API}{issue.pk}/comments/", {"body": "On it."}, format="json")
    listed = api_as(rep).get(f"{API}{issue.pk}/comments/")

    assert created.status_code == 201
    assert [(row["body"], row["author"]) for row in listed.json()] == [("On it.", pm.pk)]


def test_the_api_refuses_an_empty_comment_with_400(api_as, issue, pm):
    response = api_as(pm).post(f"{API}{issue.pk}/comments/", {"body": "   "}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    assert not IssueComment.objects.exists()


# --- Demo ----------------------------------------------------------------------------------------
def test_the_demo_logs_issues_across_severities_and_statuses_once():
    from accounts import demo as accounts_demo
    from clients import demo as clients_demo
    from handoff import demo as handoff_demo
    from projects import demo

    for module in (accounts_demo, clients_demo, handoff_demo, demo):
        module.seed()
    count = ClientIssue.objects.count()
    demo.seed()

    assert ClientIssue.objects.count() == count >= 5
    assert set(ClientIssue.objects.values_list("status", flat=True)) == {"open", "in_progress", "resolved", "closed"}
    assert set(ClientIssue.objects.values_list("severity", flat=True)) == {"low", "medium", "high", "critical"}
    assert IssueComment.objects.exists()


# --- Browser ---------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_issue_logged_by_sales_on_the_client_page_is_resolved_by_the_pm(page, live_server, rep, pm, project):
    from tests.browser import login, screenshot

    login(page, live_server, rep)
    page.goto(f"{live_server.url}{reverse('clients:detail', args=[project.client_id])}")
    page.click('[data-testid="log-client-issue"]')
    page.fill("#issues input[name=title]", "Labels are cut off on the new printers")
    page.select_option("#issues select[name=severity]", "high")
    page.select_option("#issues select[name=project]", str(project.pk))
    page.select_option("#issues select[name=assignees]", [str(pm.pk)])
    page.click('[data-testid="submit-client-issue"]')
    page.wait_for_selector("#issues >> text=Issue logged")
    screenshot(page, "issues-client-page")
    page.click("#issues a >> text=Labels are cut off on the new printers")
    page.wait_for_selector('[data-testid="issue-status"] >> text=Open')
    page.click("button >> text=Log out")

    login(page, live_server, pm)
    issue = ClientIssue.objects.get()
    page.goto(f"{live_server.url}{detail(issue)}")
    page.click('[data-testid="to-in_progress"]')
    page.wait_for_selector('[data-testid="issue-status"] >> text=In progress')
    page.fill("#issue-comments textarea[name=body]", "Driver update rolled out to both plants.")
    page.click('[data-testid="add-comment"]')
    page.wait_for_selector('[data-testid="issue-comments"] >> text=Driver update rolled out')
    page.click('[data-testid="to-resolved"]')
    page.wait_for_selector('[data-testid="issue-status"] >> text=Resolved')
    screenshot(page, "issues-detail")

    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.pk])}")
    page.wait_for_selector("#project-issues >> text=Labels are cut off on the new printers")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{reverse('projects:issue_list')}?status=resolved")
    page.wait_for_selector('[data-testid="issue-table"] >> text=Labels are cut off on the new printers')
    screenshot(page, "issues-list-phone")
    issue.refresh_from_db()
    assert issue.status == "resolved"
    assert list(issue.assignees.all()) == [pm]
