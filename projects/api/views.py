"""Projects and their meetings in the API; thin views over projects.services."""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import (
    KickoffCreateSerializer,
    MeetingSerializer,
    ProjectDetailSerializer,
    ProjectReassignSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)
from projects.ics import ics_filename, meeting_ics
from projects.models import Meeting, MeetingKind, Project, ProjectHealth, ProjectStatus
from projects.selectors import meetings_visible_to, projects_visible_to
from projects.services import meeting_schedule_kickoff, project_reassign, project_update


class CalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, str | bytes) else str(data)


CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal transition or stale version")


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    health = django_filters.ChoiceFilter(choices=ProjectHealth.choices)
    pm = django_filters.NumberFilter(field_name="pm_id")
    client = django_filters.NumberFilter(field_name="client_id")
    sales_liaison = django_filters.NumberFilter(field_name="sales_liaison_id")

    class Meta:
        model = Project
        fields = ["status", "health", "pm", "client", "sales_liaison"]


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

    @extend_schema(request=ProjectReassignSerializer, responses={200: ProjectSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: int | None = None) -> Response:
        project = self.get_object()
        body = ProjectReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = project_reassign(project=project, actor=request.user, pm=body.validated_data["pm"])
        return Response(ProjectSerializer(project).data)


class MeetingFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id")
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)

    class Meta:
        model = Meeting
        fields = ["project", "kind"]


@extend_schema(tags=["meetings"])
class MeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Project meetings. POST schedules (or reschedules) the kickoff and e-mails the .ics to the attendees."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return meetings_visible_to(self.request.user).order_by("starts_at", "id")

    @extend_schema(request=KickoffCreateSerializer, responses={201: MeetingSerializer, 409: CONFLICT})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = KickoffCreateSerializer(data=request.data, user=request.user)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        project = data.pop("project")
        data.pop("kind", None)
        meeting = meeting_schedule_kickoff(project=project, actor=request.user, data=data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CalendarRenderer])
    def ics(self, request: Request, pk: int | None = None) -> HttpResponse:
        meeting = self.get_object()
        response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{ics_filename(meeting)}"'
        return response
