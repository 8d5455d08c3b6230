from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.fields import DecimalString, StrictBooleanField
from projects.models import (
    Deliverable,
    Meeting,
    MeetingKind,
    Project,
    ProjectCommitment,
    ProjectHealth,
    ProjectRisk,
    ProjectStatus,
)
from projects.selectors import projects_visible_to
from projects.services.projects import EFFORT_MAX


class ProjectSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    snapshot_version = serializers.IntegerField(source="snapshot.version", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "client",
            "client_name",
            "offer",
            "handoff",
            "snapshot",
            "snapshot_version",
            "pm",
            "sales_liaison",
            "status",
            "health",
            "budget",
            "planned_start",
            "planned_end",
            "estimated_effort_days",
            "actual_effort_days",
            "effort_not_tracked",
            "version",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="ProjectDetailCommitment")
class ProjectDetailCommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectCommitment
        fields = ["id", "source", "text", "due", "feasibility", "status"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ProjectDetailRisk")
class ProjectDetailRiskSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(read_only=True)
    sold_score = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ProjectRisk
        fields = [
            "id",
            "source",
            "title",
            "category",
            "probability",
            "impact",
            "score",
            "sold_probability",
            "sold_impact",
            "sold_score",
            "mitigation",
            "owner",
            "status",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="ProjectDetailDeliverable")
class ProjectDetailDeliverableSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deliverable
        fields = ["id", "name", "due", "status"]
        read_only_fields = fields


class ProjectDetailSerializer(ProjectSerializer):
    commitments = ProjectDetailCommitmentSerializer(many=True, read_only=True)
    risks = ProjectDetailRiskSerializer(many=True, read_only=True)
    deliverables = ProjectDetailDeliverableSerializer(many=True, read_only=True)
    what_was_sold = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "commitments", "risks", "deliverables", "what_was_sold"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_what_was_sold(self, project: Project) -> dict[str, Any]:
        return project.snapshot.data


class ProjectUpdateSerializer(serializers.Serializer):
    # The view validates a PATCH body whole: ``version`` is required (core.api.schema documents it so).
    partial_on_patch = False

    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    health = serializers.ChoiceField(choices=ProjectHealth.choices, required=False)
    actual_effort_days = DecimalString(
        max_digits=8, decimal_places=1, min_value=Decimal("0"), max_value=EFFORT_MAX, required=False
    )
    effort_not_tracked = StrictBooleanField(
        required=False, help_text="true when nobody recorded the actual effort (then send an effort of 0)"
    )
    version = serializers.IntegerField(help_text="The version you read; 409 when someone saved since")


class ProjectReassignSerializer(serializers.Serializer):
    pm = serializers.IntegerField(help_text="The new PM's user id")


class MeetingSerializer(serializers.ModelSerializer):
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "project",
            "kind",
            "title",
            "starts_at",
            "duration_minutes",
            "location",
            "attendees",
            "contacts",
            "notes",
            "decisions",
            "sequence",
            "created_by",
            "created_at",
            "ics_url",
        ]
        read_only_fields = fields

    def get_ics_url(self, meeting: Meeting) -> str:
        return f"/api/v1/meetings/{meeting.pk}/ics/"


class KickoffCreateSerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    kind = serializers.ChoiceField(choices=[MeetingKind.KICKOFF], default=MeetingKind.KICKOFF)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, default=60)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    contacts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_visible_to(user)

    def validate_contacts(self, value: list[int]) -> list[int]:
        if len(value) > 200 or not all(isinstance(pk, int) for pk in value):
            raise serializers.ValidationError("A list of at most 200 contact ids.")
        return value

    def validate_attendees(self, value: list[int]) -> list[int]:
        if len(value) > 200:
            raise serializers.ValidationError("A list of at most 200 user ids.")
        return value
