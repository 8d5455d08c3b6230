"""Number formatting for the dashboard (the figures themselves stay exact strings in the data).

Amounts of money go through ``{% load money %}`` like on every other page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

DASH = "—"


@register.filter
def pct(value: Any) -> str:
    return DASH if value is None else f"{float(value):.1f} %"


@register.filter
def days(value: Any) -> str:
    return DASH if value is None else f"{float(value):.1f} d"


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``row|get:"on_track"``: a key that is not a valid template variable name."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None


@register.simple_tag
def with_params(query: str, **extra: Any) -> str:
    """The filter query string plus ``extra`` parameters, for links that keep the filters."""
    from urllib.parse import urlencode

    added = urlencode({key: value for key, value in extra.items() if value not in (None, "")})
    return "&".join(part for part in (query, added) if part)
