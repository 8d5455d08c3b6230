"""The permission matrix (SPEC §2): every URL and API operation x persona, with the expected outcome.

Each area module here exports ``ROWS``; ``all_rows()`` collects them. Adding an
endpoint means adding its rows to the area's module (or a new module listed in
``AREAS``): tests/quality/test_permission_matrix.py fails until every
endpoint and method of the URL resolver has a row.
"""

from __future__ import annotations

import importlib

from tests.quality.matrix.base import Row

AREAS = (
    "core",
    "clients",
    "offers",
    "handoffs",
    "projects",
    "after_handoff",
    "notifications",
    "dashboards",
    "api_accounts",
    "api_clients",
    "api_offers",
    "api_handoffs",
    "api_projects",
    "api_after_handoff",
    "api_notifications",
    "documents",
    "client_links",
    "exchange",
    "admin",
)


def all_rows() -> list[Row]:
    rows: list[Row] = []
    for area in AREAS:
        rows.extend(importlib.import_module(f"tests.quality.matrix.{area}").ROWS)
    return rows
