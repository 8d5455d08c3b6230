"""Global search: a handful of matches per kind, case-insensitive, as the user types.

Clients, contacts (by name), offers (by title) and projects (by name), each
read through its app's permission-scoped selector: one or two queries per
kind (see ``_matching``), at most eight in all, whatever the data. On PostgreSQL, ``icontains`` becomes
``UPPER(col::text) LIKE UPPER(%s)``, which the trigram GIN indexes of
``core/migrations/0002_search_indexes.py`` serve, so it stays fast at
100 000 offers; the prefix matches come first, from a byte-order btree index
over the same expression, so no query sorts all the matches.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet, TextField, Value
from django.db.models.functions import Cast, Collate, Upper

from clients.selectors import clients_visible_to, contacts_visible_to
from handoff.selectors import offers_visible_to
from projects.selectors import projects_visible_to

PER_KIND = 6
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
KINDS = ("clients", "contacts", "offers", "projects")


# The byte-order collation of each database: a btree index over UPPER(col) in it serves both the
# prefix filter (LIKE 'ABC%') and the ordering, so the first query reads just ``limit`` index entries.
BYTE_ORDER = {"postgresql": "C", "sqlite": "BINARY"}


def _search_key(field: str) -> Collate:
    """UPPER(field::text) in byte order: the expression of the prefix indexes (core/migrations/0003)."""
    return Collate(Upper(Cast(field, output_field=TextField())), BYTE_ORDER.get(connection.vendor, "C"))


def _matching(queryset: QuerySet, field: str, query: str, limit: int) -> list:
    """Matches that start with ``query`` (alphabetical), then other matches (newest first).

    One query when the prefix matches fill ``limit``, two otherwise.

    Neither sorts all the matches, so the cost does not grow with their number: the first walks the
    prefix index in order; the second either walks the primary key backwards until it has ``limit``
    rows (a common term) or takes the few rows the trigram index finds (a rare one).
    """
    pattern = Upper(Value(query, output_field=TextField()))
    keyed = queryset.alias(search_key=_search_key(field))
    prefixed = list(keyed.filter(search_key__startswith=pattern).order_by("search_key", "pk")[:limit])
    if len(prefixed) == limit:
        return prefixed
    # Every prefix match is in ``prefixed`` now. The newest ``limit`` matches of any kind, minus those,
    # leave enough others; excluding the prefix in SQL instead would hide from the planner how many
    # rows match (it then walks the whole table backwards looking for rows that do not exist).
    seen = {item.pk for item in prefixed}
    newest = queryset.filter(**{f"{field}__icontains": query}).order_by("-pk")[:limit]
    return (prefixed + [item for item in newest if item.pk not in seen])[:limit]


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
