"""Follow-up opportunities and lessons learned in the API; thin views over the services the pages call.

``/api/v1/follow-ups/``: GET (``?project=``, ``?status=``, ``?client=``), POST raises one;
``POST /follow-ups/{id}/convert/`` → 201 ``{"offer": id}``; ``POST /follow-ups/{id}/dismiss/`` ``{reason}``.
``/api/v1/lessons/``: GET (``?client=``, ``?project=``), POST records one on a completed project.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.fields import DecimalString
from core.api.filters import IdFilter
from core.api.serializers import DomainErrorSerializer
from projects.models import FollowUp, FollowUpStatus, LessonLearned
from projects.selectors import follow_ups_visible_to, lessons_visible_to, projects_visible_to
from projects.services.followups import (
    DESCRIPTION_MAX,
    REASON_MAX,
    TITLE_MAX,
    VALUE_MAX,
    follow_up_convert,
    follow_up_dismiss,
    follow_up_raise,
    is_account_owner,
)
from projects.services.lessons import TEXT_MAX, lesson_add

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal state transition")
FORBIDDEN = OpenApiResponse(description="Not allowed for this user")
NOT_FOUND = OpenApiResponse(description="No such object")


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


@extend_schema_field(OpenApiTypes.INT)
class _VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project id the user may see (every signed-in user reads projects); 400 for any other."""

    def get_queryset(self):
        return projects_visible_to(self.context["request"].user)


class FollowUpRaiseSerializer(serializers.Serializer):
    project = _VisibleProjectField()
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")
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


# --- Filters ---------------------------------------------------------------------------------
class FollowUpFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    client = IdFilter(field_name="project__client_id")
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)

    class Meta:
        model = FollowUp
        fields = ["project", "client", "status"]


class LessonFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    client = IdFilter(field_name="client_id")

    class Meta:
        model = LessonLearned
        fields = ["project", "client"]


# --- Views -------------------------------------------------------------------------------------
@extend_schema(tags=["follow-ups"])
class FollowUpViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Follow-up business heard of on a project. Anyone on the project raises; the account owner decides."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    ordering_fields = ["raised_at", "estimated_value", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return follow_ups_visible_to(self.request.user).order_by("-raised_at", "-id")

    @extend_schema(
        request=FollowUpRaiseSerializer,
        responses={201: FollowUpSerializer, 400: OpenApiResponse(description="Invalid input"), 403: FORBIDDEN},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = FollowUpRaiseSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        follow_up = follow_up_raise(project=data.pop("project"), actor=request.user, **data)
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer("FollowUpConvertResult", {"offer": serializers.IntegerField()}),
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: int | None = None) -> Response:
        """The account owner turns the follow-up into a new draft offer of the client (linked both ways)."""
        offer = follow_up_convert(follow_up=self.get_object(), actor=request.user)
        return Response({"offer": offer.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DismissSerializer,
        responses={
            200: FollowUpSerializer,
            400: OpenApiResponse(description="No reason"),
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: int | None = None) -> Response:
        """The account owner dismisses the follow-up with a reason."""
        follow_up = self.get_object()
        if not is_account_owner(request.user, follow_up.project):
            raise PermissionDenied("Only the client's account owner can dismiss a follow-up.")
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        follow_up = follow_up_dismiss(follow_up=follow_up, actor=request.user, reason=body.validated_data["reason"])
        return Response(FollowUpSerializer(follow_up).data)


@extend_schema(tags=["lessons"])
class LessonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Lessons learned of completed projects, readable by client: what sales should know next time."""

    serializer_class = LessonSerializer
    filterset_class = LessonFilter
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LessonLearned.objects.none()
        return lessons_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        request=LessonCreateSerializer,
        responses={
            201: LessonSerializer,
            400: OpenApiResponse(description="Invalid input"),
            403: FORBIDDEN,
            409: CONFLICT,
        },
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = LessonCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        lesson = lesson_add(
            project=body.validated_data["project"], actor=request.user, text=body.validated_data["text"]
        )
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)
