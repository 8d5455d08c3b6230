"""django-filter FilterSets of offers, commitments, risks, reviews and handoffs, for the API and the list pages.

The list pages use the API's FilterSet with what only a page has on top
(``OfferListFilter``: a search box, "open" as a status, the sort menu; ``HandoffListFilter``:
"unassigned" as a PM). The API keeps exactly the parameters its schema documents.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.api.filters import IdFilter
from handoff import selectors
from handoff.forms import SORT_CHOICES, OfferFilterForm
from handoff.models import (
    OPEN_OFFER_STATUSES,
    Commitment,
    FeasibilityReview,
    Handoff,
    HandoffStatus,
    Offer,
    OfferStatus,
    ReviewStatus,
    Risk,
)

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


def _sales_reps(request: Any = None) -> QuerySet[User]:
    return User.objects.with_role("sales").order_by("first_name", "last_name")


class OfferListFilter(OfferFilter):
    """The offer list page (``?q= ?status= ?owner= ?client= ?expected_close_after= ?expected_close_before= ?sort=``).

    A filter the page does not understand shows its error; the valid ones still apply.
    """

    q = django_filters.CharFilter(label=_("Search"), max_length=100, method="search")
    status = django_filters.ChoiceFilter(
        choices=[("open", _("Open")), *OfferStatus.choices], empty_label=_("Any status"), method="filter_status"
    )
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=_sales_reps, empty_label=_("Any owner"))
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="order")
    ordering = None  # the page sorts with ``sort`` (its menu's names), the API with ``ordering``

    class Meta:
        model = Offer
        form = OfferFilterForm
        fields = ["q", "status", "owner", "client", "expected_close_after", "expected_close_before", "sort"]

    def search(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        return selectors.search_offers(queryset, value)

    def filter_status(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        return queryset.filter(status__in=OPEN_OFFER_STATUSES if value == "open" else [value])


class HandoffListFilter(HandoffFilter):
    """The handoff list page: the API's filters, and ``?pm=none`` for the handoffs nobody is assigned to."""

    pm = django_filters.CharFilter(method="filter_pm")

    class Meta(HandoffFilter.Meta):
        pass

    def filter_pm(self, queryset: QuerySet[Handoff], name: str, value: str) -> QuerySet[Handoff]:
        if value == "none":
            return queryset.filter(pm__isnull=True)
        if value.isascii() and value.isdigit():
            return queryset.filter(pm_id=int(value))
        return queryset
