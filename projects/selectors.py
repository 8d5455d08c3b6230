"""Reads of projects (every signed-in user may read projects, SPEC §2) with their related rows in few queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from accounts.models import User
from accounts.roles import Role
from clients.models import Client
from projects.models import (
    ActionItem,
    ChangeRequest,
    ChangeRequestApproval,
    ClientIssue,
    ClientPulse,
    Deliverable,
    FollowUp,
    FollowUpStatus,
    IssueComment,
    IssueSeverity,
    IssueStatus,
    LessonLearned,
    Meeting,
    Project,
    ProjectHealth,
    ProjectRisk,
    ProjectStatus,
)


def projects_visible_to(user: Any) -> QuerySet[Project]:
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    return Project.objects.all()


def project_list(*, user: Any, status: str = "", health: str = "", pm: str = "", client: str = "") -> QuerySet[Project]:
    projects = projects_visible_to(user).select_related("client", "pm", "sales_liaison").order_by("-created_at", "-id")
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    if health in ProjectHealth.values:
        projects = projects.filter(health=health)
    if str(pm).isdigit():
        projects = projects.filter(pm_id=int(pm))
    if str(client).isdigit():
        projects = projects.filter(client_id=int(client))
    return projects


def _with_sections(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Projects with what the sections swapped after a change show (commitments, risks, deliverables,
    change requests: the sections and the sold-vs-now table).

    Only what the pages show: each further join costs the planner more than the row it saves.
    """
    return projects.select_related("client", "pm", "sales_liaison", "snapshot").prefetch_related(
        "commitments",
        Prefetch("risks", queryset=ProjectRisk.objects.select_related("owner")),
        Prefetch("deliverables", queryset=Deliverable.objects.select_related("decided_by")),
        Prefetch(
            "change_requests",
            queryset=ChangeRequest.objects.select_related("raised_by").prefetch_related(
                Prefetch("approvals", queryset=ChangeRequestApproval.objects.select_related("user"))
            ),
        ),
    )


def project_get(*, user: Any, pk: int) -> Project:
    """The project with everything its page shows: the sections, the meetings, follow-ups and lessons."""
    return (
        _with_sections(projects_visible_to(user))
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("created_by")
                .prefetch_related("attendees", "contacts")
                .annotate(open_actions=Count("action_items", filter=Q(action_items__done=False))),
            ),
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("raised_by", "decided_by", "offer")),
            Prefetch("lessons", queryset=LessonLearned.objects.select_related("author")),
        )
        .get(pk=pk)
    )


def project_sections_get(*, user: Any, pk: int) -> Project:
    """The project with only what the sections swapped after a change show; not the meetings,
    follow-ups and lessons of the whole page."""
    return _with_sections(projects_visible_to(user)).get(pk=pk)


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(project__in=projects_visible_to(user))
        .select_related("project", "project__client", "project__pm", "created_by")
        .prefetch_related("attendees", "contacts")
    )


# --- Follow-ups and lessons learned -------------------------------------------------------------
def follow_ups_visible_to(user: Any) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(project__in=projects_visible_to(user)).select_related(
        "project", "project__client", "raised_by", "decided_by", "offer"
    )


def follow_ups_awaiting(*, user: Any, limit: int = 20) -> list[FollowUp]:
    """Open follow-ups of the clients ``user`` owns: theirs to convert or dismiss (oldest first)."""
    return list(
        follow_ups_visible_to(user)
        .filter(status=FollowUpStatus.OPEN, project__client__account_owner=user)
        .order_by("raised_at", "id")[:limit]
    )


def lessons_visible_to(user: Any) -> QuerySet[LessonLearned]:
    return LessonLearned.objects.filter(project__in=projects_visible_to(user)).select_related(
        "project", "client", "author"
    )


def lessons_for_client(*, user: Any, client: Any, limit: int = 50) -> list[LessonLearned]:
    """What the client's finished projects taught, newest first: one query."""
    client_id = getattr(client, "pk", client)
    return list(lessons_visible_to(user).filter(client_id=client_id).order_by("-created_at", "-id")[:limit])


def filter_choices() -> dict[str, Any]:
    return {
        "pms": list(User.objects.with_role(Role.PM).order_by("first_name", "last_name").distinct()),
        "clients": list(Client.objects.filter(projects__isnull=False).distinct().order_by("name").only("id", "name")),
    }


# --- Client issues (the shared tracker) ----------------------------------------------------------
ISSUE_UNRESOLVED = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)
# Issues still in someone's hands (resolved ones wait for the client to confirm).
ISSUE_NOT_CLOSED = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED)
ISSUE_STATUS_FILTERS = {"unresolved": ISSUE_UNRESOLVED, "not_closed": ISSUE_NOT_CLOSED}
SEVERITY_RANK = {IssueSeverity.CRITICAL: 0, IssueSeverity.HIGH: 1, IssueSeverity.MEDIUM: 2, IssueSeverity.LOW: 3}


def _people() -> QuerySet[User]:
    return User.objects.order_by("first_name", "last_name", "username")


def issues_visible_to(user: Any) -> QuerySet[ClientIssue]:
    """Every signed-in user reads the tracker: the client explains a problem once, the whole account sees it."""
    if not getattr(user, "is_authenticated", False):
        return ClientIssue.objects.none()
    return ClientIssue.objects.all()


def _issue_rows(issues: QuerySet[ClientIssue]) -> QuerySet[ClientIssue]:
    return (
        issues.select_related("client", "client__account_owner", "project", "created_by", "reported_by_contact")
        .prefetch_related(Prefetch("assignees", queryset=_people()))
        .annotate(
            comment_count=Count("comments", distinct=True),
            severity_rank=Case(
                *(When(severity=value, then=Value(rank)) for value, rank in SEVERITY_RANK.items()),
                default=Value(9),
                output_field=IntegerField(),
            ),
        )
    )


def issue_list(
    *,
    user: Any,
    severity: str = "",
    status: str = "",
    assignee: Any = "",
    client: Any = "",
    project: Any = "",
    mine: bool = False,
) -> QuerySet[ClientIssue]:
    """The tracker, filtered; unknown filter values are ignored. Most severe first, then newest.

    ``status`` is a status or ``unresolved`` / ``not_closed``; ``mine`` keeps the issues involving
    ``user``: assigned to them, logged by them, on an account they own or a project they run.
    """
    issues = issues_visible_to(user)
    if severity in IssueSeverity.values:
        issues = issues.filter(severity=severity)
    if status in IssueStatus.values:
        issues = issues.filter(status=status)
    elif status in ISSUE_STATUS_FILTERS:
        issues = issues.filter(status__in=ISSUE_STATUS_FILTERS[status])
    if str(assignee).isdigit():
        issues = issues.filter(
            pk__in=ClientIssue.assignees.through.objects.filter(user_id=int(assignee)).values("clientissue_id")
        )
    if str(client).isdigit():
        issues = issues.filter(client_id=int(client))
    if str(project).isdigit():
        issues = issues.filter(project_id=int(project))
    if mine and getattr(user, "is_authenticated", False):
        issues = issues.filter(
            Q(pk__in=ClientIssue.assignees.through.objects.filter(user_id=user.pk).values("clientissue_id"))
            | Q(created_by_id=user.pk)
            | Q(client__account_owner_id=user.pk)
            | Q(project__pm_id=user.pk)
            | Q(project__sales_liaison_id=user.pk)
        )
    return _issue_rows(issues).order_by("severity_rank", "-created_at", "-id")


def issue_get(*, user: Any, pk: int) -> ClientIssue:
    """One issue with everything its page shows (``ClientIssue.DoesNotExist`` when unseen)."""
    return (
        issues_visible_to(user)
        .select_related(
            "client",
            "client__account_owner",
            "project",
            "project__pm",
            "project__sales_liaison",
            "created_by",
            "reported_by_contact",
        )
        .prefetch_related(
            Prefetch("assignees", queryset=_people()),
            Prefetch("comments", queryset=IssueComment.objects.select_related("author").order_by("created_at", "id")),
        )
        .get(pk=pk)
    )


def issues_open_for(*, user: Any, client: Any = None, project: Any = None, limit: int = 20) -> list[ClientIssue]:
    """The issues of a client or a project that are not closed yet, for the client and project pages."""
    issues = issues_visible_to(user).filter(status__in=ISSUE_NOT_CLOSED)
    if client is not None:
        issues = issues.filter(client_id=getattr(client, "pk", client))
    if project is not None:
        issues = issues.filter(project_id=getattr(project, "pk", project))
    return list(_issue_rows(issues).order_by("severity_rank", "-created_at", "-id")[:limit])


def issue_assignee_choices() -> QuerySet[User]:
    """Everyone an issue can be assigned to: active users of any department (sales, PM, manager)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.SALES, Role.PM, Role.MANAGER])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def issue_reportable_clients(*, user: Any, include: Any = None) -> list[Client]:
    """The clients ``user`` works on (account owner, PM or sales liaison of one of its projects), for the form.

    ``include`` (a client id) adds one more client, the one the form was opened for.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    involved = Q(account_owner_id=user.pk) | Q(projects__pm_id=user.pk) | Q(projects__sales_liaison_id=user.pk)
    if str(include or "").isdigit():
        involved |= Q(pk=int(include))
    return list(Client.objects.filter(involved).distinct().order_by("name").only("id", "name", "account_owner_id"))


def issue_filter_choices() -> dict[str, Any]:
    return {
        "people": list(issue_assignee_choices()),
        "clients": list(Client.objects.filter(issues__isnull=False).distinct().order_by("name").only("id", "name")),
        "projects": list(
            Project.objects.filter(issues__isnull=False).distinct().order_by("name").only("id", "name", "client_id")
        ),
    }


# --- Client pulse, meetings and action items ---------------------------------------------------
PULSE_TREND_LIMIT = 24


def pulses_visible_to(user: Any) -> QuerySet[ClientPulse]:
    return ClientPulse.objects.filter(project__in=projects_visible_to(user)).select_related(
        "project", "project__client", "recorded_by", "given_by_contact"
    )


def pulse_trend(*, user: Any, project: Any = None, client: Any = None, limit: int = PULSE_TREND_LIMIT) -> list:
    """The latest pulses of a project, or of every project of a client, oldest first: one query."""
    pulses = pulses_visible_to(user)
    if project is not None:
        pulses = pulses.filter(project_id=getattr(project, "pk", project))
    if client is not None:
        pulses = pulses.filter(project__client_id=getattr(client, "pk", client))
    rows = list(pulses.order_by("-recorded_at", "-id")[:limit])
    rows.reverse()
    return rows


def meeting_get(*, user: Any, pk: int) -> Meeting:
    """One meeting with its people and action items (``Meeting.DoesNotExist`` when unseen)."""
    return (
        meetings_visible_to(user)
        .select_related("project__sales_liaison")
        .prefetch_related(Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")))
        .get(pk=pk)
    )


def action_items_visible_to(user: Any) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(meeting__project__in=projects_visible_to(user)).select_related(
        "owner", "meeting", "meeting__project"
    )


def open_action_items(*, user: Any, limit: int = 20) -> list[ActionItem]:
    """The open actions ``user`` owns, the most urgent first (no due date last): one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        action_items_visible_to(user)
        .filter(owner=user, done=False)
        .order_by(F("due").asc(nulls_last=True), "meeting__starts_at", "id")[:limit]
    )
