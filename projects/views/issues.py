"""The client-issue tracker pages: the filtered list, the detail with comments, status and assignees,
the create form, and the issue panels of the client page (with its one-step form) and the project page.

Thin: reads through ``projects.selectors``, writes through ``projects.services.issues``. The detail's
htmx actions answer with the re-rendered page, of which the client swaps ``#issue-body`` and the messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role
from clients.models import Client
from core.activity import activity_for
from core.errors import DomainError
from core.forms import add_service_errors
from core.htmx import is_fragment, redirect_after, render_page_or_fragment
from projects.filters import IssueFilter, filter_page_rows
from projects.forms import CommentForm, IssueAssignForm, IssueEditForm, IssueForm
from projects.models import ClientIssue, IssueSeverity, IssueStatus, Project
from projects.selectors import (
    issue_filter_choices,
    issue_get,
    issue_list,
    issue_reportable_clients,
    issues_open_for,
    projects_visible_to,
)
from projects.services.issues import (
    allowed_transitions,
    can_change_issue,
    can_comment_issue,
    can_report_issue,
    issue_assign,
    issue_comment_add,
    issue_create,
    issue_transition,
    issue_update,
)
from projects.views.sections import load_project

PAGE_SIZE = 25
FILTER_KEYS = ("severity", "status", "assignee", "client", "project")
STATUS_FILTERS = [
    ("unresolved", gettext_lazy("Open or in progress")),
    ("not_closed", gettext_lazy("Not closed yet")),
    *IssueStatus.choices,
]
# The button that moves an issue to each status, as the person doing it would say it.
TRANSITION_LABELS = {
    IssueStatus.IN_PROGRESS: gettext_lazy("Start work"),
    IssueStatus.RESOLVED: gettext_lazy("Mark resolved"),
    IssueStatus.CLOSED: gettext_lazy("Close"),
}
REOPEN_LABEL = gettext_lazy("Reopen (not fixed)")


# --- List ------------------------------------------------------------------------------------
@require_GET
def issue_list_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "")[:20] for key in FILTER_KEYS}
    data = request.GET.copy()
    if data.get("mine") in ("1", "0"):  # the page's checkbox says 1; the FilterSet (shared with the API) says true
        data["mine"] = "true" if data["mine"] == "1" else "false"
    mine = data.get("mine") == "true"
    issues, filter_errors = filter_page_rows(
        IssueFilter, data=data, queryset=issue_list(user=request.user), request=request
    )
    for error in filter_errors:
        messages.error(request, error)
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "issues": page.object_list,
        "filters": filters,
        "mine": mine,
        "filtered": mine or any(filters.values()),
        "severities": IssueSeverity.choices,
        "statuses": STATUS_FILTERS,
        "query": query.urlencode(),
        "can_log": any(request.user.has_role(role) for role in Role.values),
        **issue_filter_choices(),
    }
    status = 400 if filter_errors else None
    return render_page_or_fragment(
        request, "projects/issues/issue_list.html", "projects/issues/_issue_table.html", context, status=status
    )


# --- Create (full page) ------------------------------------------------------------------------
def _form_choices(request: HttpRequest, client_id: Any, *, posted: bool = False) -> tuple[list[Client], list[Project]]:
    """The clients to choose from and their projects. A posted client stays a choice: the service decides (403)."""
    clients = [
        client
        for client in issue_reportable_clients(user=request.user, include=client_id)
        if (posted and str(client.pk) == str(client_id)) or can_report_issue(request.user, client)
    ]
    projects = list(
        projects_visible_to(request.user)
        .filter(client__in=[client.pk for client in clients])
        .select_related("client")
        .order_by("client__name", "name")
    )
    return clients, projects


@require_http_methods(["GET", "POST"])
def issue_create_view(request: HttpRequest) -> HttpResponse:
    if not any(request.user.has_role(role) for role in Role.values):
        raise PermissionDenied(_("Only sales reps, PMs and managers log client issues."))
    source = request.POST if request.method == "POST" else request.GET
    client_id = source.get("client", "")[:20]
    clients, projects = _form_choices(request, client_id, posted=request.method == "POST")
    if request.method == "GET":
        initial = {"client": client_id, "project": request.GET.get("project", "")[:20]}
        form = IssueForm(user=request.user, clients=clients, projects=projects, initial=initial)
        return render(request, "projects/issues/issue_form.html", {"form": form, "clients": clients})
    form = IssueForm(request.POST, user=request.user, clients=clients, projects=projects)
    if form.is_valid():
        client = next(client for client in clients if client.pk == form.cleaned_data["client"])
        try:
            issue = issue_create(actor=request.user, client=client, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Issue logged: %(title)s.") % {"title": issue.title})
            return redirect_after(request, reverse("projects:issue_detail", args=[issue.pk]))
    return render(request, "projects/issues/issue_form.html", {"form": form, "clients": clients}, status=400)


# --- Detail and its actions ----------------------------------------------------------------------
def _issue(request: HttpRequest, pk: int) -> ClientIssue:
    try:
        return issue_get(user=request.user, pk=pk)
    except ClientIssue.DoesNotExist:
        raise Http404(_("No such issue"))


def _transition_buttons(issue: ClientIssue) -> list[dict[str, str]]:
    buttons = []
    for status in allowed_transitions(issue):
        reopening = status == IssueStatus.IN_PROGRESS and issue.status == IssueStatus.RESOLVED
        buttons.append(
            {
                "status": status,
                "label": REOPEN_LABEL if reopening else TRANSITION_LABELS.get(status, IssueStatus(status).label),
                "primary": not reopening,
            }
        )
    return buttons


def _detail_context(
    request: HttpRequest,
    issue: ClientIssue,
    *,
    edit_form: IssueEditForm | None = None,
    assign_form: IssueAssignForm | None = None,
    comment_form: CommentForm | None = None,
) -> dict[str, Any]:
    can_change = can_change_issue(request.user, issue)
    assignees = list(issue.assignees.all())
    return {
        "issue": issue,
        "assignees": assignees,
        "comments": list(issue.comments.all()),
        "can_change": can_change,
        "can_comment": can_change or can_comment_issue(request.user, issue),
        "is_closed": issue.status == IssueStatus.CLOSED,
        "transitions": _transition_buttons(issue) if can_change else [],
        "edit_form": edit_form
        or IssueEditForm(initial={"title": issue.title, "severity": issue.severity, "description": issue.description}),
        "assign_form": assign_form
        or (IssueAssignForm(initial={"assignees": [person.pk for person in assignees]}) if can_change else None),
        "comment_form": comment_form or CommentForm(),
        "activities": activity_for(issue),
    }


def _render_detail(request: HttpRequest, issue: ClientIssue, *, status: int = 200, **forms_: Any) -> HttpResponse:
    return render(
        request, "projects/issues/issue_detail.html", _detail_context(request, issue, **forms_), status=status
    )


@require_GET
def issue_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _issue(request, pk))


def _done(request: HttpRequest, issue: ClientIssue, message: str) -> HttpResponse:
    """After a change: htmx gets the fresh page (it swaps #issue-body and the messages), a form post a redirect."""
    messages.success(request, message)
    if is_fragment(request):
        return _render_detail(request, _issue(request, issue.pk))
    return redirect("projects:issue_detail", pk=issue.pk)


def _refused(request: HttpRequest, issue: ClientIssue, error: DomainError) -> HttpResponse:
    messages.error(request, error.message)
    if is_fragment(request):
        return _render_detail(request, _issue(request, issue.pk))
    return redirect("projects:issue_detail", pk=issue.pk)


def _invalid(request: HttpRequest, issue: ClientIssue, **forms_: Any) -> HttpResponse:
    # htmx swaps only 2xx answers; a plain form post gets the page with its errors as a 400.
    return _render_detail(request, issue, status=200 if is_fragment(request) else 400, **forms_)


@require_POST
def issue_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    if not can_change_issue(request.user, issue):
        raise PermissionDenied(_("You cannot change this issue."))
    form = IssueEditForm(request.POST)
    if form.is_valid():
        try:
            issue = issue_update(issue=issue, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            return _refused(request, issue, error)
        else:
            return _done(request, issue, _("Issue saved."))
    return _invalid(request, issue, edit_form=form)


@require_POST
def issue_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    status = request.POST.get("status", "")
    try:
        issue = issue_transition(issue=issue, actor=request.user, status=status)
    except ValidationError as error:
        return _refused(request, issue, DomainError(" ".join(error.messages)))
    except DomainError as error:
        return _refused(request, issue, error)
    return _done(request, issue, _("The issue is now %(status)s.") % {"status": issue.get_status_display().lower()})


@require_POST
def issue_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    if not can_change_issue(request.user, issue):
        raise PermissionDenied(_("You cannot change this issue."))
    form = IssueAssignForm(request.POST)
    if form.is_valid():
        try:
            issue = issue_assign(issue=issue, actor=request.user, assignees=form.cleaned_data["assignees"])
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            return _refused(request, issue, error)
        else:
            return _done(request, issue, _("Assignees saved."))
    return _invalid(request, issue, assign_form=form)


@require_POST
def issue_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            issue_comment_add(issue=issue, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, issue, _("Comment added."))
    return _invalid(request, issue, comment_form=form)


# --- The client page's issues, with the one-step form -----------------------------------------------
def client_issues_context(
    request: HttpRequest, client: Client, *, projects: list[Project] | None = None, form: IssueForm | None = None
) -> dict[str, Any]:
    """What ``projects/issues/_client_issues.html`` needs; the client page adds it to its context.

    ``projects``: the client's projects, when the page has them loaded already.
    """
    if projects is None:
        projects = list(projects_visible_to(request.user).filter(client=client).order_by("name"))
    can_report = can_report_issue(request.user, client, projects=projects)
    if can_report and form is None:
        form = IssueForm(
            user=request.user, clients=[client], projects=projects, compact=True, initial={"client": client.pk}
        )
    return {
        "client": client,
        "client_issues": issues_open_for(user=request.user, client=client),
        "can_report_issue": can_report,
        "issue_form": form,
    }


@require_http_methods(["GET", "POST"])
def issue_client_panel_view(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The "Issues" section of a client page; POST logs an issue for the client in one step."""
    client = Client.objects.filter(pk=client_pk).select_related("account_owner").first()
    if client is None:
        raise Http404(_("No such client"))
    back = reverse("clients:detail", args=[client.pk]) + "#issues"
    template = "projects/issues/_client_issues.html"
    if request.method == "GET":
        if not is_fragment(request):
            return redirect(back)
        return render(request, template, client_issues_context(request, client))
    if not can_report_issue(request.user, client):
        raise PermissionDenied(_("Only the account owner, the client's project team and managers log its issues."))
    projects = list(projects_visible_to(request.user).filter(client=client).order_by("name"))
    form = IssueForm(request.POST, user=request.user, clients=[client], projects=projects, compact=True)
    if form.is_valid():
        try:
            issue = issue_create(actor=request.user, client=client, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not is_fragment(request):
                messages.success(request, _("Issue logged: %(title)s.") % {"title": issue.title})
                return redirect(back)
            context = client_issues_context(request, client, projects=projects)
            context["logged"] = issue
            return render(request, template, context)
    if is_fragment(request):
        return render(request, template, client_issues_context(request, client, projects=projects, form=form))
    # Without htmx, the errors are shown on the full form, the client already chosen.
    clients, all_projects = _form_choices(request, client.pk)
    full = IssueForm(request.POST, user=request.user, clients=clients, projects=all_projects)
    full.is_valid()
    for field, errors in form.errors.items():
        if field not in full.errors:
            full.add_error(field if field in full.fields else None, errors)
    return render(request, "projects/issues/issue_form.html", {"form": full, "clients": clients}, status=400)


# --- The project page's issues ---------------------------------------------------------------------
@require_GET
def issue_project_panel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The open issues of a project, loaded into the project page."""
    project = load_project(request, pk)
    if not is_fragment(request):
        return redirect(reverse("projects:issue_list") + f"?project={project.pk}")
    context = {
        "project": project,
        "project_issues": issues_open_for(user=request.user, project=project),
        "issues_loaded": True,
        "can_report_issue": can_report_issue(request.user, project.client),
    }
    return render(request, "projects/issues/_project_issues.html", context)
