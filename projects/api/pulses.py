"""/api/v1/pulses/: read every pulse (filter by project, client, low mood); POST logs one through the service."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.filters import IdFilter, TrueFalseFilter
from projects.models import LOW_MOOD, ClientPulse, Project
from projects.selectors import projects_visible_to, pulses_visible_to
from projects.services.pulses import PULSE_NOTE_MAX, pulse_record


class PulseSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    client = serializers.IntegerField(source="project.client_id", read_only=True)
    is_low = serializers.BooleanField(read_only=True)

    class Meta:
        model = ClientPulse
        fields = [
            "id",
            "project",
            "project_name",
            "client",
            "mood",
            "urgency",
            "satisfaction",
            "note",
            "is_low",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 5})
class ScoreField(serializers.Field):
    """Passed through as sent: ``pulse_record`` checks it is a whole number from 1 to 5."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class PulseCreateSerializer(serializers.Serializer):
    """Scores are checked by the service (one wording for UI and API); here only their shape."""

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    mood = ScoreField(help_text="1 (very unhappy) to 5 (very happy); 2 or less alerts sales and managers")
    urgency = ScoreField(help_text="1 (relaxed) to 5 (very urgent)")
    satisfaction = ScoreField(help_text="1 (very dissatisfied) to 5 (very satisfied)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=PULSE_NOTE_MAX)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_visible_to(user)


class PulseFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    client = IdFilter(field_name="project__client_id")
    low = TrueFalseFilter(method="filter_low", label="Only pulses with a low mood (true) or the others (false)")

    class Meta:
        model = ClientPulse
        fields = ["project", "client", "low"]

    def filter_low(self, queryset, name, value):
        return queryset.filter(mood__lte=LOW_MOOD) if value else queryset.filter(mood__gt=LOW_MOOD)


@extend_schema(tags=["pulses"])
class PulseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Client pulses, newest first. POST by the project's PM, its sales liaison or a manager."""

    serializer_class = PulseSerializer
    filterset_class = PulseFilter
    ordering_fields = ["recorded_at", "mood"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClientPulse.objects.none()
        return pulses_visible_to(self.request.user).order_by("-recorded_at", "-id")

    @extend_schema(request=PulseCreateSerializer, responses={201: PulseSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = PulseCreateSerializer(data=request.data, user=request.user)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        pulse = pulse_record(actor=request.user, **data)
        return Response(PulseSerializer(pulse).data, status=status.HTTP_201_CREATED)
