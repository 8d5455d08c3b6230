"""Values loaded with the signed-in user in the user's own query, contributed by the apps above accounts.

The layout of every page needs a few per-user values owned by other apps (the inbox badge's unread
count, from notifications). Loading them in the user's query saves a query per value on every
page, but accounts may not import those apps (README, "Architecture": imports run downwards). So
an app registers its annotation here from its ``AppConfig.ready`` and ``accounts.backends`` adds
every registered one to the query that loads the request's user.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Expression

_registered: dict[str, Callable[[], Expression]] = {}


def register_user_annotation(name: str, expression: Callable[[], Expression]) -> None:
    """Load ``expression()`` (over the user row: ``OuterRef("pk")``) as ``user.<name>`` with the request's user.

    Call it from ``AppConfig.ready``: the backend compiles its query once per process, on first use.
    """
    _registered[name] = expression


def user_annotations() -> dict[str, Expression]:
    return {name: expression() for name, expression in _registered.items()}
