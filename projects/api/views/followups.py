"""Follow-up opportunities and lessons learned in the API; thin views over the services the pages call.

``/api/v1/follow-ups/``: GET (``?project=``, ``?status=``, ``?client=``), POST raises one;
``POST /follow-ups/{id}/convert/`` → 201 ``{"offer": id}``; ``POST /follow-ups/{id}/dismiss/`` ``{reason}``.
``/api/v1/lessons/``: GET (``?client=``, ``?project=``), POST records one on a completed project.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import (
    DismissSerializer,
    FollowUpRaiseSerializer,
    FollowUpSerializer,
    LessonCreateSerializer,
    LessonSerializer,
)
from projects.filters import FollowUpFilter, LessonFilter
from projects.models import FollowUp, LessonLearned
from projects.selectors import follow_ups_visible_to, lessons_visible_to
from projects.services.followups import follow_up_convert, follow_up_dismiss, follow_up_raise, is_account_owner
from projects.services.lessons import lesson_add

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal state transition")


FORBIDDEN = OpenApiResponse(description="Not allowed for this user")


NOT_FOUND = OpenApiResponse(description="No such object")


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
            raise PermissionDenied(gettext("Only the client's account owner can dismiss a follow-up."))
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
