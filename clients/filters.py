"""The FilterSets of clients and contacts: one per list, used by the list page and the API alike.

The client list page names two of the same filters differently (``?q=`` and ``?owner=``, in bookmarks
since the first release); ``ClientListFilter`` is ``ClientFilter`` under those names, nothing more.
An invalid value is an error on the page as in the API (400), never silently "no filter".
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clients.models import BuyingRole, Client, ClientStatus, Contact
from core.api.filters import IdFilter

# The page's search box: longer input is cut, not refused (a pasted paragraph still searches).
SEARCH_MAX_LENGTH = 100


def _search(queryset: QuerySet, fields: tuple[str, ...], value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter(condition)


class ClientFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClientStatus.choices, label=_("Status"))
    account_owner = IdFilter(field_name="account_owner_id", label=_("Account owner"))
    search = django_filters.CharFilter(method="filter_search", label=_("Name or industry contains (any case)"))

    class Meta:
        model = Client
        fields = ["status", "account_owner", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, ("name", "industry"), value)


class ClientListFilter(ClientFilter):
    """The client list page: ``ClientFilter`` with the page's parameter names ``q`` and ``owner``."""

    q = django_filters.CharFilter(method="filter_page_search", label=_("Search"))
    owner = IdFilter(field_name="account_owner_id", label=_("Account owner"))

    class Meta(ClientFilter.Meta):
        fields = ["q", "status", "owner"]

    @classmethod
    def get_filters(cls) -> dict:
        filters = super().get_filters()
        # The same filters as the API's ``search`` and ``account_owner``, under the page's names only.
        for api_name in ("search", "account_owner"):
            filters.pop(api_name, None)
        return filters

    def filter_page_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self.filter_search(queryset, name, value[:SEARCH_MAX_LENGTH])


class ContactFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id", label=_("Client"))
    buying_role = django_filters.ChoiceFilter(choices=BuyingRole.choices, label=_("Buying role"))
    reports_to = IdFilter(field_name="reports_to_id", label=_("Reports to"))
    search = django_filters.CharFilter(method="filter_search", label=_("Name, title or e-mail contains (any case)"))

    class Meta:
        model = Contact
        fields = ["client", "buying_role", "reports_to", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, ("name", "title", "email"), value)
