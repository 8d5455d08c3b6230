"""Handoffs in the API: win an offer, list and read handoffs with their snapshots, accept/return/resubmit/reassign.

Thin: every action calls the service the page calls, so the UI and the API
refuse the same moves with the same messages (409 ``{detail, code}``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import IdFilter
from core.api.serializers import DomainErrorSerializer
from handoff.handoff_selectors import handoff_snapshots, handoffs_visible_to
from handoff.models import Handoff, HandoffSnapshot, HandoffStatus, Offer
from handoff.services.handoffs import (
    RETURN_REASON_MAX,
    handoff_accept,
    handoff_reassign,
    handoff_resubmit,
    handoff_return,
    offer_win,
)
from handoff.sla import sla_state
from handoff.snapshots import snapshot_diff

CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal state transition")
DECIDE_CONFLICT = OpenApiResponse(
    DomainErrorSerializer,
    description="Illegal state transition, or the offer's owner deciding its own handoff (`four_eyes`)",
)
PM_INVALID = OpenApiResponse(
    description="`{pm: [...]}`: not an active project manager, or the offer's owner (four eyes)"
)


def project_id_of(handoff: Handoff) -> int | None:
    try:
        return handoff.project.pk
    except Handoff.project.RelatedObjectDoesNotExist:
        return None


# --- Serializers -----------------------------------------------------------------------------
class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class SlaSerializer(serializers.Serializer):
    elapsed_working_days = serializers.FloatField()
    limit_working_days = serializers.IntegerField()
    deadline = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class HandoffSerializer(serializers.ModelSerializer):
    offer_title = serializers.CharField(source="offer.title", read_only=True)
    client = serializers.IntegerField(source="offer.client_id", read_only=True)
    client_name = serializers.CharField(source="offer.client.name", read_only=True)
    rep = serializers.IntegerField(source="offer.owner_id", read_only=True)
    project = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Handoff
        fields = [
            "id",
            "offer",
            "offer_title",
            "client",
            "client_name",
            "rep",
            "pm",
            "status",
            "pending_since",
            "return_reason",
            "return_count",
            "decided_at",
            "accepted_at",
            "accepted_by",
            "project",
            "sla",
        ]
        read_only_fields = fields

    def get_project(self, handoff: Handoff) -> int | None:
        return project_id_of(handoff)

    @extend_schema_field(SlaSerializer(allow_null=True))
    def get_sla(self, handoff: Handoff) -> dict[str, Any] | None:
        if handoff.status != HandoffStatus.PENDING:
            return None
        state = sla_state(handoff.pending_since)
        return {
            "elapsed_working_days": round(state.elapsed_days, 2),
            "limit_working_days": state.limit_days,
            "deadline": state.deadline,
            "overdue": state.overdue,
        }


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandoffSnapshot
        fields = ["id", "version", "created_at", "created_by", "data"]
        read_only_fields = fields


def _latest_snapshot(handoff: Handoff) -> HandoffSnapshot | None:
    """One query per handoff however many fields read it."""
    if not hasattr(handoff, "_latest_snapshot"):
        handoff._latest_snapshot = handoff.snapshots.order_by("-version").first()
    return handoff._latest_snapshot


class SoldDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.CharField(help_text="client or offer")
    title = serializers.CharField()
    file_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    content_type = serializers.CharField()
    download_url = serializers.CharField()


class HandoffDetailSerializer(HandoffSerializer):
    snapshot = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(HandoffSerializer.Meta):
        fields = [*HandoffSerializer.Meta.fields, "snapshot", "documents"]
        read_only_fields = fields

    @extend_schema_field(SoldDocumentSerializer(many=True))
    def get_documents(self, handoff: Handoff) -> list[dict[str, Any]]:
        """The documents frozen into the latest snapshot: what was sold, with where to fetch the same bytes."""
        latest = _latest_snapshot(handoff)
        request = self.context.get("request")
        items = []
        for item in latest.data.get("documents", []) if latest else []:
            url = reverse("document-download", args=[item["id"]])
            items.append(
                {
                    **{key: item.get(key) for key in SoldDocumentSerializer().fields if key != "download_url"},
                    "download_url": request.build_absolute_uri(url) if request else url,
                }
            )
        return items

    @extend_schema_field(SnapshotSerializer(allow_null=True))
    def get_snapshot(self, handoff: Handoff) -> dict[str, Any] | None:
        latest = _latest_snapshot(handoff)
        return SnapshotSerializer(latest).data if latest else None


class SnapshotVersionSerializer(SnapshotSerializer):
    changes_from_previous = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "changes_from_previous"]
        read_only_fields = fields


class WinSerializer(serializers.Serializer):
    pm = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A PM's user id, never the offer's owner (four eyes); default the reviewer",
    )


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=RETURN_REASON_MAX, trim_whitespace=True)


class ReassignSerializer(serializers.Serializer):
    pm = serializers.IntegerField(help_text="The new PM's user id, never the offer's owner (four eyes)")


class HandoffFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=HandoffStatus.choices)
    pm = IdFilter(field_name="pm_id")
    offer = IdFilter(field_name="offer_id")
    client = IdFilter(field_name="offer__client_id")

    class Meta:
        model = Handoff
        fields = ["status", "pm", "offer", "client"]


# --- Views -----------------------------------------------------------------------------------
class OfferWinView(APIView):
    """``POST /api/v1/offers/{id}/win/``: the owner marks a sent offer won; the pending handoff is created."""

    @extend_schema(
        request=WinSerializer,
        responses={
            201: inline_serializer("WinResult", {"handoff": serializers.IntegerField()}),
            400: PM_INVALID,
            403: OpenApiResponse(description="Not the offer's owner"),
            409: CONFLICT,
        },
        tags=["offers"],
        operation_id="offers_win_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        offer = get_object_or_404(Offer.objects.all(), pk=pk)
        body = WinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handoff = offer_win(offer=offer, actor=request.user, pm=body.validated_data.get("pm"))
        return Response({"handoff": handoff.pk}, status=status.HTTP_201_CREATED)


@extend_schema(tags=["handoffs"])
class HandoffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Handoffs the user may see: managers all, PMs theirs and the unassigned ones, reps their own."""

    filterset_class = HandoffFilter
    ordering_fields = ["pending_since", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Handoff.objects.none()
        return (
            handoffs_visible_to(self.request.user)
            .select_related("offer", "offer__client", "project")
            .order_by("-pending_since", "-id")
        )

    def get_serializer_class(self):
        return HandoffDetailSerializer if self.action == "retrieve" else HandoffSerializer

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer("AcceptResult", {"project": serializers.IntegerField()}),
            409: DECIDE_CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int | None = None) -> Response:
        project = handoff_accept(handoff=self.get_object(), actor=request.user)
        return Response({"project": project.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReturnSerializer, responses={200: HandoffSerializer, 409: DECIDE_CONFLICT})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: int | None = None) -> Response:
        handoff = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handoff = handoff_return(handoff=handoff, actor=request.user, reason=body.validated_data["reason"])
        return Response(HandoffSerializer(handoff).data)

    @extend_schema(request=None, responses={200: HandoffSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: int | None = None) -> Response:
        handoff = handoff_resubmit(handoff=self.get_object(), actor=request.user)
        return Response(HandoffSerializer(handoff).data)

    @extend_schema(request=ReassignSerializer, responses={200: HandoffSerializer, 400: PM_INVALID, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: int | None = None) -> Response:
        handoff = self.get_object()
        body = ReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handoff = handoff_reassign(handoff=handoff, actor=request.user, pm=body.validated_data["pm"])
        return Response(HandoffSerializer(handoff).data)

    @extend_schema(
        request=None,
        responses={200: SnapshotVersionSerializer(many=True)},
        parameters=[
            OpenApiParameter(
                "version", {"type": "integer", "minimum": 1}, description="Only this version (with its diff)"
            )
        ],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def snapshots(self, request: Request, pk: int | None = None) -> Response:
        """Every snapshot version, each with its field-by-field changes from the version before."""
        versions = handoff_snapshots(self.get_object())
        previous = None
        for snapshot in versions:
            snapshot.changes_from_previous = snapshot_diff(previous.data, snapshot.data) if previous else []
            previous = snapshot
        wanted = request.query_params.get("version")
        if wanted not in (None, ""):
            if not (wanted.isascii() and wanted.isdigit() and int(wanted) >= 1):
                raise serializers.ValidationError({"version": ["A snapshot version: a whole number from 1."]})
            versions = [snapshot for snapshot in versions if snapshot.version == int(wanted)]
        return Response(SnapshotVersionSerializer(versions, many=True).data)
