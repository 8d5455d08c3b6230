"""/api/v1/change-requests/: list, raise, and the approve / reject actions (SPEC §4).

Thin: each write calls ``projects.services.changes``, the same function the
project page calls. 400 ``{field: [..]}`` for bad input, 403 for someone who
is neither the project's PM nor its sales liaison (nor, to raise, a manager),
409 ``{detail, code}`` for a decided change or a second signature.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import DomainErrorSerializer
from projects.api.serializers import ChangeRequestSerializer, CommentSerializer, RejectSerializer
from projects.filters import ChangeRequestFilter
from projects.models import ChangeRequest, Project
from projects.selectors import projects_visible_to
from projects.services import changes as change_services

BAD_INPUT = OpenApiResponse(description="Invalid input: `{field: [messages]}`")


FORBIDDEN = OpenApiResponse(description="Not the project's PM or sales liaison (raising: or a manager)")


CONFLICT = OpenApiResponse(
    DomainErrorSerializer,
    description="Already decided (`illegal_transition`), already signed in that capacity (`already_signed`), "
    "the second signature from the person who gave the first (`four_eyes`), or the budget or end date would "
    "become impossible",
)


def _project_in_payload(request: Request) -> Project | None:
    """The project a new change is for, to answer 403 before judging the rest of the input."""
    raw = request.data.get("project") if hasattr(request.data, "get") else None
    if isinstance(raw, bool) or not str(raw or "").isdigit():
        return None
    return projects_visible_to(request.user).select_related("pm", "sales_liaison").filter(pk=int(raw)).first()


@extend_schema_view(
    list=extend_schema(summary="List change requests (?project= ?status=)"),
    retrieve=extend_schema(summary="A change request with its signatures"),
)
@extend_schema(tags=["change requests"])
class ChangeRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Changes of scope after the signature; approved ones roll into the project's budget and planned end."""

    serializer_class = ChangeRequestSerializer
    filterset_class = ChangeRequestFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChangeRequest.objects.none()
        return (
            ChangeRequest.objects.filter(project__in=projects_visible_to(self.request.user))
            .prefetch_related("approvals")
            .order_by("-raised_at", "-id")
        )

    def _answer(self, change_request: ChangeRequest, *, status_code: int = status.HTTP_200_OK) -> Response:
        change_request = self.get_queryset().get(pk=change_request.pk)
        return Response(self.get_serializer(change_request).data, status=status_code)

    def _signable(self) -> ChangeRequest:
        change_request = self.get_object()
        if change_services.signing_capacity(self.request.user, change_request.project) is None:
            raise PermissionDenied(
                gettext("Only the project's PM and its sales liaison sign or reject its change requests.")
            )
        return change_request

    @extend_schema(
        summary="Raise a change request (the project's PM, its sales liaison or a manager)",
        responses={201: ChangeRequestSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = _project_in_payload(request)
        if project is not None and not (
            change_services.signing_capacity(request.user, project) is not None or request.user.is_manager
        ):
            raise PermissionDenied(
                gettext("Only the project's PM, its sales liaison or a manager can raise a change request.")
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        change_request = change_services.change_request_raise(
            project=data.pop("project"), actor=request.user, data=data
        )
        return self._answer(change_request, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Sign as the project's PM or sales liaison; the last needed signature approves",
        request=CommentSerializer,
        responses={200: ChangeRequestSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        change_request = self._signable()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change_request = change_services.change_request_approve(
            change_request=change_request, actor=request.user, comment=body.validated_data["comment"]
        )
        return self._answer(change_request)

    @extend_schema(
        summary="Reject (the project's PM or sales liaison), with a comment",
        request=RejectSerializer,
        responses={200: ChangeRequestSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        change_request = self._signable()
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change_request = change_services.change_request_reject(
            change_request=change_request, actor=request.user, comment=body.validated_data["comment"]
        )
        return self._answer(change_request)
