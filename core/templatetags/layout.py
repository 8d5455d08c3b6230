"""Tags for the layout that every page renders (base.html and its includes)."""

from __future__ import annotations

from django import template

from core.fixed_urls import fixed_reverse, fixed_static_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process (``core.fixed_urls``)."""
    return fixed_reverse(name)


@register.simple_tag
def fixed_static(path: str) -> str:
    """``{% static path %}``, looked up once per process (``core.fixed_urls``)."""
    return fixed_static_url(path)
