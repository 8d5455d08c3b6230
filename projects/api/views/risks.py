"""/api/v1/project-risks/ (SPEC §7.3).

GET (``?project= ?status=``) for everyone who reads projects; POST a new risk
and PATCH (re-score, mitigation, owner, and ``status`` with a ``reason``,
required to close) by the project's PM. ``sold_probability``, ``sold_impact``
and ``sold_score`` are what was sold (empty for a risk added on the project).
Thin: every write calls ``projects.services.risks``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.filters import MAX_ID
from core.api.serializers import DomainErrorSerializer
from handoff.models import RiskCategory
from projects.api.serializers import ProjectRiskSerializer, ProjectRiskUpdateSerializer
from projects.filters import ProjectRiskFilter
from projects.models import Project, ProjectRisk
from projects.selectors import projects_visible_to
from projects.services import risks as risk_services
from projects.services.projects import can_edit_project

BAD_INPUT = OpenApiResponse(description="Invalid input: `{field: [messages]}`, e.g. a score outside 1 to 5")


FORBIDDEN = OpenApiResponse(description="Not the project's PM")


CONFLICT = OpenApiResponse(
    DomainErrorSerializer,
    description="Illegal transition (a closed risk, a closed project, e.g. occurred → mitigated)",
)


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
