"""Number formatting for the dashboard (the figures themselves stay exact strings in the data).

Amounts of money go through ``{% load money %}`` like on every other page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext

from dashboards import charts

register = template.Library()

DASH = "—"


@register.filter
def pct(value: Any) -> str:
    return DASH if value is None else f"{formats.number_format(float(value), 1)} %"


@register.filter
def days(value: Any) -> str:
    # "d" for days, "T" (Tage) in German: the unit is the translator's.
    return DASH if value is None else gettext("%(days)s d") % {"days": formats.number_format(float(value), 1)}


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``row|get:"on_track"``: a key that is not a valid template variable name."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None


@register.filter
def month_label(month: str) -> str:
    """``"2026-01"|month_label``: "Jan 2026" in the active language."""
    return charts.month_label(month) if month else DASH


@register.filter
def field_label(form: Any, name: str) -> str:
    """The label of the form's field ``name`` (as the form shows it), for error lists."""
    field = getattr(form, "fields", {}).get(name)
    return str(field.label) if field is not None and field.label else name


@register.simple_tag
def with_params(query: str, **extra: Any) -> str:
    """The filter query string plus ``extra`` parameters, for links that keep the filters."""
    from urllib.parse import urlencode

    added = urlencode({key: value for key, value in extra.items() if value not in (None, "")})
    return "&".join(part for part in (query, added) if part)
