"""What the apps above clients contribute to its reads, registered from their ``AppConfig.ready``.

clients sits below handoff and projects (README, "Architecture": imports run downwards), yet two of
its reads need their rows: the client list's counts (open offers, projects) and who may read a
brief's confidential notes (reviewers of the client's offers, PMs of its projects). Each app
registers its part here, as notifications registers the unread count in ``accounts.user_annotations``;
``clients.selectors`` builds its queries from what is registered, so the query counts stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

_counts: dict[str, Callable[[], QuerySet]] = {}
_confidential_readers: dict[str, Callable[[Any, Any], QuerySet]] = {}


def register_client_count(name: str, rows: Callable[[], QuerySet]) -> None:
    """Annotate every client of ``clients.selectors.with_counts`` with ``<name>``: how many of ``rows()``
    (a queryset of a model with a ``client`` foreign key) belong to it."""
    _counts[name] = rows


def client_counts() -> dict[str, Callable[[], QuerySet]]:
    return dict(_counts)


def register_confidential_reader(name: str, rows: Callable[[Any, Any], QuerySet]) -> None:
    """A user reads a client's confidential notes when ``rows(user, client_id)`` has a row (SPEC §2).

    ``client_id`` is a client's id or ``OuterRef("pk")`` over clients; the account owner and managers
    read them anyway (``clients.selectors.brief_confidential_visible_to``).
    """
    _confidential_readers[name] = rows


def confidential_readers() -> list[Callable[[Any, Any], QuerySet]]:
    return list(_confidential_readers.values())
