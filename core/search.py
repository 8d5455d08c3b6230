"""Global search: a handful of matches per kind, case-insensitive, as the user types.

Clients, contacts (by name), offers (by title) and projects (by name), each
read through its app's permission-scoped selector: one query per kind, four in
all, whatever the data. On PostgreSQL, ``icontains`` becomes
``UPPER(col::text) LIKE UPPER(%s)``, which the trigram GIN indexes of
``core/migrations/0002_search_indexes.py`` serve, so it stays fast at
100 000 offers. Matches that start with the query come first.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from clients.selectors import clients_visible_to, contacts_visible_to
from handoff.selectors import offers_visible_to
from projects.selectors import projects_visible_to

PER_KIND = 6
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
KINDS = ("clients", "contacts", "offers", "projects")


def _matching(queryset: QuerySet, field: str, query: str, limit: int) -> list:
    prefix_first = Case(
        When(**{f"{field}__istartswith": query}, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        queryset.filter(**{f"{field}__icontains": query})
        .annotate(prefix=prefix_first)
        .order_by("prefix", field, "pk")[:limit]
    )


def clean_query(query: str | None) -> str:
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def global_search(*, user: Any, query: str, limit: int = PER_KIND) -> dict[str, list]:
    """Up to ``limit`` matches per kind; nothing at all for a query shorter than two characters."""
    query = clean_query(query)
    if len(query) < MIN_QUERY_LENGTH:
        return {kind: [] for kind in KINDS}
    return {
        "clients": _matching(clients_visible_to(user).only("id", "name", "status", "industry"), "name", query, limit),
        "contacts": _matching(
            contacts_visible_to(user)
            .select_related("client")
            .only("id", "name", "title", "buying_role", "client_id", "client__name"),
            "name",
            query,
            limit,
        ),
        "offers": _matching(
            offers_visible_to(user).select_related("client").only("id", "title", "status", "client_id", "client__name"),
            "title",
            query,
            limit,
        ),
        "projects": _matching(
            projects_visible_to(user)
            .select_related("client")
            .only("id", "name", "status", "client_id", "client__name"),
            "name",
            query,
            limit,
        ),
    }


def has_results(results: dict[str, list] | None) -> bool:
    return bool(results) and any(results.values())
