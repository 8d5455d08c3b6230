"""Projects and their meetings in the API; thin views over projects.services."""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.filters import IdFilter
from core.api.serializers import DomainErrorSerializer
from projects.api.meetings import MeetingActionsMixin, MeetingDetailSerializer, MeetingOutSerializer
from projects.api.serializers import (
    ProjectDetailSerializer,
    ProjectReassignSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)
from projects.ics import ics_filename, meeting_ics
from projects.models import Meeting, MeetingKind, MeetingRecurrence, Project, ProjectHealth, ProjectStatus
from projects.selectors import meetings_visible_to, projects_visible_to
from projects.services.projects import project_reassign, project_update


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
    pm = IdFilter(field_name="pm_id")
    client = IdFilter(field_name="client_id")
    sales_liaison = IdFilter(field_name="sales_liaison_id")

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


class MeetingFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    recurrence = django_filters.ChoiceFilter(choices=MeetingRecurrence.choices)
    attendee = IdFilter(field_name="attendees", distinct=True)

    class Meta:
        model = Meeting
        fields = ["project", "kind", "recurrence", "attendee"]


@extend_schema(tags=["meetings"])
class MeetingViewSet(
    MeetingActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Project meetings. POST schedules (or reschedules) the kickoff and e-mails the .ics to the attendees, or
    (``kind: regular``) adds a regular meeting; PATCH keeps its notes; sales reps and PMs ``join/`` and ``leave/``
    recurring ones (projects.api.meetings)."""

    serializer_class = MeetingOutSerializer
    filterset_class = MeetingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        meetings = meetings_visible_to(self.request.user).order_by("starts_at", "id")
        if self.action == "retrieve":
            meetings = meetings.prefetch_related("action_items")
        return meetings

    def get_serializer_class(self):
        return MeetingDetailSerializer if self.action == "retrieve" else MeetingOutSerializer

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CalendarRenderer])
    def ics(self, request: Request, pk: int | None = None) -> HttpResponse:
        meeting = self.get_object()
        response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{ics_filename(meeting)}"'
        return response
