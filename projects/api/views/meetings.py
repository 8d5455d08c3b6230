"""Regular meetings and action items in the API: thin over projects.services.meetings.

``MeetingActionsMixin`` gives ``/api/v1/meetings/`` its writes (POST a kickoff or a
regular meeting, PATCH the notes, ``join/``, ``leave/``); ``ActionItemViewSet``
serves ``/api/v1/action-items/``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import (
    ActionItemCreateSerializer,
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingNotesSerializer,
    MeetingOutSerializer,
)
from projects.filters import ActionItemFilter, MeetingFilter
from projects.ics import ics_filename, meeting_ics
from projects.models import ActionItem, Meeting, MeetingKind
from projects.selectors import action_items_visible_to, meetings_visible_to
from projects.services.meetings import (
    action_item_add,
    action_item_set_done,
    can_tick_action_item,
    meeting_create,
    meeting_join,
    meeting_leave,
    meeting_update_notes,
)
from projects.services.projects import meeting_schedule_kickoff

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal transition or stale edit")


# --- /api/v1/meetings/ writes ------------------------------------------------------------------------
class MeetingActionsMixin:
    """Mixed into ``MeetingViewSet`` below."""

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingOutSerializer, 409: CONFLICT})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = MeetingCreateSerializer(data=request.data, user=request.user)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        project = data.pop("project")
        kind = data.pop("kind")
        if kind == MeetingKind.REGULAR:
            meeting = meeting_create(project=project, actor=request.user, data=data)
        else:
            data.pop("recurrence", None)
            data.pop("decisions", None)
            meeting = meeting_schedule_kickoff(project=project, actor=request.user, data=data)
        return Response(MeetingOutSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingNotesSerializer, responses={200: MeetingDetailSerializer, 409: CONFLICT})
    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        meeting = self.get_object()
        body = MeetingNotesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        updated_at = data.pop("updated_at", None)
        meeting_update_notes(meeting=meeting, actor=request.user, data=data, updated_at=updated_at)
        return Response(MeetingDetailSerializer(self._fresh(meeting.pk)).data)

    @extend_schema(request=None, responses={200: MeetingDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: int | None = None) -> Response:
        """Add yourself (a sales rep or PM) to a recurring project meeting."""
        meeting_join(meeting=self.get_object(), actor=request.user)
        return Response(MeetingDetailSerializer(self._fresh(pk)).data)

    @extend_schema(request=None, responses={200: MeetingDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: int | None = None) -> Response:
        """Take yourself off a recurring project meeting."""
        meeting_leave(meeting=self.get_object(), actor=request.user)
        return Response(MeetingDetailSerializer(self._fresh(pk)).data)

    def _fresh(self, pk) -> Meeting:
        return meetings_visible_to(self.request.user).prefetch_related("action_items").get(pk=pk)


@extend_schema(tags=["meetings"])
class ActionItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Actions agreed in meetings. POST and editing by the project's PM, its sales liaison or a manager;
    PATCH ``{"done": true}`` also by the action's owner."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        return action_items_visible_to(self.request.user).order_by("done", "due", "id")

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = ActionItemCreateSerializer(data=request.data, user=request.user)
        body.is_valid(raise_exception=True)
        item = action_item_add(actor=request.user, **body.validated_data)
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionItemUpdateSerializer, responses={200: ActionItemSerializer})
    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        item = self.get_object()
        body = ActionItemUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "done" in body.validated_data:
            item = action_item_set_done(item=item, actor=request.user, done=body.validated_data["done"])
        elif not can_tick_action_item(request.user, item):
            raise PermissionDenied(
                gettext("Only the action's owner, the project's PM, its sales liaison and managers change it.")
            )
        return Response(ActionItemSerializer(item).data)


class CalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, str | bytes) else str(data)


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
    recurring ones."""

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
