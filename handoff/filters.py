"""django-filter FilterSets of offers, commitments, risks, reviews and handoffs: the list pages and the API use the same ones."""

from __future__ import annotations

import django_filters

from core.api.filters import IdFilter
from handoff import selectors
from handoff.models import Commitment, FeasibilityReview, Handoff, HandoffStatus, Offer, OfferStatus, ReviewStatus, Risk

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


class CommitmentFilter(django_filters.FilterSet):
    offer = IdFilter(field_name="offer_id", label="Offer id")

    class Meta:
        model = Commitment
        fields = ["offer"]


class RiskFilter(django_filters.FilterSet):
    offer = IdFilter(field_name="offer_id", label="Offer id")

    class Meta:
        model = Risk
        fields = ["offer"]


class ReviewFilter(django_filters.FilterSet):
    offer = IdFilter(field_name="offer_id", label="Offer id")
    reviewer = IdFilter(field_name="reviewer_id", label="Reviewer (user id)")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = FeasibilityReview
        fields = ["offer", "reviewer", "status"]


class HandoffFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=HandoffStatus.choices)
    pm = IdFilter(field_name="pm_id")
    offer = IdFilter(field_name="offer_id")
    client = IdFilter(field_name="offer__client_id")

    class Meta:
        model = Handoff
        fields = ["status", "pm", "offer", "client"]
