"""The shared client-issue tracker (SPEC §3): log, edit, assign, move along ISSUE_TRANSITIONS, comment.

Sales is the first line of support: the client explains a problem once, to
whoever they talk to, and the whole account sees it. Every write is one
transaction that locks the issue, writes the activity log and records the
notifications (delivered after commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from accounts.roles import Role
from clients.models import Client
from core.activity import log_activity
from core.errors import DomainError, TransitionNotAllowed
from core.i18n import deferred, later
from notifications.events import Event
from notifications.services import notify
from projects.actors import is_client_actor
from projects.models import (
    ISSUE_TRANSITIONS,
    ClientIssue,
    IssueComment,
    IssueSeverity,
    IssueStatus,
    Project,
    ReportedThrough,
)
from projects.services.projects import in_sentence

TITLE_MAX = 200
DESCRIPTION_MAX = 10000
COMMENT_MAX = 5000
MAX_ASSIGNEES = 20
EDITABLE_FIELDS = ("title", "description", "severity")
PORTAL_ROLES = (Role.SALES, Role.PM, Role.MANAGER)


class IssueClosed(DomainError):
    code = "issue_closed"


# What each text field says when its input is not text, missing, or too long (one whole sentence each).
TEXT_MESSAGES = {
    "title": (
        gettext_lazy("The title must be text."),
        gettext_lazy("Give the title."),
        gettext_lazy("Keep the title under %(limit)s characters."),
    ),
    "description": (
        gettext_lazy("The description must be text."),
        gettext_lazy("Give the description."),
        gettext_lazy("Keep the description under %(limit)s characters."),
    ),
    "comment": (
        gettext_lazy("The comment must be text."),
        gettext_lazy("Give the comment."),
        gettext_lazy("Keep the comment under %(limit)s characters."),
    ),
}


# --- Who may do what -------------------------------------------------------------------------
def _works_here(user: Any) -> bool:
    """Signed in, active and holding a portal role (an outsider reads, but never writes)."""
    return bool(
        user
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and any(user.has_role(role) for role in PORTAL_ROLES)
    )


def can_report_issue(user: Any, client: Client, *, projects: Iterable[Project] | None = None) -> bool:
    """The account owner, the PM or sales liaison of a project of the client, and managers.

    ``projects``: the client's projects when the caller has them loaded (saves the query).
    A client contact reports through the link of their project (SPEC §7.5).
    """
    if is_client_actor(user):
        return user.link.is_active and user.link.project.client_id == client.pk
    if not _works_here(user):
        return False
    if user.has_role(Role.MANAGER) or client.account_owner_id == user.pk:
        return True
    if projects is not None:
        return any(user.pk in (project.pm_id, project.sales_liaison_id) for project in projects)
    return Project.objects.filter(client_id=client.pk).filter(Q(pm=user) | Q(sales_liaison=user)).exists()


def _assignee_ids(issue: ClientIssue) -> set[int]:
    # Uses the prefetched assignees when the selector loaded them.
    return {person.pk for person in issue.assignees.all()}


def can_change_issue(user: Any, issue: ClientIssue) -> bool:
    """Its assignees, the client's account owner, the project's PM and sales liaison, managers."""
    if not _works_here(user):
        return False
    if user.has_role(Role.MANAGER) or issue.client.account_owner_id == user.pk:
        return True
    if issue.project_id and user.pk in (issue.project.pm_id, issue.project.sales_liaison_id):
        return True
    return user.pk in _assignee_ids(issue)


def can_comment_issue(user: Any, issue: ClientIssue) -> bool:
    """Everyone who may change the issue, and everyone with a reason to report one for its client."""
    return can_change_issue(user, issue) or can_report_issue(user, issue.client)


def allowed_transitions(issue: ClientIssue) -> tuple[str, ...]:
    return ISSUE_TRANSITIONS.get(issue.status, ())


def _ensure_can_change(user: Any, issue: ClientIssue) -> None:
    if not can_change_issue(user, issue):
        raise PermissionDenied(
            gettext(
                "Only the issue's assignees, the account owner, the project's PM or sales liaison and managers change it."
            )
        )


# --- Cleaning input --------------------------------------------------------------------------
def _clean_text(value: Any, *, field: str, label: str, limit: int, required: bool, errors: dict[str, str]) -> str:
    not_text, missing, too_long = TEXT_MESSAGES[label]
    text = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if text is None:
        errors[field] = str(not_text)
        return ""
    if required and not text:
        errors[field] = str(missing)
    elif len(text) > limit:
        errors[field] = too_long % {"limit": limit}
    return text


def _clean_choice(value: Any, *, field: str, choices: type, errors: dict[str, str]) -> str:
    if value not in choices.values:
        errors[field] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
        return ""
    return value


def _clean_fields(data: dict[str, Any], *, partial: bool) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if not partial or "title" in data:
        cleaned["title"] = _clean_text(
            data.get("title"), field="title", label="title", limit=TITLE_MAX, required=True, errors=errors
        )
    if not partial or "description" in data:
        cleaned["description"] = _clean_text(
            data.get("description"),
            field="description",
            label="description",
            limit=DESCRIPTION_MAX,
            required=False,
            errors=errors,
        )
    if not partial or "severity" in data:
        cleaned["severity"] = _clean_choice(
            data.get("severity") or (None if partial else IssueSeverity.MEDIUM),
            field="severity",
            choices=IssueSeverity,
            errors=errors,
        )
    return cleaned, errors


def _ids(values: Iterable[Any]) -> list[int] | None:
    ids = []
    for value in values:
        pk = getattr(value, "pk", value)
        if isinstance(pk, bool):
            return None
        if isinstance(pk, str) and pk.strip().isdigit():
            pk = int(pk)
        if not isinstance(pk, int):
            return None
        ids.append(pk)
    return ids


def _clean_assignees(values: Any, errors: dict[str, str]) -> list[User]:
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        errors["assignees"] = gettext("Give a list of user ids.")
        return []
    ids = _ids(values)
    if ids is None:
        errors["assignees"] = gettext("Give a list of user ids.")
        return []
    unique = set(ids)
    if len(unique) > MAX_ASSIGNEES:
        errors["assignees"] = gettext("Assign at most %(limit)s people.") % {"limit": MAX_ASSIGNEES}
        return []
    people = list(
        User.objects.filter(pk__in=unique, is_active=True, groups__name__in=PORTAL_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    if len(people) != len(unique):
        errors["assignees"] = gettext("Every assignee must be an active sales rep, PM or manager.")
        return []
    return people


def _clean_project(value: Any, client: Client, errors: dict[str, str]) -> Project | None:
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    if isinstance(pk, str) and pk.strip().isdigit():
        pk = int(pk)
    project = (
        Project.objects.filter(pk=pk, client_id=client.pk).select_related("pm", "sales_liaison").first()
        if isinstance(pk, int) and not isinstance(pk, bool)
        else None
    )
    if project is None:
        errors["project"] = gettext("Choose a project of %(client)s, or none.") % {"client": client.name}
    return project


def _names(people: Iterable[User]) -> str:
    return ", ".join(sorted(person.full_name for person in people)) or gettext("nobody")


def _lock(issue: ClientIssue) -> ClientIssue:
    return (
        ClientIssue.objects.select_for_update(of=("self",))
        .select_related("client", "project")
        .prefetch_related("assignees")
        .get(pk=issue.pk)
    )


def _ensure_not_closed(issue: ClientIssue, refusal: str) -> None:
    if issue.status == IssueStatus.CLOSED:
        raise IssueClosed(refusal)


# --- Writes ----------------------------------------------------------------------------------
@transaction.atomic
def issue_create(*, actor: Any, client: Client, data: dict[str, Any]) -> ClientIssue:
    """Log an issue for ``client`` (optionally on one of its projects), assign it, tell the people concerned.

    ``data``: title, description, severity, reported_through, project (id or None), assignees (ids).
    """
    if not can_report_issue(actor, client):
        raise PermissionDenied(
            gettext(
                "Only the account owner, the PM or sales liaison of a project of this client and managers log its issues."
            )
        )
    through_link = is_client_actor(actor)
    if through_link:
        # The client reports on their project, through the client channel, and assigns nobody.
        data = {**data, "project": actor.project_id, "reported_through": ReportedThrough.CLIENT, "assignees": []}
    cleaned, errors = _clean_fields(data, partial=False)
    reported_through = _clean_choice(
        data.get("reported_through") or ReportedThrough.CLIENT,
        field="reported_through",
        choices=ReportedThrough,
        errors=errors,
    )
    project = _clean_project(data.get("project"), client, errors)
    assignees = _clean_assignees(data.get("assignees"), errors)
    if errors:
        raise ValidationError(errors)
    issue = ClientIssue.objects.create(
        client=client,
        project=project,
        reported_through=reported_through,
        created_by=None if through_link else actor,
        reported_by_contact=actor.contact if through_link else None,
        **cleaned,
    )
    issue.assignees.set(assignees)
    log_activity(
        actor=actor,
        verb="created",
        target=issue,
        changes={"severity": (None, issue.severity), "assignees": (None, _names(assignees))},
        message=issue.title,
    )
    log_activity(
        actor=actor, verb="issue_logged", target=client, message=f"{issue.get_severity_display()}: {issue.title}"
    )
    # Choice labels and "nobody" are lazy: each recipient reads them in their own language (SPEC §7.6).
    placeholders = {
        "severity": IssueSeverity(issue.severity).label,
        "client": client.name,
        "project": project.name if project else "",
        "title": issue.title,
        "actor": actor.full_name,
        "channel": ReportedThrough(issue.reported_through).label,
        "assignees": later(_names, list(assignees)),
    }
    if project:
        body = gettext_lazy(
            "%(actor)s logged an issue for %(client)s / %(project)s (reported through %(channel)s). "
            "Assigned to %(assignees)s."
        )
    else:
        body = gettext_lazy(
            "%(actor)s logged an issue for %(client)s (reported through %(channel)s). Assigned to %(assignees)s."
        )
    team = [project.pm, project.sales_liaison] if through_link and project else []
    notify(
        event=Event.ISSUE_CREATED,
        recipients=[*assignees, client.account_owner, *team],
        target=issue,
        actor=actor,
        title=deferred(gettext_lazy("%(severity)s issue for %(client)s: %(title)s"), **placeholders),
        body=lambda: f"{deferred(body, **placeholders)}\n\n{issue.description}".strip(),
    )
    return issue


@transaction.atomic
def issue_update(*, issue: ClientIssue, actor: Any, data: dict[str, Any]) -> ClientIssue:
    """Title, description and severity, by the people who may change the issue."""
    _ensure_can_change(actor, issue)
    cleaned, errors = _clean_fields({key: value for key, value in data.items() if key in EDITABLE_FIELDS}, partial=True)
    if errors:
        raise ValidationError(errors)
    issue = _lock(issue)
    _ensure_can_change(actor, issue)
    _ensure_not_closed(issue, gettext("This issue is closed; it can no longer be edited."))
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in cleaned.items():
        old = getattr(issue, field)
        if old != value:
            changes[field] = (old, value)
            setattr(issue, field, value)
    if not changes:
        return issue
    issue.save(update_fields=[*changes, "updated_at"])
    log_activity(actor=actor, verb="updated", target=issue, changes=changes)
    return issue


@transaction.atomic
def issue_assign(*, issue: ClientIssue, actor: Any, assignees: Any) -> ClientIssue:
    """Set the assignees (any role, several at once); the newly added ones are told."""
    _ensure_can_change(actor, issue)
    errors: dict[str, str] = {}
    people = _clean_assignees(assignees if assignees is not None else [], errors)
    if errors:
        raise ValidationError(errors)
    issue = _lock(issue)
    _ensure_can_change(actor, issue)
    _ensure_not_closed(issue, gettext("This issue is closed; it can no longer be reassigned."))
    before = list(issue.assignees.all())
    before_ids = {person.pk for person in before}
    after_ids = {person.pk for person in people}
    if before_ids == after_ids:
        return issue
    issue.assignees.set(people)
    issue.save(update_fields=["updated_at"])
    log_activity(actor=actor, verb="assigned", target=issue, changes={"assignees": (_names(before), _names(people))})
    added = [person for person in people if person.pk not in before_ids]
    notify(
        event=Event.ISSUE_ASSIGNED,
        recipients=added,
        target=issue,
        actor=actor,
        title=deferred(gettext_lazy("Issue assigned to you: %(title)s"), title=issue.title),
        body=deferred(
            gettext_lazy(
                "%(actor)s assigned you to the %(severity)s issue “%(title)s” of %(client)s (now %(status)s)."
            ),
            actor=actor.full_name,
            severity=later(in_sentence, IssueSeverity(issue.severity).label),
            title=issue.title,
            client=issue.client.name,
            status=later(in_sentence, IssueStatus(issue.status).label),
        ),
    )
    return issue


@transaction.atomic
def issue_transition(*, issue: ClientIssue, actor: Any, status: Any) -> ClientIssue:
    """Move along ISSUE_TRANSITIONS: open → in progress → resolved → closed (resolved may go back to work)."""
    if status not in IssueStatus.values:
        raise ValidationError(
            {"status": gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(IssueStatus.values)}}
        )
    _ensure_can_change(actor, issue)
    issue = _lock(issue)
    _ensure_can_change(actor, issue)
    allowed = allowed_transitions(issue)
    if status not in allowed:
        labels = [in_sentence(IssueStatus(value).label) for value in allowed]
        placeholders = {
            "status": in_sentence(issue.get_status_display()),
            "new_status": in_sentence(IssueStatus(status).label),
            "options": labels[0] if len(labels) == 1 else ", ".join(labels),
        }
        if len(labels) == 2:
            placeholders["options"] = gettext("%(first)s or %(second)s") % {"first": labels[0], "second": labels[1]}
        if allowed:
            message = gettext(
                "An issue that is %(status)s cannot become %(new_status)s. From %(status)s it can become %(options)s."
            )
        else:
            message = gettext("An issue that is %(status)s cannot become %(new_status)s. A closed issue stays closed.")
        raise TransitionNotAllowed(message % placeholders, allowed=list(allowed))
    old = issue.status
    issue.status = status
    now = timezone.now()
    fields = ["status", "updated_at"]
    if status == IssueStatus.RESOLVED:
        issue.resolved_at = now
        fields.append("resolved_at")
    elif status == IssueStatus.CLOSED:
        issue.closed_at = now
        fields.append("closed_at")
    elif status == IssueStatus.IN_PROGRESS and issue.resolved_at is not None:
        # The client did not confirm the resolution: back to work.
        issue.resolved_at = None
        fields.append("resolved_at")
    issue.save(update_fields=fields)
    log_activity(actor=actor, verb="status_changed", target=issue, changes={"status": (old, status)})
    return issue


@transaction.atomic
def issue_comment_add(*, issue: ClientIssue, actor: Any, body: Any) -> IssueComment:
    if not can_comment_issue(actor, issue):
        raise PermissionDenied(gettext("Only people working on this client's account comment on its issues."))
    errors: dict[str, str] = {}
    text = _clean_text(body, field="body", label="comment", limit=COMMENT_MAX, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    # Comments are allowed on a closed issue (a note for the record); the issue row itself is only touched.
    locked = ClientIssue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
    comment = IssueComment.objects.create(issue=locked, author=actor, body=text)
    locked.save(update_fields=["updated_at"])
    log_activity(actor=actor, verb="commented", target=locked, message=text)
    return comment
