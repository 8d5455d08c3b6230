"""Offers, commitments, risks, feasibility reviews and handoffs in the API (SPEC §4).

Thin: each write calls the service the pages call, so both refuse the same
things with the same messages: 400 ``{field: [..]}`` for bad input, 403 for
someone else's offer, 409 ``{detail, code}`` for an illegal move or a stale
version (with ``unmet`` when the offer is not ready to send).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import RefuseBlankFilters
from core.api.serializers import DomainErrorSerializer, ReasonSerializer
from handoff import selectors
from handoff.api.serializers import (
    FeasibilityReviewSerializer,
    HandoffDetailSerializer,
    HandoffSerializer,
    NotReadyErrorSerializer,
    OfferCommitmentSerializer,
    OfferDetailSerializer,
    OfferRiskSerializer,
    OfferRiskUpdateSerializer,
    OfferSerializer,
    OfferUpdateSerializer,
    ReassignSerializer,
    ReturnSerializer,
    ReviewCompleteSerializer,
    ReviewConfirmSerializer,
    ReviewRequestSerializer,
    SnapshotVersionSerializer,
    WinSerializer,
)
from handoff.filters import CommitmentFilter, HandoffFilter, OfferFilter, ReviewFilter, RiskFilter
from handoff.models import Commitment, Handoff, Offer, Risk
from handoff.selectors import handoff_snapshots, handoffs_visible_to
from handoff.services import offers as offer_services
from handoff.services import reviews as review_services
from handoff.services import risks as risk_services
from handoff.services.handoffs import (
    handoff_accept,
    handoff_reassign,
    handoff_resubmit,
    handoff_return,
    offer_win,
)
from handoff.snapshots import snapshot_diff

BAD_INPUT = OpenApiResponse(description="Invalid input: `{field: [messages]}`")
FORBIDDEN = OpenApiResponse(description="Not the offer's owner (or, for risks, a PM reviewing it)")
CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal state transition or stale version")
NOT_READY = OpenApiResponse(
    NotReadyErrorSerializer,
    description="Illegal transition, or not ready: `unmet` lists every missing readiness item, "
    "`review_changes` what changed since the PM's review",
)


def _offer_in_payload(request: Request) -> Offer | None:
    """The offer a new commitment or risk is for, to answer 403 before judging the rest of the input."""
    raw = request.data.get("offer") if hasattr(request.data, "get") else None
    if isinstance(raw, bool) or not str(raw or "").isdigit():
        return None
    return Offer.objects.select_related("owner").filter(pk=int(raw)).first()


@extend_schema_view(
    list=extend_schema(summary="List offers", responses=OfferSerializer(many=True)),
    retrieve=extend_schema(summary="An offer with its readiness checklist", responses=OfferDetailSerializer),
)
class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Offers: every signed-in user reads them; the owning rep writes them."""

    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    # OfferFilter's own ``ordering`` (a choice) sorts; DRF's free-text one would document a second ``ordering``.
    filter_backends = [RefuseBlankFilters, django_filters.rest_framework.DjangoFilterBackend]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.offer_list(user=self.request.user)
        return selectors.offers_visible_to(self.request.user).select_related("client", "owner")

    def get_serializer_class(self):
        return OfferDetailSerializer if self.action == "retrieve" else OfferSerializer

    def _detail(self, offer: Offer, *, status_code: int = status.HTTP_200_OK) -> Response:
        offer = selectors.offer_detail(user=self.request.user, pk=offer.pk)
        return Response(OfferDetailSerializer(offer, context=self.get_serializer_context()).data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(
            OfferDetailSerializer(
                selectors.offer_detail(user=request.user, pk=self.kwargs["pk"]), context=self.get_serializer_context()
            ).data
        )

    @extend_schema(
        summary="Create a draft offer owned by you",
        request=OfferSerializer,
        responses={201: OfferDetailSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request.user.is_sales:
            raise PermissionDenied(_("Only sales reps create offers."))
        serializer = OfferSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        offer = offer_services.offer_create(actor=request.user, **serializer.validated_data)
        return self._detail(offer, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit an offer (send the version you read)",
        request=OfferUpdateSerializer,
        responses={200: OfferDetailSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offer = self.get_object()
        offer_services.ensure_offer_owner(request.user, offer, doing="edit it")
        serializer = OfferUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        offer = offer_services.offer_update(offer=offer, actor=request.user, version=version, data=data)
        return self._detail(offer)

    def _move(self, request: Request, doing: str) -> Offer:
        offer = self.get_object()
        offer_services.ensure_offer_owner(request.user, offer, doing=doing)
        return offer

    @extend_schema(
        summary="Ask a PM for a feasibility review (draft → review)",
        request=ReviewRequestSerializer,
        responses={201: FeasibilityReviewSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="request-review")
    def request_review(self, request: Request, pk: str | None = None) -> Response:
        offer = self._move(request, "ask for its review")
        serializer = ReviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_services.review_request(
            offer=offer, actor=request.user, reviewer=serializer.validated_data["reviewer"]
        )
        review = selectors.review_list(user=request.user).prefetch_related("offer__commitments").get(pk=review.pk)
        return Response(FeasibilityReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send the offer to the client (draft → sent, only when ready)",
        request=None,
        responses={200: OfferDetailSerializer, 403: FORBIDDEN, 409: NOT_READY},
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        offer = offer_services.offer_send(offer=self._move(request, "send it"), actor=request.user)
        return self._detail(offer)

    @extend_schema(
        summary="Mark the offer lost (any open status)",
        request=ReasonSerializer,
        responses={200: OfferDetailSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def lose(self, request: Request, pk: str | None = None) -> Response:
        offer = self._move(request, "mark it lost")
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = offer_services.offer_lose(offer=offer, actor=request.user, reason=serializer.validated_data["reason"])
        return self._detail(offer)

    @extend_schema(
        summary="Withdraw the offer (any open status)",
        request=ReasonSerializer,
        responses={200: OfferDetailSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        offer = self._move(request, "withdraw it")
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = offer_services.offer_withdraw(
            offer=offer, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._detail(offer)

    @extend_schema(
        summary="Sign off “no significant risks” (POST) or withdraw that sign-off (DELETE)",
        description="Possible only while the offer has no recorded risks; recording a risk clears the sign-off. "
        "By the offer's owner or a PM reviewing it.",
        request=None,
        responses={200: OfferDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post", "delete"], url_path="sign-off-no-risks")
    def sign_off_no_risks(self, request: Request, pk: str | None = None) -> Response:
        offer = self.get_object()
        if request.method == "DELETE":
            offer = risk_services.offer_withdraw_no_risks_sign_off(offer=offer, actor=request.user)
        else:
            offer = risk_services.offer_sign_off_no_risks(offer=offer, actor=request.user)
        return self._detail(offer)


@extend_schema_view(
    list=extend_schema(summary="List commitments (?offer=)"),
    retrieve=extend_schema(summary="A commitment with the PM's mark"),
)
class CommitmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Promises made to the client; the PM marks them in the feasibility review."""

    serializer_class = OfferCommitmentSerializer
    filterset_class = CommitmentFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Commitment.objects.filter(offer__in=selectors.offers_visible_to(self.request.user)).order_by(
            "offer_id", "due", "id"
        )

    @extend_schema(
        summary="Add a commitment to your offer (draft or review)",
        responses={201: OfferCommitmentSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offer = _offer_in_payload(request)
        if offer is not None:
            offer_services.ensure_offer_owner(request.user, offer, doing="add commitments")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        commitment = offer_services.commitment_add(
            offer=data.pop("offer"), actor=request.user, text=data["text"], due=data.get("due")
        )
        return Response(self.get_serializer(commitment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a commitment from your offer (draft or review)",
        responses={204: None, 403: FORBIDDEN, 409: CONFLICT},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offer_services.commitment_remove(commitment=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List risks (?offer=)"),
    retrieve=extend_schema(summary="A risk"),
)
class RiskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The offers' risk registers; ``score`` = probability x impact is read-only."""

    serializer_class = OfferRiskSerializer
    filterset_class = RiskFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Risk.objects.filter(offer__in=selectors.offers_visible_to(self.request.user)).order_by("offer_id", "-id")

    @staticmethod
    def _ensure_may_manage(user: Any, offer: Offer) -> None:
        if not (offer_services.is_offer_owner(user, offer) or risk_services.reviews_offer(user, offer)):
            raise PermissionDenied(_("Only the offer's owner or a PM reviewing it can change its risks."))

    @extend_schema(
        summary="Record a risk on an offer (its owner or a PM reviewing it)",
        responses={201: OfferRiskSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offer = _offer_in_payload(request)
        if offer is not None:
            self._ensure_may_manage(request.user, offer)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        risk = risk_services.risk_add(offer=data.pop("offer"), actor=request.user, **data)
        return Response(self.get_serializer(risk).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a risk",
        request=OfferRiskUpdateSerializer,
        responses={200: OfferRiskSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self.get_object()
        self._ensure_may_manage(request.user, risk.offer)
        serializer = OfferRiskUpdateSerializer(risk, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        risk = risk_services.risk_update(risk=risk, actor=request.user, data=dict(serializer.validated_data))
        return Response(self.get_serializer(risk).data)

    @extend_schema(summary="Remove a risk", responses={204: None, 403: FORBIDDEN, 409: CONFLICT})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk_services.risk_remove(risk=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List feasibility reviews (?offer= ?reviewer= ?status=)"),
    retrieve=extend_schema(summary="A feasibility review"),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Feasibility reviews: requested through ``/offers/{id}/request-review/``, answered here."""

    serializer_class = FeasibilityReviewSerializer
    filterset_class = ReviewFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.review_list(user=self.request.user).prefetch_related("offer__commitments")

    @extend_schema(
        summary="Answer a review assigned to you (the offer goes back to draft)",
        request=ReviewCompleteSerializer,
        responses={200: FeasibilityReviewSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        review = get_object_or_404(self.get_queryset(), pk=pk)
        if review.reviewer_id != request.user.pk or not request.user.is_pm:
            raise PermissionDenied(
                _("Only %(reviewer)s, who was asked, can complete this review.") % {"reviewer": review.reviewer}
            )
        serializer = ReviewCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_services.review_complete(review=review, actor=request.user, **serializer.validated_data)
        review = self.get_queryset().get(pk=review.pk)
        return Response(FeasibilityReviewSerializer(review).data)

    @extend_schema(
        summary="Re-confirm your stale review: it then covers the offer as it is now (SPEC §7.1)",
        description="Only the PM who completed the offer's latest review, only while the offer is a draft and "
        "changed since the review (or has commitments waiting for a mark). `commitments`: ids of the offer's "
        "commitments you mark; a commitment added after the review stays an unmet readiness item until marked.",
        request=ReviewConfirmSerializer,
        responses={200: FeasibilityReviewSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        review = get_object_or_404(self.get_queryset(), pk=pk)
        if review.reviewer_id != request.user.pk or not request.user.is_pm:
            raise PermissionDenied(
                _("Only %(reviewer)s, who reviewed the offer, can confirm the review.") % {"reviewer": review.reviewer}
            )
        serializer = ReviewConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_services.review_confirm(
            review=review, actor=request.user, commitments=serializer.validated_data["commitments"]
        )
        review = self.get_queryset().get(pk=review.pk)
        return Response(FeasibilityReviewSerializer(review).data)


# --- Handoffs -------------------------------------------------------------------------------
HANDOFF_CONFLICT = OpenApiResponse(DomainErrorSerializer, description="Illegal state transition")
DECIDE_CONFLICT = OpenApiResponse(
    DomainErrorSerializer,
    description="Illegal state transition, or the offer's owner deciding its own handoff (`four_eyes`)",
)
PM_INVALID = OpenApiResponse(
    description="`{pm: [...]}`: not an active project manager, or the offer's owner (four eyes)"
)


class OfferWinView(APIView):
    """``POST /api/v1/offers/{id}/win/``: the owner marks a sent offer won; the pending handoff is created."""

    @extend_schema(
        request=WinSerializer,
        responses={
            201: inline_serializer("WinResult", {"handoff": serializers.IntegerField()}),
            400: PM_INVALID,
            403: OpenApiResponse(description="Not the offer's owner"),
            409: HANDOFF_CONFLICT,
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

    @extend_schema(request=None, responses={200: HandoffSerializer, 409: HANDOFF_CONFLICT})
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: int | None = None) -> Response:
        handoff = handoff_resubmit(handoff=self.get_object(), actor=request.user)
        return Response(HandoffSerializer(handoff).data)

    @extend_schema(
        request=ReassignSerializer, responses={200: HandoffSerializer, 400: PM_INVALID, 409: HANDOFF_CONFLICT}
    )
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
                raise serializers.ValidationError({"version": [_("A snapshot version: a whole number from 1.")]})
            versions = [snapshot for snapshot in versions if snapshot.version == int(wanted)]
        return Response(SnapshotVersionSerializer(versions, many=True).data)
