"""The permission matrix (SPEC §2, issue 7): every URL and API operation x persona.

- Every cell of the table in tests/quality/matrix/ runs against one seeded
  world (seeded once for this module; each cell runs in a savepoint that is
  rolled back, so accepted writes do not leak into the next cell).
- A refused write leaves every table of the portal exactly as it was; an
  accepted one (``W``) changes it.
- No response to a persona who may not read a client's confidential notes
  contains them (checked on every GET cell), and lists never show objects the
  user may not see (handoffs, notifications).
- The URL resolver and the API router are walked: an endpoint or method
  without a row fails, and so does a row for an endpoint that is gone.

The number of cells is written to test-output/permission_matrix.json for the
issue note.
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.test import APIClient

from tests.quality.matrix import all_rows
from tests.quality.matrix.base import WRITE_METHODS, Cell, cells, changed_tables, describe, matches, table_dump
from tests.quality.matrix.world import (
    ANONYMOUS,
    OTHER_SECRET_NOTES,
    PERSONAS,
    SECRET_NOTES,
    World,
    seed_world,
)
from tests.urlwalk import endpoints

# The world is seeded once per module (``session``), outside pytest-django's per-test database
# fixtures; the mark is what tells pytest-django to create the test database at all, so the module
# also runs on its own (each cell then also runs inside the mark's own rolled-back transaction).
pytestmark = pytest.mark.django_db

ROWS = all_rows()
CELLS = cells(ROWS)
SUMMARY = Path(__file__).resolve().parents[2] / "test-output" / "permission_matrix.json"
# Who may read each client's confidential notes (SPEC §2): the account owner, PMs reviewing an
# offer of the client or owning a project of it, managers.
ENTITLED = {SECRET_NOTES: {"rep", "pm", "manager"}, OTHER_SECRET_NOTES: {"other_rep", "manager"}}


def _param(cell: Cell):
    reason = cell.row.xfail.get(cell.persona)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(cell, id=str(cell), marks=marks)


# --- The world, seeded once ----------------------------------------------------------------
class Session:
    """The world and one logged-in client per persona (cookies reset before each cell)."""

    def __init__(self, world: World) -> None:
        self.world = world
        # Every cell starts from this state (its savepoint is rolled back afterwards).
        self.baseline = table_dump()
        self.clients: dict[str, APIClient] = {}
        self.cookies: dict[str, str] = {}
        for persona in PERSONAS:
            client = APIClient()
            if persona != ANONYMOUS:
                client.force_login(world.users[persona])
                self.cookies[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.clients[persona] = client

    def client(self, persona: str) -> APIClient:
        client = self.clients[persona]
        # A cell may have logged out, rotated the session or left messages: start clean.
        client.cookies = SimpleCookie()
        if persona in self.cookies:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.cookies[persona]
        return client

    def request(self, cell: Cell):
        row, client = cell.row, self.client(cell.persona)
        path, data = row.path(self.world), row.payload(self.world)
        if path.startswith("/api/"):
            if row.method == "GET":
                return client.get(path)
            if row.multipart:
                return client.post(path, data or {}, format="multipart")
            body = json.dumps(data) if data is not None else ""
            return client.generic(row.method, path, body, content_type="application/json")
        if row.method == "GET":
            return client.get(path)
        if row.method == "POST":
            return client.post(path, data or {})
        return client.generic(row.method, path)


@pytest.fixture(scope="module")
def session(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield Session(seed_world())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def rolled_back(session):
    """Each cell runs in a savepoint that is rolled back afterwards."""
    savepoint = transaction.savepoint()
    try:
        yield session
    finally:
        transaction.savepoint_rollback(savepoint)


# --- The table --------------------------------------------------------------------------------
def _writes_counted() -> int | None:
    """SQLite counts the rows every statement of the connection changed: no count change, no write."""
    raw = connection.connection
    return getattr(raw, "total_changes", None)


@pytest.mark.parametrize("cell", [_param(cell) for cell in CELLS])
def test_it_answers_every_persona_as_the_matrix_says(rolled_back, cell):
    write = cell.row.method in WRITE_METHODS
    counted = _writes_counted()

    response = rolled_back.request(cell)

    assert matches(cell.expected, response), f"{cell}: got {describe(response)}"
    if write:
        untouched = counted is not None and _writes_counted() == counted
        changed = [] if untouched else changed_tables(rolled_back.baseline, table_dump())
        if cell.expected == "W":
            assert changed, f"{cell}: answered {response.status_code} but changed nothing"
        else:
            assert not changed, f"{cell}: refused ({response.status_code}) yet changed {changed}"
    elif response.status_code == 200 and not response.get("Content-Type", "").startswith("text/calendar"):
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        for secret, entitled in ENTITLED.items():
            if cell.persona not in entitled:
                assert secret not in body, f"{cell}: shows confidential notes the persona may not read"


def test_it_has_a_row_for_every_endpoint_and_method():
    covered = {(row.name, row.method) for row in ROWS}
    missing = [
        f"{method} {endpoint.path} ({endpoint.name})"
        for endpoint in endpoints(unique_paths=False)
        for method in sorted(endpoint.methods)
        if (endpoint.name, method) not in covered
    ]
    assert not missing, "endpoints without a row in tests/quality/matrix/:\n  " + "\n  ".join(missing)


def test_it_has_no_row_for_an_endpoint_that_is_gone():
    served = {(endpoint.name, method) for endpoint in endpoints(unique_paths=False) for method in endpoint.methods}
    stale = sorted({f"{row.method} {row.name}" for row in ROWS if (row.name, row.method) not in served})
    assert not stale, "rows for endpoints or methods that no longer exist:\n  " + "\n  ".join(stale)


def test_it_records_the_size_of_the_matrix():
    summary = {
        "cells": len(CELLS),
        "rows": len(ROWS),
        "endpoints": len({row.name for row in ROWS}),
        "write_cells": sum(1 for cell in CELLS if cell.row.method in WRITE_METHODS),
        "personas": list(PERSONAS),
    }
    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"permission matrix: {summary['cells']} cells over {summary['rows']} rows")
    assert summary["cells"] > 0


# --- Lists never show what the user may not see -----------------------------------------------------
def _api_ids(client, path: str) -> set[int]:
    response = client.get(path, {"page_size": 200})
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return {item["id"] for item in response.json()["results"]}


@pytest.mark.parametrize("persona", [persona for persona in PERSONAS if persona != ANONYMOUS])
def test_it_lists_only_the_handoffs_the_user_may_see(rolled_back, persona):
    from handoff.models import Handoff
    from handoff.selectors import handoffs_visible_to

    world, client = rolled_back.world, rolled_back.client(persona)
    visible = set(handoffs_visible_to(world.users[persona]).values_list("pk", flat=True))
    seeded = {world.id(key) for key in ("handoff_pending", "handoff_returned", "handoff_accepted")}
    expected = seeded if persona in {"rep", "pm", "other_pm", "manager"} else set()
    assert visible & seeded == expected
    assert _api_ids(client, "/api/v1/handoffs/") == visible
    page = client.get("/handoffs/").content.decode()
    for handoff in Handoff.objects.all():
        assert (f"/handoffs/{handoff.pk}/" in page) == (handoff.pk in visible), f"handoff {handoff.pk} as {persona}"


@pytest.mark.parametrize("persona", [persona for persona in PERSONAS if persona != ANONYMOUS])
def test_it_lists_only_the_users_own_notifications(rolled_back, persona):
    from notifications.models import Notification

    world, client = rolled_back.world, rolled_back.client(persona)
    own = set(
        Notification.objects.filter(recipient=world.users[persona], channel="in_app").values_list("pk", flat=True)
    )
    assert own
    assert _api_ids(client, "/api/v1/notifications/") == own
    page = client.get("/notifications/").content.decode()
    for notification in Notification.objects.filter(channel="in_app"):
        linked = f"/notifications/{notification.pk}/" in page
        assert linked == (notification.pk in own), f"notification {notification.pk} as {persona}"


@pytest.mark.parametrize("persona", [persona for persona in PERSONAS if persona != ANONYMOUS])
@pytest.mark.parametrize(("client_key", "secret"), [("client", SECRET_NOTES), ("other_client", OTHER_SECRET_NOTES)])
def test_it_shows_the_confidential_notes_only_to_those_entitled(rolled_back, persona, client_key, secret):
    world, client = rolled_back.world, rolled_back.client(persona)
    pk = world.id(client_key)
    entitled = persona in ENTITLED[secret]

    page = client.get(f"/clients/{pk}/").content.decode()
    brief = client.get(f"/api/v1/clients/{pk}/brief/").json()
    form = client.get(f"/clients/{pk}/brief/edit/")

    assert (secret in page) == entitled
    assert brief.get("confidential_notes") == (secret if entitled else None)
    if form.status_code == 200:  # the writers' edit form: the field only for those entitled
        assert (secret in form.content.decode()) == entitled
        assert ('name="confidential_notes"' in form.content.decode()) == entitled
