"""/api/v1/deliverables/ and /api/v1/project-commitments/ (SPEC §4).

Deliverables: GET (``?project= ?status= ?overdue=true``), POST and PATCH by the
project's PM, ``submit/`` by the PM, ``decide/`` by the PM or the sales liaison
with ``{decision: accepted|rejected, contact, reason, decided_at?}``.
Project commitments: GET, and PATCH ``{status}`` by the project's PM.
Thin: every write calls ``projects.services.deliverables``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import (
    CommitmentStatusSerializer,
    DecisionSerializer,
    DeliverableSerializer,
    DeliverableUpdateSerializer,
    ProjectCommitmentSerializer,
)
from projects.filters import DeliverableFilter, ProjectCommitmentFilter
from projects.models import Deliverable, Project, ProjectCommitment
from projects.selectors import projects_visible_to
from projects.services import deliverables as deliverable_services
from projects.services.projects import can_edit_project

BAD_INPUT = OpenApiResponse(description="Invalid input: `{field: [messages]}`")


FORBIDDEN = OpenApiResponse(description="Not the project's PM (decisions: or its sales liaison)")


CONFLICT = OpenApiResponse(
    DomainErrorSerializer, description="Illegal transition, e.g. a decision on a deliverable that is not submitted"
)


def _project_in_payload(request: Request) -> Project | None:
    raw = request.data.get("project") if hasattr(request.data, "get") else None
    if isinstance(raw, bool) or not str(raw or "").isdigit():
        return None
    return projects_visible_to(request.user).filter(pk=int(raw)).first()


def _ensure_pm(user: Any, project: Project, refusal: str) -> None:
    if not can_edit_project(user, project):
        raise PermissionDenied(refusal)


@extend_schema_view(
    list=extend_schema(summary="List deliverables (?project= ?status= ?overdue=true)"),
    retrieve=extend_schema(summary="A deliverable with the client's decision"),
)
@extend_schema(tags=["deliverables"])
class DeliverableViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Deliverables and milestones: planned → submitted → accepted | rejected by the client."""

    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deliverable.objects.none()
        return Deliverable.objects.filter(project__in=projects_visible_to(self.request.user)).order_by(
            "project_id", "due", "id"
        )

    def _answer(self, deliverable: Deliverable, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=deliverable.pk)).data, status=status_code)

    @extend_schema(
        summary="Add a deliverable (the project's PM)",
        responses={201: DeliverableSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = _project_in_payload(request)
        if project is not None:
            _ensure_pm(request.user, project, gettext("Only the project's PM can plan its deliverables."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        deliverable = deliverable_services.deliverable_add(
            project=data["project"], actor=request.user, name=data["name"], due=data.get("due")
        )
        return self._answer(deliverable, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename or reschedule a deliverable (the project's PM; not once accepted)",
        request=DeliverableUpdateSerializer,
        responses={200: DeliverableSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deliverable = self.get_object()
        _ensure_pm(request.user, deliverable.project, gettext("Only the project's PM can edit its deliverables."))
        body = DeliverableUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deliverable = deliverable_services.deliverable_edit(
            deliverable=deliverable, actor=request.user, data=dict(body.validated_data)
        )
        return self._answer(deliverable)

    @extend_schema(
        summary="Submit to the client (planned or rejected → submitted; the project's PM)",
        request=None,
        responses={200: DeliverableSerializer, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        deliverable = self.get_object()
        _ensure_pm(request.user, deliverable.project, gettext("Only the project's PM can submit its deliverables."))
        deliverable = deliverable_services.deliverable_submit(deliverable=deliverable, actor=request.user)
        return self._answer(deliverable)

    @extend_schema(
        summary="Record the client's decision on a submitted deliverable (the PM or the sales liaison)",
        request=DecisionSerializer,
        responses={200: DeliverableSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        deliverable = self.get_object()
        if not deliverable_services.can_record_decision(request.user, deliverable.project):
            raise PermissionDenied(
                gettext("Only the project's PM or its sales liaison records the client's decisions.")
            )
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deliverable = deliverable_services.deliverable_decide(
            deliverable=deliverable, actor=request.user, **body.validated_data
        )
        return self._answer(deliverable)


@extend_schema_view(
    list=extend_schema(summary="List the projects' commitments (?project= ?status=)"),
    retrieve=extend_schema(summary="A project commitment"),
)
@extend_schema(tags=["project commitments"])
class ProjectCommitmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The commitments made during the sale, copied into the project; the PM records where each stands."""

    serializer_class = ProjectCommitmentSerializer
    filterset_class = ProjectCommitmentFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProjectCommitment.objects.none()
        return ProjectCommitment.objects.filter(project__in=projects_visible_to(self.request.user)).order_by(
            "project_id", "due", "id"
        )

    @extend_schema(
        summary="Set the status (open, kept, at_risk, renegotiated, broken; the project's PM)",
        request=CommitmentStatusSerializer,
        responses={200: ProjectCommitmentSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        commitment = self.get_object()
        _ensure_pm(request.user, commitment.project, "change the status of its commitments")
        body = CommitmentStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        commitment = deliverable_services.commitment_set_status(
            commitment=commitment, actor=request.user, status=body.validated_data["status"]
        )
        return Response(self.get_serializer(commitment).data)
