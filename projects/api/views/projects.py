"""Projects in the API; thin views over projects.services.projects."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import (
    ProjectDetailSerializer,
    ProjectReassignSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)
from projects.filters import ProjectFilter
from projects.models import Project
from projects.selectors import projects_visible_to
from projects.services.projects import project_reassign, project_update

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal transition or stale version")


@extend_schema(tags=["projects"])
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every signed-in user reads projects; the PM edits status, health and effort (PATCH with ``version``)."""

    filterset_class = ProjectFilter
    ordering_fields = ["created_at", "name", "planned_end"]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        projects = projects_visible_to(self.request.user).select_related("client", "snapshot")
        if self.action == "retrieve":
            projects = projects.prefetch_related("commitments", "risks", "deliverables")
        return projects.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    @extend_schema(request=ProjectUpdateSerializer, responses={200: ProjectSerializer, 409: CONFLICT})
    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        project = self.get_object()
        body = ProjectUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {key: value for key, value in body.validated_data.items() if key != "version"}
        project = project_update(project=project, actor=request.user, data=data, version=body.validated_data["version"])
        return Response(ProjectSerializer(project).data)

    @extend_schema(
        request=ProjectReassignSerializer,
        responses={
            200: ProjectSerializer,
            400: OpenApiResponse(
                description="`{pm: [...]}`: not an active project manager, or the project's sales liaison (four eyes)"
            ),
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: int | None = None) -> Response:
        project = self.get_object()
        body = ProjectReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = project_reassign(project=project, actor=request.user, pm=body.validated_data["pm"])
        return Response(ProjectSerializer(project).data)
