"""Filters shared by the API's filtersets."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

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
