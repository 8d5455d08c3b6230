"""Tags for the layout that every page renders (base.html and its includes)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@lru_cache(maxsize=128)
def _reversed(name: str, urlconf: str | None, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process.

    The header and nav link a dozen such URLs on every page; they only change with the URLconf or
    the script prefix (the path the portal is mounted under), which are part of the memo's key.
    """
    return _reversed(name, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=128)
def _static(path: str, prefix: str) -> str:
    return static(path)


@register.simple_tag
def fixed_static(path: str) -> str:
    """``{% static path %}``, looked up once per process: the manifest of hashed names is loaded at
    start-up and does not change while the process runs."""
    return _static(path, get_script_prefix())
