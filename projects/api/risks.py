"""/api/v1/project-risks/ (SPEC §7.3).

GET (``?project= ?status=``) for everyone who reads projects; POST a new risk
and PATCH (re-score, mitigation, owner, and ``status`` with a ``reason``,
required to close) by the project's PM. ``sold_probability``, ``sold_impact``
and ``sold_score`` are what was sold (empty for a risk added on the project).
Thin: every write calls ``projects.services.risks``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.filters import MAX_ID, IdFilter
from core.api.serializers import DomainErrorSerializer
from handoff.models import RiskCategory
from projects.models import Project, ProjectRisk, RiskStatus
from projects.selectors import projects_visible_to
from projects.services import risks as risk_services
from projects.services.projects import can_edit_project

BAD_INPUT = OpenApiResponse(description="Invalid input: `{field: [messages]}`, e.g. a score outside 1 to 5")
FORBIDDEN = OpenApiResponse(description="Not the project's PM")
CONFLICT = OpenApiResponse(
    DomainErrorSerializer,
    description="Illegal transition (a closed risk, a closed project, e.g. occurred → mitigated)",
)
SCORE_ERRORS = {
    "invalid": _("A whole number from 1 to 5."),
    "min_value": _("The score is from 1 (lowest) to 5 (highest)."),
    "max_value": _("The score is from 1 (lowest) to 5 (highest)."),
}
STATUS_ERRORS = {
    "invalid_choice": _("Unknown risk status “{input}”. Choose one of: open, mitigated, occurred, closed.")
}


class ProjectRiskSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["project"].queryset = projects_visible_to(getattr(request, "user", None))


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


class ProjectRiskFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id", label="Project id")
    status = django_filters.ChoiceFilter(choices=RiskStatus.choices)

    class Meta:
        model = ProjectRisk
        fields = ["project", "status"]


def _project_in_payload(request: Request) -> Project | None:
    raw = request.data.get("project") if hasattr(request.data, "get") else None
    if isinstance(raw, bool) or not str(raw or "").isdigit() or int(raw) > MAX_ID:
        return None
    return projects_visible_to(request.user).filter(pk=int(raw)).first()


def _ensure_pm(user: Any, project: Project) -> None:
    if not can_edit_project(user, project):
        raise PermissionDenied(_("Only the project's PM can manage its risks."))


@extend_schema_view(
    list=extend_schema(summary="List the projects' risks (?project= ?status=)"),
    retrieve=extend_schema(summary="A project risk, with what was sold beside where it stands"),
)
@extend_schema(tags=["project risks"])
class ProjectRiskViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The project's risks: copied from what was sold at the handoff, managed by the project's PM since."""

    serializer_class = ProjectRiskSerializer
    filterset_class = ProjectRiskFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProjectRisk.objects.none()
        return ProjectRisk.objects.filter(project__in=projects_visible_to(self.request.user)).order_by(
            "project_id", "id"
        )

    def _answer(self, risk: ProjectRisk, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=risk.pk)).data, status=status_code)

    @extend_schema(
        summary="Add a risk found after the sale (the project's PM); it starts open",
        responses={201: ProjectRiskSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = _project_in_payload(request)
        if project is not None:
            _ensure_pm(request.user, project)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        risk = risk_services.project_risk_add(
            project=data["project"],
            actor=request.user,
            title=data["title"],
            category=data.get("category", RiskCategory.OTHER),
            probability=data["probability"],
            impact=data["impact"],
            mitigation=data.get("mitigation", ""),
            owner=data.get("owner_id"),
        )
        return self._answer(risk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Re-score, change mitigation and owner, or move the status with a reason (the project's PM)",
        request=ProjectRiskUpdateSerializer,
        responses={200: ProjectRiskSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self.get_object()
        _ensure_pm(request.user, risk.project)
        body = ProjectRiskUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        new_status, reason = data.pop("status", None), data.pop("reason", "")
        # One request, one outcome: a refused status change undoes the re-score sent with it.
        with transaction.atomic():
            if data:
                risk = risk_services.project_risk_update(risk=risk, actor=request.user, data=data)
            if new_status is not None:
                risk = risk_services.project_risk_set_status(
                    risk=risk, actor=request.user, status=new_status, reason=reason
                )
        return self._answer(risk)
