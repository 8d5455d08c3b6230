"""The FilterSets of the projects app's lists, shared by the API and the list pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext

from core.api.filters import IdFilter, TrueFalseFilter
from projects.models import (
    LOW_MOOD,
    ActionItem,
    ChangeRequest,
    ChangeRequestStatus,
    ClientIssue,
    ClientLink,
    ClientPulse,
    CommitmentStatus,
    Deliverable,
    DeliverableStatus,
    FollowUp,
    FollowUpStatus,
    IssueSeverity,
    IssueStatus,
    LessonLearned,
    Meeting,
    MeetingKind,
    MeetingRecurrence,
    Project,
    ProjectCommitment,
    ProjectHealth,
    ProjectRisk,
    ProjectStatus,
    RiskStatus,
)
from projects.selectors import ISSUE_STATUS_FILTERS, issue_list


class PulseFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    client = IdFilter(field_name="project__client_id")
    low = TrueFalseFilter(method="filter_low", label="Only pulses with a low mood (true) or the others (false)")

    class Meta:
        model = ClientPulse
        fields = ["project", "client", "low"]

    def filter_low(self, queryset, name, value):
        return queryset.filter(mood__lte=LOW_MOOD) if value else queryset.filter(mood__gt=LOW_MOOD)


# --- /api/v1/action-items/ ---------------------------------------------------------------------------
class ActionItemFilter(django_filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")
    project = IdFilter(field_name="meeting__project_id")
    owner = IdFilter(field_name="owner_id")
    done = TrueFalseFilter(field_name="done")

    class Meta:
        model = ActionItem
        fields = ["meeting", "project", "owner", "done"]


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    health = django_filters.ChoiceFilter(choices=ProjectHealth.choices)
    pm = IdFilter(field_name="pm_id")
    client = IdFilter(field_name="client_id")
    sales_liaison = IdFilter(field_name="sales_liaison_id")

    class Meta:
        model = Project
        fields = ["status", "health", "pm", "client", "sales_liaison"]


class MeetingFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    recurrence = django_filters.ChoiceFilter(choices=MeetingRecurrence.choices)
    attendee = IdFilter(field_name="attendees", distinct=True)

    class Meta:
        model = Meeting
        fields = ["project", "kind", "recurrence", "attendee"]


class ProjectPartFilter(django_filters.FilterSet):
    """A part of one project (change request, deliverable, commitment, risk): by project id and status.

    Each subclass declares its ``status`` filter (the model's choices) and its ``Meta.model``.
    """

    project = IdFilter(field_name="project_id", label="Project id")

    class Meta:
        fields = ["project", "status"]


class ChangeRequestFilter(ProjectPartFilter):
    status = django_filters.ChoiceFilter(choices=ChangeRequestStatus.choices)

    class Meta(ProjectPartFilter.Meta):
        model = ChangeRequest


class DeliverableFilter(ProjectPartFilter):
    status = django_filters.ChoiceFilter(choices=DeliverableStatus.choices)
    overdue = TrueFalseFilter(method="filter_overdue", label="Due in the past and not accepted")

    class Meta:
        model = Deliverable
        fields = ["project", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(due__lt=timezone.localdate()) & ~Q(status=DeliverableStatus.ACCEPTED)
        return queryset.filter(late) if value else queryset.exclude(late)


class ProjectCommitmentFilter(ProjectPartFilter):
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices)

    class Meta(ProjectPartFilter.Meta):
        model = ProjectCommitment


# --- Filters ---------------------------------------------------------------------------------
class FollowUpFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    client = IdFilter(field_name="project__client_id")
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)

    class Meta:
        model = FollowUp
        fields = ["project", "client", "status"]


class LessonFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    client = IdFilter(field_name="client_id")

    class Meta:
        model = LessonLearned
        fields = ["project", "client"]


class IssueFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    project = IdFilter(field_name="project_id")
    status = django_filters.ChoiceFilter(
        choices=[*IssueStatus.choices, *[(key, key) for key in ISSUE_STATUS_FILTERS]], method="filter_status"
    )
    severity = django_filters.ChoiceFilter(choices=IssueSeverity.choices)
    assignee = IdFilter(method="filter_assignee")
    mine = TrueFalseFilter(
        method="filter_mine",
        help_text="true: only the issues involving me (assigned, logged by me, my account or my project)",
    )

    class Meta:
        model = ClientIssue
        fields = ["client", "project", "status", "severity", "assignee", "mine"]

    def filter_status(self, queryset, name, value):
        if value in ISSUE_STATUS_FILTERS:
            return queryset.filter(status__in=ISSUE_STATUS_FILTERS[value])
        return queryset.filter(status=value)

    def filter_assignee(self, queryset, name, value):
        return queryset.filter(
            pk__in=ClientIssue.assignees.through.objects.filter(user_id=value).values("clientissue_id")
        )

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=issue_list(user=self.request.user, mine=True).values("pk"))


class ProjectRiskFilter(ProjectPartFilter):
    status = django_filters.ChoiceFilter(choices=RiskStatus.choices)

    class Meta(ProjectPartFilter.Meta):
        model = ProjectRisk


class ClientLinkFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id", label="Project id")
    contact = IdFilter(field_name="contact_id", label="Contact id")

    class Meta:
        model = ClientLink
        fields = ["project", "contact"]


def filter_page_rows(
    filterset_class: type[django_filters.FilterSet], *, data: QueryDict, queryset: QuerySet, request: Any
) -> tuple[QuerySet, list[str]]:
    """A list page's rows through the FilterSet its API endpoint uses, and the errors of invalid parameters.

    An empty parameter is "no filter" (the page's "All" option sends one). An invalid value filters
    nothing and shows no rows: the page says which parameter was wrong instead of quietly ignoring it.
    """
    filterset = filterset_class(data, queryset=queryset, request=request)
    if filterset.is_valid():
        return filterset.qs, []
    errors = [
        gettext("The filter “%(parameter)s” was not applied: %(error)s") % {"parameter": name, "error": message}
        for name, messages in filterset.errors.items()
        for message in messages
    ]
    return queryset.none(), errors
