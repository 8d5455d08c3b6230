"""URLs and static paths that cannot change while the process runs, looked up once.

A URL without arguments only changes with the URLconf or the script prefix (the path the portal
is mounted under), and a static file's hashed name with a new manifest, which means a restart; the
memos are keyed on the first two. The layout uses them for the links every page shows
(``{% fixed_url %}``, ``{% fixed_static %}``), the login middleware for the admin's prefix.
"""

from __future__ import annotations

from functools import lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=128)
def _reversed(name: str, urlconf: str | None, script_prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


def fixed_reverse(name: str) -> str:
    """``reverse(name)`` for a URL without arguments (raises ``NoReverseMatch`` like it, uncached)."""
    return _reversed(name, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=128)
def _static(path: str, script_prefix: str) -> str:
    return static(path)


def fixed_static_url(path: str) -> str:
    """``static(path)``: the manifest of hashed names is loaded at start-up and fixed from then on."""
    return _static(path, get_script_prefix())
