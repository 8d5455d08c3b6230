"""django-filter FilterSets of documents, used by the API's list (the pages show one parent's section)."""

from __future__ import annotations

import django_filters

from core.api.filters import IdFilter, TrueFalseFilter
from documents import selectors
from documents.models import Document


class DocumentFilter(django_filters.FilterSet):
    client = IdFilter(method="filter_parent", label="The client's own (brief) documents")
    offer = IdFilter(method="filter_parent", label="Offer id")
    project = IdFilter(method="filter_parent", label="Project id")
    deliverable = IdFilter(method="filter_parent", label="Deliverable id")
    change_request = IdFilter(method="filter_parent", label="Change request id")
    confidential = TrueFalseFilter()
    frozen = TrueFalseFilter(method="filter_frozen", label="Frozen into a handoff snapshot")

    class Meta:
        model = Document
        fields = ["client", "offer", "project", "deliverable", "change_request", "confidential", "frozen"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(selectors.parent_filter(name, value))

    def filter_frozen(self, queryset, name, value):
        return queryset.filter(frozen_at__isnull=not value)
