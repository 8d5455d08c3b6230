"""The projects API's serializers: request bodies and responses of every endpoint under projects/api/views/."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from clients.models import Client
from core.api.fields import DecimalString, StrictBooleanField
from core.api.filters import MAX_ID
from projects.models import (
    CHANGE_COMMENT_MAX,
    CHANGE_COST_DECIMAL_PLACES,
    CHANGE_COST_LIMIT,
    CHANGE_COST_MAX_DIGITS,
    CHANGE_DESCRIPTION_MAX,
    CHANGE_SCHEDULE_LIMIT_DAYS,
    CLIENT_LINK_DAYS_DEFAULT,
    CLIENT_LINK_DAYS_MAX,
    CLIENT_LINK_DAYS_MIN,
    ActionItem,
    ChangeRequest,
    ChangeRequestApproval,
    ClientIssue,
    ClientLink,
    ClientLinkState,
    ClientPulse,
    CommitmentStatus,
    Deliverable,
    DeliverableStatus,
    FollowUp,
    IssueComment,
    IssueSeverity,
    IssueStatus,
    LessonLearned,
    Meeting,
    MeetingKind,
    MeetingRecurrence,
    Project,
    ProjectCommitment,
    ProjectHealth,
    ProjectRisk,
    ProjectStatus,
    ReportedThrough,
    RiskStatus,
)
from projects.selectors import meetings_visible_to, projects_visible_to
from projects.services import changes as change_services
from projects.services import deliverables as deliverable_services
from projects.services import followups as follow_up_services
from projects.services import issues as issue_services
from projects.services import risks as risk_services
from projects.services.followups import REASON_MAX, VALUE_MAX
from projects.services.issues import COMMENT_MAX, MAX_ASSIGNEES, allowed_transitions
from projects.services.lessons import TEXT_MAX
from projects.services.meetings import ACTION_TEXT_MAX, DECISIONS_MAX, MEETING_YEARS
from projects.services.projects import EFFORT_MAX
from projects.services.pulses import PULSE_NOTE_MAX


@extend_schema_field(OpenApiTypes.INT)
class _VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project id the request's user may see (every signed-in user reads projects); 400 for any other."""

    def get_queryset(self):
        return projects_visible_to(getattr(self.context.get("request"), "user", None))


# A risk's own fields: the project page's list and the risks endpoint show them alike.
RISK_FIELDS = [
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
        fields = ["id", *RISK_FIELDS]
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
            raise serializers.ValidationError(_("A list of at most 200 contact ids."))
        return value

    def validate_attendees(self, value: list[int]) -> list[int]:
        if len(value) > 200:
            raise serializers.ValidationError(_("A list of at most 200 user ids."))
        return value


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
        raise serializers.ValidationError(
            _("Choose a date between %(first)s and %(last)s.") % {"first": MEETING_YEARS[0], "last": MEETING_YEARS[1]}
        )
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
                raise serializers.ValidationError({"recurrence": [_("The kickoff happens once.")]})
            if attrs.get("decisions"):
                raise serializers.ValidationError({"decisions": [_("Record decisions once the kickoff took place.")]})
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


class ChangeRequestApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeRequestApproval
        fields = ["user", "capacity", "comment", "created_at"]
        read_only_fields = fields


class ChangeRequestSerializer(serializers.ModelSerializer):
    project = _VisibleProjectField()
    cost_impact = DecimalString(
        max_digits=CHANGE_COST_MAX_DIGITS,
        decimal_places=CHANGE_COST_DECIMAL_PLACES,
        min_value=-CHANGE_COST_LIMIT,
        max_value=CHANGE_COST_LIMIT,
        default="0.00",
        help_text="May be negative. Non-zero: both the PM and the sales liaison must approve.",
    )
    schedule_impact_days = serializers.IntegerField(
        min_value=-CHANGE_SCHEDULE_LIMIT_DAYS, max_value=CHANGE_SCHEDULE_LIMIT_DAYS, default=0
    )
    approvals = ChangeRequestApprovalSerializer(many=True, read_only=True)
    pending_signatures = serializers.SerializerMethodField(
        help_text="Capacities (`pm`, `sales_liaison`) still to sign; for a free change either one is enough"
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "project",
            "title",
            "description",
            "cost_impact",
            "schedule_impact_days",
            "status",
            "raised_by",
            "raised_at",
            "approvals",
            "pending_signatures",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = ["status", "raised_by", "raised_at", "decided_at", "decision_comment"]
        extra_kwargs = {"description": {"max_length": CHANGE_DESCRIPTION_MAX}}

    def get_pending_signatures(self, change_request: ChangeRequest) -> list[str]:
        return change_services.pending_capacities(change_request, list(change_request.approvals.all()))


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=CHANGE_COMMENT_MAX, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=CHANGE_COMMENT_MAX, help_text="Why the change is rejected")


class DeliverableSerializer(serializers.ModelSerializer):
    project = _VisibleProjectField()
    overdue = serializers.SerializerMethodField(help_text="Due in the past and not accepted")

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "project",
            "name",
            "due",
            "status",
            "overdue",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decided_via_link",
            "rejection_reason",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decided_via_link",
            "rejection_reason",
            "created_at",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, deliverable: Deliverable) -> bool:
        return deliverable_services.is_overdue(deliverable)


class DeliverableUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=deliverable_services.NAME_MAX, required=False)
    due = serializers.DateField(required=False, allow_null=True)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[DeliverableStatus.ACCEPTED, DeliverableStatus.REJECTED])
    contact = serializers.IntegerField(help_text="The client contact who decided (a contact of the project's client)")
    reason = serializers.CharField(
        max_length=deliverable_services.REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required on a rejection",
    )
    decided_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Default: now")


# --- Project commitments ---------------------------------------------------------------------------------
class ProjectCommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectCommitment
        fields = ["id", "project", "source", "text", "due", "feasibility", "status", "updated_at"]
        read_only_fields = fields


class CommitmentStatusSerializer(serializers.Serializer):
    # A PATCH must name the status (core.api.schema documents it as required).
    partial_on_patch = False

    status = serializers.ChoiceField(
        choices=CommitmentStatus.choices, help_text="kept and broken are final; at_risk and broken alert the rep"
    )


# --- Serializers -------------------------------------------------------------------------------
class FollowUpSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="project.client_id", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "project",
            "client",
            "title",
            "description",
            "estimated_value",
            "status",
            "raised_by",
            "raised_at",
            "offer",
            "decided_by",
            "decided_at",
            "dismiss_reason",
        ]
        read_only_fields = fields


class FollowUpRaiseSerializer(serializers.Serializer):
    project = _VisibleProjectField()
    title = serializers.CharField(max_length=follow_up_services.TITLE_MAX)
    description = serializers.CharField(
        max_length=follow_up_services.DESCRIPTION_MAX, required=False, allow_blank=True, default=""
    )
    estimated_value = DecimalString(
        max_digits=14, decimal_places=2, min_value=0, max_value=VALUE_MAX, required=False, default=0
    )


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, trim_whitespace=True)


class LessonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LessonLearned
        fields = ["id", "project", "client", "text", "author", "created_at"]
        read_only_fields = fields


class LessonCreateSerializer(serializers.Serializer):
    project = _VisibleProjectField()
    text = serializers.CharField(max_length=TEXT_MAX, trim_whitespace=True)


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
    title = serializers.CharField(max_length=issue_services.TITLE_MAX)
    description = serializers.CharField(
        max_length=issue_services.DESCRIPTION_MAX, required=False, allow_blank=True, default=""
    )
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
    title = serializers.CharField(max_length=issue_services.TITLE_MAX, required=False)
    description = serializers.CharField(max_length=issue_services.DESCRIPTION_MAX, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=IssueSeverity.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Other fields are ignored, as everywhere in the API; these two have their own actions.
        moved = {
            "status": _("Use POST …/transition/ to change the status."),
            "assignees": _("Use POST …/assign/."),
        }
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


SCORE_ERRORS = {
    "invalid": _("A whole number from 1 to 5."),
    "min_value": _("The score is from 1 (lowest) to 5 (highest)."),
    "max_value": _("The score is from 1 (lowest) to 5 (highest)."),
}


STATUS_ERRORS = {
    "invalid_choice": _("Unknown risk status “{input}”. Choose one of: open, mitigated, occurred, closed.")
}


class ProjectRiskSerializer(serializers.ModelSerializer):
    project = _VisibleProjectField()
    probability = serializers.IntegerField(min_value=1, max_value=5, error_messages=SCORE_ERRORS)
    impact = serializers.IntegerField(min_value=1, max_value=5, error_messages=SCORE_ERRORS)
    owner = serializers.IntegerField(
        source="owner_id",
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="An active user's id",
    )
    score = serializers.IntegerField(read_only=True, help_text="probability x impact, now")
    sold_score = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="probability x impact as sold (null for a risk added since)"
    )

    class Meta:
        model = ProjectRisk
        fields = [
            "id",
            "project",
            *RISK_FIELDS,
            "closed_reason",
            "closed_by",
            "closed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "source",
            "sold_probability",
            "sold_impact",
            "status",
            "closed_reason",
            "closed_by",
            "closed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]


class ProjectRiskUpdateSerializer(serializers.Serializer):
    probability = serializers.IntegerField(min_value=1, max_value=5, required=False, error_messages=SCORE_ERRORS)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False, error_messages=SCORE_ERRORS)
    mitigation = serializers.CharField(
        max_length=risk_services.MITIGATION_MAX, required=False, allow_blank=True, trim_whitespace=True
    )
    owner = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text="An active user's id, or null"
    )
    status = serializers.ChoiceField(
        choices=RiskStatus.choices,
        required=False,
        error_messages=STATUS_ERRORS,
        help_text="open → mitigated | occurred | closed; mitigated → open | occurred | closed; occurred → closed",
    )
    reason = serializers.CharField(
        max_length=risk_services.REASON_MAX,
        required=False,
        allow_blank=True,
        help_text="Why the status changes; required to close",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("reason") and "status" not in attrs:
            raise serializers.ValidationError({"reason": [_("Give the status the reason is for.")]})
        return attrs


# --- Staff --------------------------------------------------------------------------------------------
class ClientLinkSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    contact_name = serializers.CharField(source="contact.name", read_only=True)
    state = serializers.ChoiceField(choices=ClientLinkState.choices, read_only=True)

    class Meta:
        model = ClientLink
        fields = [
            "id",
            "project",
            "project_name",
            "contact",
            "contact_name",
            "state",
            "expires_at",
            "emailed",
            "created_by",
            "created_at",
            "revoked_at",
            "revoked_by",
            "last_used_at",
        ]
        read_only_fields = fields


class ClientLinkCreatedSerializer(ClientLinkSerializer):
    url = serializers.CharField(read_only=True, help_text="The client's link: shown this once, never again")
    token = serializers.CharField(read_only=True, help_text="For `Authorization: ClientLink <token>`; shown once")

    class Meta(ClientLinkSerializer.Meta):
        fields = [*ClientLinkSerializer.Meta.fields, "url", "token"]
        read_only_fields = fields


class ClientLinkCreateSerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    contact = serializers.IntegerField(help_text="A contact of the project's client")
    expires_in_days = serializers.IntegerField(
        required=False, default=CLIENT_LINK_DAYS_DEFAULT, min_value=CLIENT_LINK_DAYS_MIN, max_value=CLIENT_LINK_DAYS_MAX
    )
    send_email = serializers.BooleanField(required=False, default=False, help_text="E-mail the link to the contact")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_visible_to(user)


class PortalProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["name", "status", "planned_start", "planned_end"]
        read_only_fields = fields


class PortalDeliverableSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deliverable
        fields = ["id", "name", "due", "status", "submitted_at", "decided_at", "rejection_reason"]
        read_only_fields = fields


class PortalIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientIssue
        fields = ["id", "title", "description", "severity", "status", "created_at"]
        read_only_fields = fields


class PortalPulseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientPulse
        fields = ["id", "mood", "urgency", "satisfaction", "note", "recorded_at"]
        read_only_fields = fields


class PortalSerializer(serializers.Serializer):
    contact = serializers.CharField(source="contact.name", help_text="Who the link was given to")
    expires_at = serializers.DateTimeField(source="link.expires_at")
    project = PortalProjectSerializer()
    deliverables = PortalDeliverableSerializer(many=True)
    issues = PortalIssueSerializer(many=True, help_text="The issues reported by the client, newest first")


class PortalDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[DeliverableStatus.ACCEPTED, DeliverableStatus.REJECTED])
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required on a rejection"
    )


class PortalPulseCreateSerializer(serializers.Serializer):
    mood = ScoreField(help_text="1 (very unhappy) to 5 (very happy)")
    urgency = ScoreField(help_text="1 (relaxed) to 5 (very urgent)")
    satisfaction = ScoreField(help_text="1 (very dissatisfied) to 5 (very satisfied)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PortalIssueCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    severity = serializers.ChoiceField(choices=IssueSeverity.choices, required=False, default=IssueSeverity.MEDIUM)
