"""Client links in the API (SPEC §7.5).

Staff: ``/api/v1/client-links/`` GET (``?project=``), POST ``{project, contact, expires_in_days?, send_email?}``
→ 201 with the token (shown once), ``{id}/revoke/`` POST.

The client's own tools: ``/api/v1/client-portal/`` with ``Authorization: ClientLink <token>`` and nothing
else; every answer is built from the serializers below, which name each field the client may see.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import DomainErrorSerializer
from projects.api.authentication import ClientLinkActionThrottle, ClientLinkAuthentication, IsClientLink
from projects.api.serializers import (
    ClientLinkCreatedSerializer,
    ClientLinkCreateSerializer,
    ClientLinkSerializer,
    PortalDecisionSerializer,
    PortalDeliverableSerializer,
    PortalIssueCreateSerializer,
    PortalIssueSerializer,
    PortalPulseCreateSerializer,
    PortalPulseSerializer,
    PortalSerializer,
)
from projects.filters import ClientLinkFilter
from projects.models import ClientLink, Deliverable
from projects.services import client_links as services

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal transition (e.g. revoked already)")


@extend_schema_view(
    list=extend_schema(summary="Client links (managers: all; a PM or sales liaison: their projects')"),
    retrieve=extend_schema(summary="A client link (never its token)"),
)
@extend_schema(tags=["client links"])
class ClientLinkViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Links that let a client contact see a project and act on it, without an account."""

    serializer_class = ClientLinkSerializer
    filterset_class = ClientLinkFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClientLink.objects.none()
        return services.client_links_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        summary="Invite a contact of the project's client (the project's PM or sales liaison)",
        request=ClientLinkCreateSerializer,
        responses={201: ClientLinkCreatedSerializer, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ClientLinkCreateSerializer(data=request.data, user=request.user)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        link, token = services.client_link_issue(
            actor=request.user,
            project=data["project"],
            contact=data["contact"],
            expires_in_days=data["expires_in_days"],
            send_email=data["send_email"],
        )
        link = self.get_queryset().get(pk=link.pk)
        link.url = services.link_url(token)
        link.token = token
        return Response(ClientLinkCreatedSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke: the link stops working at once",
        request=None,
        responses={200: ClientLinkSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        link = services.client_link_revoke(actor=request.user, link=self.get_object())
        return Response(ClientLinkSerializer(self.get_queryset().get(pk=link.pk)).data)


class ClientPortalAPIView(APIView):
    authentication_classes = [ClientLinkAuthentication]
    permission_classes = [IsClientLink]
    throttle_classes = [ClientLinkActionThrottle]

    def link(self, request: Request) -> ClientLink:
        return request.user.link

    def run(self, action, **kwargs):
        try:
            return action(link=self.link(self.request), **kwargs)
        except services.InvalidClientLink:
            raise exceptions.AuthenticationFailed(gettext("This link is no longer valid.")) from None

    def create(self, request: Request, body_class, action, answer_class) -> Response:
        """The client adds one thing: the body checked by ``body_class``, ``action`` run, 201 with it."""
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        created = self.run(action, **body.validated_data)
        return Response(answer_class(created).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["client portal"])
class ClientPortalView(ClientPortalAPIView):
    @extend_schema(summary="The project as the client sees it", responses={200: PortalSerializer})
    def get(self, request: Request) -> Response:
        link = self.link(request)
        services.client_link_touch(link)
        return Response(PortalSerializer(services.client_portal_data(link)).data)


@extend_schema(tags=["client portal"])
class ClientPortalDecisionView(ClientPortalAPIView):
    @extend_schema(
        summary="Accept or reject a submitted deliverable (a rejection needs a reason)",
        request=PortalDecisionSerializer,
        responses={200: PortalDeliverableSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = PortalDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            deliverable = self.run(services.client_deliverable_decide, deliverable=pk, **body.validated_data)
        except Deliverable.DoesNotExist:
            raise exceptions.NotFound(gettext("No such deliverable on your project.")) from None
        return Response(PortalDeliverableSerializer(deliverable).data)


@extend_schema(tags=["client portal"])
class ClientPortalPulseView(ClientPortalAPIView):
    @extend_schema(
        summary="Answer the pulse (mood, urgency, satisfaction 1-5, note)",
        request=PortalPulseCreateSerializer,
        responses={201: PortalPulseSerializer},
    )
    def post(self, request: Request) -> Response:
        return self.create(request, PortalPulseCreateSerializer, services.client_pulse_answer, PortalPulseSerializer)


@extend_schema(tags=["client portal"])
class ClientPortalIssueView(ClientPortalAPIView):
    @extend_schema(
        summary="Report an issue (reported through the client)",
        request=PortalIssueCreateSerializer,
        responses={201: PortalIssueSerializer},
    )
    def post(self, request: Request) -> Response:
        return self.create(request, PortalIssueCreateSerializer, services.client_issue_report, PortalIssueSerializer)
