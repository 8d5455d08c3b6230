"""The vocabulary of the permission matrix: rows, expected outcomes, and how a cell is run and judged.

A row is one URL (by name) and one method, with the expected outcome for each
persona, written as six tokens in ``PERSONAS`` order::

    row("POST", "clients:create", data=..., expect="login W W 403 403 W")

Tokens:
  ``200`` ``201`` ``204`` ``286`` ``400`` ``401`` ``403`` ``404`` ``405`` ``409``  that exact status
  ``login``        a redirect to the login page with ``?next=`` (pages, anonymous)
  ``admin-login``  a redirect to the admin's login page
  ``anon``         401 or 403 (the API, anonymous)
  ``302``          a redirect that does not ask to log in (an action page sending back, a logout)
  ``W``            the write is accepted (2xx or a redirect that is not to a login) AND the database changed
Every cell of a write (POST/PUT/PATCH/DELETE) that is not ``W`` must leave the
database exactly as it was. A token ``403|404`` accepts either (used sparingly).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.urls import reverse

from tests.quality.matrix.world import PERSONAS, World

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STATUS_TOKENS = {"200", "201", "204", "286", "302", "400", "401", "403", "404", "405", "409"}
OTHER_TOKENS = {"login", "admin-login", "anon", "W"}

Data = dict[str, Any] | Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Row:
    method: str
    name: str
    args: tuple[Any, ...]
    expect: tuple[str, ...]
    data: Data = None
    query: str = ""
    note: str = ""
    # A literal path instead of reversing ``name`` (rows generated from the resolver walk).
    fixed_path: str = ""
    # Send ``data`` as multipart/form-data (file uploads) instead of JSON.
    multipart: bool = False
    # persona -> why this cell is expected to fail (the lead decides)
    xfail: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def path(self, world: World) -> str:
        if self.fixed_path:
            return self.fixed_path
        url = reverse(self.name, args=[_resolve(world, arg) for arg in self.args])
        return f"{url}?{self.query}" if self.query else url

    def payload(self, world: World) -> dict[str, Any] | None:
        return self.data(world) if callable(self.data) else self.data

    def label(self) -> str:
        args = ",".join(str(arg) for arg in self.args)
        extra = f" [{self.note}]" if self.note else ""
        return f"{self.method} {self.name}({args}){extra}"


def _resolve(world: World, arg: Any) -> Any:
    """A world key ("offer_draft") becomes its id, "@rep" the persona's user id; anything else stays."""
    if isinstance(arg, str) and arg.startswith("@"):
        return world.users[arg[1:]].pk
    if isinstance(arg, str) and arg in world.objects:
        return world.id(arg)
    return arg


def row(method: str, name: str, *args: Any, expect: str, data: Data = None, **kwargs: Any) -> Row:
    tokens = tuple(expect.split())
    assert len(tokens) == len(PERSONAS), f"{method} {name}: {len(tokens)} outcomes for {len(PERSONAS)} personas"
    for token in tokens:
        for alternative in token.split("|"):
            assert alternative in STATUS_TOKENS | OTHER_TOKENS, f"{method} {name}: unknown outcome {token!r}"
    return Row(method=method, name=name, args=args, expect=tokens, data=data, **kwargs)


@dataclass(frozen=True)
class Cell:
    row: Row
    persona: str

    @property
    def expected(self) -> str:
        return self.row.expect[PERSONAS.index(self.persona)]

    def __str__(self) -> str:
        return f"{self.row.label()} as {self.persona} -> {self.expected}"


def cells(rows: Iterable[Row]) -> list[Cell]:
    return [Cell(row, persona) for row in rows for persona in PERSONAS]


# --- Judging a response ---------------------------------------------------------------------
def _redirect_path(response) -> str | None:
    if response.status_code not in (301, 302, 303, 307, 308):
        return None
    return urlsplit(response["Location"]).path


def _to_a_login(response) -> bool:
    """Sent to log in (again): the login page asking to come back (``?next=``), or the admin's login."""
    location = urlsplit(response["Location"])
    return location.path == "/admin/login/" or (location.path == "/login/" and location.query.startswith("next="))


def outcome_matches(token: str, response) -> bool:
    status = response.status_code
    location = _redirect_path(response)
    if token == "login":
        return location == "/login/" and urlsplit(response["Location"]).query.startswith("next=")
    if token == "admin-login":
        return location == "/admin/login/"
    if token == "anon":
        return status in (401, 403)
    if token == "W":
        return (200 <= status < 300) or (location is not None and not _to_a_login(response))
    if token == "302":
        return location is not None and not _to_a_login(response)
    return status == int(token)


def matches(expected: str, response) -> bool:
    return any(outcome_matches(token, response) for token in expected.split("|"))


def describe(response) -> str:
    location = _redirect_path(response)
    if location is not None:
        return f"{response.status_code} -> {response['Location']}"
    raw = b"" if response.streaming else response.content
    body = raw[:300].decode(errors="replace").replace("\n", " ")
    return f"{response.status_code} {body}"


# --- The database's state (to prove a refused write changed nothing) ----------------------
# Rows that change on every request whatever the permission: sessions, login bookkeeping, caches.
VOLATILE_MODELS = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
VOLATILE_FIELDS = {"accounts.user": {"last_login"}}
FINGERPRINTED_APPS = {
    "accounts",
    "auth",
    "authtoken",
    "clients",
    "core",
    "documents",
    "exchange",
    "handoff",
    "projects",
    "notifications",
}


def _fingerprinted_models() -> list[tuple[Any, list[str]]]:
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.app_label not in FINGERPRINTED_APPS or label in VOLATILE_MODELS:
            continue
        skip = VOLATILE_FIELDS.get(label, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
        chosen.append((model, columns))
    return chosen


_MODELS: list[tuple[Any, list[str]]] | None = None


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


def table_dump() -> dict[str, list]:
    """Every row (all columns but the volatile ones) of the portal's tables, by table."""
    global _MODELS  # computed once, after the app registry is ready
    if _MODELS is None:
        _MODELS = _fingerprinted_models()
    return {
        model._meta.label_lower: [
            json.dumps(values, default=str) for values in model._base_manager.order_by("pk").values_list(*columns)
        ]
        for model, columns in _MODELS
    }
