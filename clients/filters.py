"""The FilterSets of clients and contacts: one per list, used by the list page and the API alike."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from clients.models import BuyingRole, Client, ClientStatus, Contact
from core.api.filters import IdFilter


def _search(queryset: QuerySet, fields: tuple[str, ...], value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter(condition)


class ClientFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClientStatus.choices)
    account_owner = IdFilter(field_name="account_owner_id")
    search = django_filters.CharFilter(method="filter_search", label="Name or industry contains (any case)")

    class Meta:
        model = Client
        fields = ["status", "account_owner", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, ("name", "industry"), value)


class ContactFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    buying_role = django_filters.ChoiceFilter(choices=BuyingRole.choices)
    reports_to = IdFilter(field_name="reports_to_id")
    search = django_filters.CharFilter(method="filter_search", label="Name, title or e-mail contains (any case)")

    class Meta:
        model = Contact
        fields = ["client", "buying_role", "reports_to", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, ("name", "title", "email"), value)
