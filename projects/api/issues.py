"""The client-issue tracker in the API; thin views over ``projects.services.issues``, the services the pages call.

``/api/v1/issues/``: GET (``?client=``, ``?project=``, ``?status=``, ``?severity=``, ``?assignee=``, ``?mine=true``),
POST logs one; PATCH edits title, description and severity;
``POST /issues/{id}/transition/`` ``{status}``; ``POST /issues/{id}/assign/`` ``{assignees: [ids]}``;
``GET|POST /issues/{id}/comments/``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clients.models import Client
from core.api.filters import MAX_ID, IdFilter, RefuseBlankFilters, TrueFalseFilter, refuse_blank_parameters
from core.api.serializers import DomainErrorSerializer
from projects.models import ClientIssue, IssueComment, IssueSeverity, IssueStatus, ReportedThrough
from projects.selectors import ISSUE_STATUS_FILTERS, issue_list
from projects.services.issues import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    MAX_ASSIGNEES,
    TITLE_MAX,
    allowed_transitions,
    issue_assign,
    issue_comment_add,
    issue_create,
    issue_transition,
    issue_update,
)

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal transition, or the issue is closed")
FORBIDDEN = OpenApiResponse(description="Not allowed for this user")
NOT_FOUND = OpenApiResponse(description="No such issue")
INVALID = OpenApiResponse(description='Invalid input: {"field": ["message", ...]}')


# --- Serializers -------------------------------------------------------------------------------
class IssueAssigneeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class IssueSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True, allow_null=True, default=None)
    assignees = serializers.SerializerMethodField()
    assignee_details = serializers.SerializerMethodField()
    comment_count = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = ClientIssue
        fields = [
            "id",
            "client",
            "client_name",
            "project",
            "project_name",
            "title",
            "description",
            "severity",
            "reported_through",
            "status",
            "allowed_transitions",
            "assignees",
            "assignee_details",
            "comment_count",
            "created_by",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_assignees(self, issue: ClientIssue) -> list[int]:
        return [person.pk for person in issue.assignees.all()]

    @extend_schema_field(IssueAssigneeSerializer(many=True))
    def get_assignee_details(self, issue: ClientIssue) -> list[dict[str, Any]]:
        return [{"id": person.pk, "full_name": person.full_name} for person in issue.assignees.all()]

    def get_comment_count(self, issue: ClientIssue) -> int:
        count = getattr(issue, "comment_count", None)
        return count if count is not None else issue.comments.count()

    def get_allowed_transitions(self, issue: ClientIssue) -> list[str]:
        return list(allowed_transitions(issue))


class IssueCreateSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    project = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="A project of that client (id), or null",
    )
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=IssueSeverity.choices, default=IssueSeverity.MEDIUM)
    reported_through = serializers.ChoiceField(choices=ReportedThrough.choices, default=ReportedThrough.CLIENT)
    assignees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=MAX_ASSIGNEES,
        help_text="User ids of active sales reps, PMs or managers",
    )


class IssueUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=IssueSeverity.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Other fields are ignored, as everywhere in the API; these two have their own actions.
        moved = {"status": "Use POST …/transition/ to change the status.", "assignees": "Use POST …/assign/."}
        errors = {field: [message] for field, message in moved.items() if field in self.initial_data}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IssueTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IssueStatus.choices)


class IssueAssignSerializer(serializers.Serializer):
    assignees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=True,
        max_length=MAX_ASSIGNEES,
        help_text="User ids of active sales reps, PMs or managers; [] unassigns everyone",
    )


class IssueCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = IssueComment
        fields = ["id", "issue", "author", "author_name", "body", "created_at"]
        read_only_fields = ["id", "issue", "author", "author_name", "created_at"]
        extra_kwargs = {"body": {"max_length": COMMENT_MAX}}


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


# --- Views -----------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="Client issues, most severe first"),
    retrieve=extend_schema(responses={200: IssueSerializer, 404: NOT_FOUND}),
)
@extend_schema(tags=["issues"])
class IssueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The shared client-issue tracker: every signed-in user reads it; the people on the account change it."""

    serializer_class = IssueSerializer
    filterset_class = IssueFilter
    ordering_fields = ["created_at", "updated_at", "severity_rank"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClientIssue.objects.none()
        return issue_list(user=self.request.user)

    def _fresh(self, issue: ClientIssue) -> ClientIssue:
        """The issue as the list shows it (assignees, comment count) after a change."""
        return issue_list(user=self.request.user).get(pk=issue.pk)

    @extend_schema(
        request=IssueCreateSerializer,
        responses={201: IssueSerializer, 400: INVALID, 403: FORBIDDEN},
        summary="Log an issue for a client (the account owner, its project teams, managers)",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = IssueCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        client = data.pop("client")
        issue = issue_create(actor=request.user, client=client, data=data)
        return Response(IssueSerializer(self._fresh(issue)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=IssueUpdateSerializer,
        responses={200: IssueSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        summary="Edit the title, description or severity",
    )
    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        issue = self.get_object()
        body = IssueUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issue = issue_update(issue=issue, actor=request.user, data=dict(body.validated_data))
        return Response(IssueSerializer(self._fresh(issue)).data)

    @extend_schema(
        request=IssueTransitionSerializer,
        responses={200: IssueSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        summary="open → in_progress → resolved → closed (resolved may go back to in_progress)",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: int | None = None) -> Response:
        issue = self.get_object()
        body = IssueTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issue = issue_transition(issue=issue, actor=request.user, status=body.validated_data["status"])
        return Response(IssueSerializer(self._fresh(issue)).data)

    @extend_schema(
        request=IssueAssignSerializer,
        responses={200: IssueSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        summary="Set the assignees (several, any role); the newly added are notified",
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: int | None = None) -> Response:
        issue = self.get_object()
        body = IssueAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issue = issue_assign(issue=issue, actor=request.user, assignees=body.validated_data["assignees"])
        return Response(IssueSerializer(self._fresh(issue)).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: IssueCommentSerializer(many=True), 404: NOT_FOUND},
        summary="The comments of an issue, oldest first",
    )
    @extend_schema(
        methods=["POST"],
        request=IssueCommentSerializer,
        responses={201: IssueCommentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Comment on an issue",
    )
    # Oldest first, always: no ordering to document; an empty query parameter is still a 400.
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filterset_class=None,
        filter_backends=[RefuseBlankFilters],
    )
    def comments(self, request: Request, pk: int | None = None) -> Response:
        issue = self.get_object()
        if request.method == "GET":
            comments = IssueComment.objects.filter(issue=issue).select_related("author").order_by("created_at", "id")
            return Response(IssueCommentSerializer(comments, many=True).data)
        body = IssueCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = issue_comment_add(issue=issue, actor=request.user, body=body.validated_data["body"])
        return Response(IssueCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    def get_object(self) -> ClientIssue:
        # Detail routes read the visible issues unfiltered by the list's query string (but refuse ``?x=``).
        refuse_blank_parameters(self.request.query_params)
        lookup = str(self.kwargs[self.lookup_field])
        if not lookup.isdigit():
            raise Http404("No such issue")
        issue = get_object_or_404(issue_list(user=self.request.user), pk=int(lookup))
        self.check_object_permissions(self.request, issue)
        return issue
