"""Regular meetings and action items in the API: thin over projects.services.meetings.

``MeetingActionsMixin`` gives ``/api/v1/meetings/`` its writes (POST a kickoff or a
regular meeting, PATCH the notes, ``join/``, ``leave/``); ``ActionItemViewSet``
serves ``/api/v1/action-items/``.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.fields import StrictBooleanField
from core.api.filters import MAX_ID, IdFilter, TrueFalseFilter
from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import KickoffCreateSerializer, MeetingSerializer
from projects.models import ActionItem, Meeting, MeetingKind, MeetingRecurrence
from projects.selectors import action_items_visible_to, meetings_visible_to
from projects.services.meetings import (
    ACTION_TEXT_MAX,
    DECISIONS_MAX,
    MEETING_YEARS,
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


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "boolean"})
# --- Serializers -------------------------------------------------------------------------------------
class ActionItemSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="meeting.project_id", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "meeting", "project", "text", "owner", "due", "done", "done_at"]
        read_only_fields = fields


class MeetingOutSerializer(MeetingSerializer):
    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "recurrence", "updated_at"]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingOutSerializer):
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta(MeetingOutSerializer.Meta):
        fields = [*MeetingOutSerializer.Meta.fields, "action_items"]
        read_only_fields = fields


def _check_meeting_year(value):
    if value is not None and not MEETING_YEARS[0] <= value.year <= MEETING_YEARS[1]:
        raise serializers.ValidationError(f"Choose a date between {MEETING_YEARS[0]} and {MEETING_YEARS[1]}.")
    return value


class MeetingCreateSerializer(KickoffCreateSerializer):
    """``kind: kickoff`` (the default) schedules the kickoff; ``kind: regular`` adds a meeting, maybe recurring."""

    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.KICKOFF)
    attendees = serializers.ListField(child=id_field(), required=False, default=list, max_length=200)
    contacts = serializers.ListField(child=id_field(), required=False, default=list, max_length=200)
    recurrence = serializers.ChoiceField(choices=MeetingRecurrence.choices, default=MeetingRecurrence.NONE)
    decisions = serializers.CharField(max_length=DECISIONS_MAX, required=False, allow_blank=True)

    def validate_starts_at(self, value):
        return _check_meeting_year(value)

    def validate(self, attrs):
        if attrs.get("kind") == MeetingKind.KICKOFF:
            if attrs.get("recurrence", MeetingRecurrence.NONE) != MeetingRecurrence.NONE:
                raise serializers.ValidationError({"recurrence": ["The kickoff happens once."]})
            if attrs.get("decisions"):
                raise serializers.ValidationError({"decisions": ["Record decisions once the kickoff took place."]})
        return attrs


class MeetingNotesSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(required=False)
    attendees = serializers.ListField(child=id_field(), required=False, max_length=200)
    contacts = serializers.ListField(child=id_field(), required=False, max_length=200)
    notes = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    decisions = serializers.CharField(max_length=DECISIONS_MAX, required=False, allow_blank=True)
    updated_at = serializers.DateTimeField(
        required=False, help_text="The meeting's updated_at you read: 409 when someone saved since"
    )

    def validate_starts_at(self, value):
        return _check_meeting_year(value)


class ActionItemCreateSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.none())
    text = serializers.CharField(max_length=ACTION_TEXT_MAX)
    owner = id_field(help_text="The owner's user id (/api/v1/users/)")
    due = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings_visible_to(user)


class ActionItemUpdateSerializer(serializers.Serializer):
    done = StrictBooleanField(required=False, help_text="true ticks the action off, false reopens it")


# --- /api/v1/meetings/ writes ------------------------------------------------------------------------
class MeetingActionsMixin:
    """Mixed into ``projects.api.views.MeetingViewSet``."""

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


# --- /api/v1/action-items/ ---------------------------------------------------------------------------
class ActionItemFilter(django_filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")
    project = IdFilter(field_name="meeting__project_id")
    owner = IdFilter(field_name="owner_id")
    done = TrueFalseFilter(field_name="done")

    class Meta:
        model = ActionItem
        fields = ["meeting", "project", "owner", "done"]


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
                "Only the action's owner, the project's PM, its sales liaison and managers change it."
            )
        return Response(ActionItemSerializer(item).data)
