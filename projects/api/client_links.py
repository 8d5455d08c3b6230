"""Client links in the API (SPEC §7.5).

Staff: ``/api/v1/client-links/`` GET (``?project=``), POST ``{project, contact, expires_in_days?, send_email?}``
→ 201 with the token (shown once), ``{id}/revoke/`` POST.

The client's own tools: ``/api/v1/client-portal/`` with ``Authorization: ClientLink <token>`` and nothing
else; every answer is built from the serializers below, which name each field the client may see.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import authentication, exceptions, mixins, permissions, serializers, status, throttling, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import IdFilter
from core.api.serializers import DomainErrorSerializer
from projects.actors import ClientActor
from projects.api.pulses import ScoreField
from projects.models import (
    CLIENT_LINK_DAYS_DEFAULT,
    CLIENT_LINK_DAYS_MAX,
    CLIENT_LINK_DAYS_MIN,
    ClientIssue,
    ClientLink,
    ClientLinkState,
    ClientPulse,
    Deliverable,
    DeliverableStatus,
    IssueSeverity,
    Project,
)
from projects.selectors import projects_visible_to
from projects.services import client_links as services
from projects.views.client_portal import client_ip, guesses_blocked, record_action, record_guess

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal transition (e.g. revoked already)")
KEYWORD = "ClientLink"


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


class ClientLinkFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id", label="Project id")
    contact = IdFilter(field_name="contact_id", label="Contact id")

    class Meta:
        model = ClientLink
        fields = ["project", "contact"]


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


# --- The client's door --------------------------------------------------------------------------------
class ClientLinkAuthentication(authentication.BaseAuthentication):
    """``Authorization: ClientLink <token>``: the request acts as the link's contact (a ``ClientActor``).

    Unknown tokens count against the caller's IP address; past the limit every attempt gets 429.
    """

    def authenticate(self, request: Request) -> tuple[ClientActor, ClientLink] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        ip = client_ip(request._request)
        wait = guesses_blocked(ip)
        if wait:
            raise exceptions.Throttled(wait)
        token = header[1].decode("latin-1") if len(header) == 2 else None
        try:
            link = services.client_link_resolve(token)
        except services.InvalidClientLink:
            wait = record_guess(ip)
            if wait:
                raise exceptions.Throttled(wait) from None
            raise exceptions.AuthenticationFailed("This link is no longer valid.") from None
        return ClientActor(link), link

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class ClientLinkScheme(OpenApiAuthenticationExtension):
    target_class = ClientLinkAuthentication
    name = "ClientLink"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`ClientLink <token>`: the token of a client link (SPEC §7.5), given once at its creation.",
        }


class IsClientLink(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ClientActor)


class ClientLinkActionThrottle(throttling.BaseThrottle):
    """Every valid link has a budget of actions per window (settings.CLIENT_LINK_ACTIONS_PER_LINK)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        self.retry_after = None
        if request.method in permissions.SAFE_METHODS or not isinstance(request.user, ClientActor):
            return True
        self.retry_after = record_action(request.user.link)
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after or settings.CLIENT_LINK_ACTION_WINDOW


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
            raise exceptions.AuthenticationFailed("This link is no longer valid.") from None


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
            raise exceptions.NotFound("No such deliverable on your project.") from None
        return Response(PortalDeliverableSerializer(deliverable).data)


@extend_schema(tags=["client portal"])
class ClientPortalPulseView(ClientPortalAPIView):
    @extend_schema(
        summary="Answer the pulse (mood, urgency, satisfaction 1-5, note)",
        request=PortalPulseCreateSerializer,
        responses={201: PortalPulseSerializer},
    )
    def post(self, request: Request) -> Response:
        body = PortalPulseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pulse = self.run(services.client_pulse_answer, **body.validated_data)
        return Response(PortalPulseSerializer(pulse).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["client portal"])
class ClientPortalIssueView(ClientPortalAPIView):
    @extend_schema(
        summary="Report an issue (reported through the client)",
        request=PortalIssueCreateSerializer,
        responses={201: PortalIssueSerializer},
    )
    def post(self, request: Request) -> Response:
        body = PortalIssueCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issue = self.run(services.client_issue_report, **body.validated_data)
        return Response(PortalIssueSerializer(issue).data, status=status.HTTP_201_CREATED)
