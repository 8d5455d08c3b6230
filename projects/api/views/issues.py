"""The client-issue tracker in the API; thin views over ``projects.services.issues``, the services the pages call.

``/api/v1/issues/``: GET (``?client=``, ``?project=``, ``?status=``, ``?severity=``, ``?assignee=``, ``?mine=true``),
POST logs one; PATCH edits title, description and severity;
``POST /issues/{id}/transition/`` ``{status}``; ``POST /issues/{id}/assign/`` ``{assignees: [ids]}``;
``GET|POST /issues/{id}/comments/``.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.filters import RefuseBlankFilters, refuse_blank_parameters
from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import (
    IssueAssignSerializer,
    IssueCommentSerializer,
    IssueCreateSerializer,
    IssueSerializer,
    IssueTransitionSerializer,
    IssueUpdateSerializer,
)
from projects.filters import IssueFilter
from projects.models import ClientIssue, IssueComment
from projects.selectors import issue_list
from projects.services.issues import issue_assign, issue_comment_add, issue_create, issue_transition, issue_update

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal transition, or the issue is closed")


FORBIDDEN = OpenApiResponse(description="Not allowed for this user")


NOT_FOUND = OpenApiResponse(description="No such issue")


INVALID = OpenApiResponse(description='Invalid input: {"field": ["message", ...]}')


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
