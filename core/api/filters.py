"""Filters shared by the API's filtersets."""

from __future__ import annotations

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

# Ids are 64-bit: anything beyond cannot be compared with an id column (the database raises).
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """``?owner=12``: an id. ``?owner=1.5``, ``abc``, ``0`` or a number beyond 64 bits is a 400.

    django-filter's ``NumberFilter`` parses any decimal, which the database
    cannot compare with an id column once it is out of range (a 500).
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "boolean"})
class TrueFalseFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``; anything else is a 400 (a plain BooleanFilter reads ``null`` as "not filtered")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


BLANK_PARAMETER = _("Empty: give a value, or leave the parameter out for no filter.")


def refuse_blank_parameters(query_params: QueryDict) -> None:
    """``?start=`` is a 400, not "no filter": the schema documents no empty value, so a client meant something.

    Every documented query parameter is an id, a date, a choice, a number or a non-empty text
    (``core.api.schema`` adds ``minLength: 1`` to free-text ones), so an empty one is always an error.
    """
    blank = sorted({name for name, values in query_params.lists() if "" in values})
    if blank:
        raise ValidationError({name: [BLANK_PARAMETER] for name in blank})


class RefuseBlankFilters(BaseFilterBackend):
    """First of DEFAULT_FILTER_BACKENDS; a view with its own ``filter_backends`` lists it first too."""

    def filter_queryset(self, request, queryset, view):
        refuse_blank_parameters(request.query_params)
        return queryset
