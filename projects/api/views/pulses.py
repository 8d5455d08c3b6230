"""/api/v1/pulses/: read every pulse (filter by project, client, low mood); POST logs one through the service."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from projects.api.serializers import PulseCreateSerializer, PulseSerializer
from projects.filters import PulseFilter
from projects.models import ClientPulse
from projects.selectors import pulses_visible_to
from projects.services.pulses import pulse_record


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
