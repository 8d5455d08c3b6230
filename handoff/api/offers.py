"""Offers, commitments, risks and feasibility reviews in the API (SPEC §4).

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
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.filters import IdFilter, RefuseBlankFilters
from core.api.serializers import DomainErrorSerializer, ReasonSerializer
from handoff import selectors
from handoff.api.offer_serializers import (
    FeasibilityReviewSerializer,
    NotReadyErrorSerializer,
    OfferCommitmentSerializer,
    OfferDetailSerializer,
    OfferRiskSerializer,
    OfferRiskUpdateSerializer,
    OfferSerializer,
    OfferUpdateSerializer,
    ReviewCompleteSerializer,
    ReviewConfirmSerializer,
    ReviewRequestSerializer,
)
from handoff.models import Commitment, FeasibilityReview, Offer, OfferStatus, ReviewStatus, Risk
from handoff.services import offers as offer_services
from handoff.services import reviews as review_services
from handoff.services import risks as risk_services

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


# --- Offers --------------------------------------------------------------------------------
ORDERING_CHOICES = [(key, key) for name in selectors.OFFER_ORDERINGS for key in (name, f"-{name}")]


class OfferFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OfferStatus.choices)
    owner = IdFilter(field_name="owner_id", label="Owner (user id)")
    client = IdFilter(field_name="client_id", label="Client id")
    expected_close_after = django_filters.DateFilter(field_name="expected_close", lookup_expr="gte")
    expected_close_before = django_filters.DateFilter(field_name="expected_close", lookup_expr="lte")
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES,
        method="order",
        label="Sort by created, value, expected_close or title (- for descending)",
    )

    class Meta:
        model = Offer
        fields = ["status", "owner", "client", "expected_close_after", "expected_close_before", "ordering"]

    def order(self, queryset, name, value):
        return selectors.order_offers(queryset, value)


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
            raise PermissionDenied("Only sales reps create offers.")
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


# --- Commitments ----------------------------------------------------------------------------
class CommitmentFilter(django_filters.FilterSet):
    offer = IdFilter(field_name="offer_id", label="Offer id")

    class Meta:
        model = Commitment
        fields = ["offer"]


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


# --- Risks ------------------------------------------------------------------------------------
class RiskFilter(django_filters.FilterSet):
    offer = IdFilter(field_name="offer_id", label="Offer id")

    class Meta:
        model = Risk
        fields = ["offer"]


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
            raise PermissionDenied("Only the offer's owner or a PM reviewing it can change its risks.")

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


# --- Feasibility reviews ------------------------------------------------------------------------
class ReviewFilter(django_filters.FilterSet):
    offer = IdFilter(field_name="offer_id", label="Offer id")
    reviewer = IdFilter(field_name="reviewer_id", label="Reviewer (user id)")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = FeasibilityReview
        fields = ["offer", "reviewer", "status"]


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
            raise PermissionDenied(f"Only {review.reviewer}, who was asked, can complete this review.")
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
            raise PermissionDenied(f"Only {review.reviewer}, who reviewed the offer, can confirm the review.")
        serializer = ReviewConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_services.review_confirm(
            review=review, actor=request.user, commitments=serializer.validated_data["commitments"]
        )
        review = self.get_queryset().get(pk=review.pk)
        return Response(FeasibilityReviewSerializer(review).data)
