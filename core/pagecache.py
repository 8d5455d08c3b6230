"""Cached detail pages that are exact by construction: an entry is served only while no table it read has changed.

The project, offer and handoff pages each run a dozen queries and render a large template; read far
more often than they change, they are worth keeping. A kept page must never show what is no longer
true, so validity is not left to a list of things to invalidate that a new service could forget:

- **Every write bumps its table's generation.** A database execute wrapper (installed on every
  connection, ``CoreConfig.ready``) sees each ``INSERT``, ``UPDATE`` and ``DELETE`` Django sends,
  whoever sends it (services, admin, Celery tasks, migrations, raw SQL), and gives the table a new
  random generation in the shared cache: at once (so the writer's own transaction sees its change)
  and again after the commit (so a page rendered from the data before the commit is not kept under
  the new generation). A write it cannot attribute to a table bumps the generation every page
  depends on (``*``).
- **A page records the tables it read.** While the view builds the page, a second wrapper collects
  every table named in a ``FROM`` or ``JOIN`` of its queries. The entry stores those tables with the
  generations they had *before* the first query, and is served only while every one of them is
  unchanged; the signed-in user's table is always among them.
- **What is not in the database is in the key:** the template, the path with its query string, the
  viewer (id, roles, staff and superuser flags) and the minute, so time-derived marks (overdue, SLA,
  ages) are at most a minute old.
- **Per-request parts stay out.** Only the page's own blocks are kept (title, breadcrumbs, body
  class, content); the layout around them (messages, the inbox badge, the navigation) is rendered
  on every request. The CSRF token inside the kept blocks is a placeholder replaced by the
  requester's own token on the way out.
- **Nothing is kept from inside a transaction** (it could roll back). When the shared cache fails,
  the process leaves it alone for ``REDIS_PAUSE_SECONDS`` (``core.breaker``) and renders pages as if it were off; since every key
  carries the minute, a bump lost in an outage leaves no page stale past the end of its minute.

The cache must be shared by every process that serves or writes (``PAGE_CACHE`` is on when
``REDIS_URL`` is set, see settings). ``tests/core/test_pagecache.py`` proves the rules above on
PostgreSQL with a real cache.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.context import make_context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode, ExtendsNode
from django.utils import translation
from django.utils.safestring import mark_safe

from core.breaker import redis as breaker

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
ANY_TABLE = "*"
# The blocks of base.html a kept page may fill; the layout's other parts are rendered per request.
BLOCKS = ("title", "body_class", "breadcrumbs", "content")
WRAPPER_TEMPLATE = "core/cached_page.html"
# Stands in for the CSRF token while a page is rendered for keeping (letters only: nothing escapes it).
CSRF_PLACEHOLDER = "pagecacheCSRFplaceholderXq7Zk"
ENTRY_SECONDS = 120  # entries also carry the minute in their key: two minutes keeps them for their minute
_GENERATION = "pc:gen:"
_ENTRY = "pc:page:"
_VALUE = "pc:value:"

_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Statements that change no table's rows.
_NOT_WRITES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "BEGIN", "COMMIT", "EXPLAIN", "PRAGMA")
_READ_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_]\w*)"?', re.IGNORECASE)


# After a cache error the process leaves Redis alone for a while (the breaker it shares with the
# broker and the default cache, ``core.breaker``), so a hung Redis costs one timeout, not one per
# statement. Bumps skipped meanwhile cannot leave a page stale for long: every key carries the
# minute, so no entry is served past the end of the minute it was built in.


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE", False)) and breaker.allows()


def _failed(doing: str, exc: BaseException) -> None:
    breaker.trip(f"page cache {doing}", exc)


def _cache():
    return caches[CACHE_ALIAS]


# --- Writes: bump the generation of each table written ------------------------------------
def written_table(sql: str) -> str | None:
    """The table a statement writes, ``ANY_TABLE`` when it may write one we cannot name, or None."""
    # Runs for every statement: look at its start only (a long indent just means "may write").
    head = sql[:32].lstrip()[:10].upper()
    if head.startswith(_NOT_WRITES):
        return None
    match = _WRITE.match(sql)
    return match.group(1) if match else ANY_TABLE


def bump(*tables: str) -> None:
    """Give each table a new generation: every kept page that read one of them is stale from now on."""
    if not breaker.allows():  # also after the commit: the breaker may have opened since the write
        return
    try:
        _cache().set_many({_GENERATION + table: secrets.token_hex(8) for table in tables}, timeout=None)
    except Exception as exc:
        _failed("bump " + ", ".join(tables), exc)


def track_writes(execute: Callable, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """Execute wrapper for every connection: after a write, bump its table now and after the commit."""
    result = execute(sql, params, many, context)
    if enabled():
        table = written_table(sql)
        if table is not None:
            bump(table)
            if context["connection"].in_atomic_block:
                transaction.on_commit(lambda: bump(table), using=context["connection"].alias)
    return result


def install(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """``connection_created`` receiver: put ``track_writes`` on the connection, once."""
    if connection is not None and track_writes not in connection.execute_wrappers:
        # First, not last: a temporary wrapper (``recording_reads``) is removed with pop().
        connection.execute_wrappers.insert(0, track_writes)


# --- Reads: which tables a page was built from ------------------------------------------
def read_tables(sql: str) -> set[str]:
    return set(_READ_TABLE.findall(sql))


# The recordings under way in this thread or task, outermost first: a kept value used inside
# another one's computation (a kept count inside a kept API page) adds its tables to all of them.
_recordings: ContextVar[tuple[set[str], ...]] = ContextVar("pagecache_recordings", default=())


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    tables: set[str] = set()

    def record(execute: Callable, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        tables.update(read_tables(sql))
        return execute(sql, params, many, context)

    token = _recordings.set((*_recordings.get(), tables))
    try:
        with connection.execute_wrapper(record):
            yield tables
    finally:
        _recordings.reset(token)


def _generations(tables: list[str]) -> dict[str, str | None]:
    found = _cache().get_many([_GENERATION + table for table in tables])
    return {table: found.get(_GENERATION + table) for table in tables}


@cache
def _tables() -> list[str]:
    """Every model's table (many-to-many ones included) and ``ANY_TABLE``."""
    from django.apps import apps

    return sorted({ANY_TABLE, *(model._meta.db_table for model in apps.get_models(include_auto_created=True))})


def _all_generations() -> dict[str, str]:
    """Every table's generation, giving one to a table that has none yet (``add``: a concurrent bump wins)."""
    current = _generations(_tables())
    missing = [table for table, generation in current.items() if generation is None]
    for table in missing:
        _cache().add(_GENERATION + table, secrets.token_hex(8), timeout=None)
    if missing:
        current.update(_generations(missing))
    return current  # type: ignore[return-value]


# --- Pages ----------------------------------------------------------------------------------
def request_key(request: Any, name: str) -> str:
    """The key of what ``name`` shows ``request``'s user at its path, this minute."""
    user = request.user
    viewer = "|".join(
        [
            str(user.pk),
            ",".join(sorted(getattr(user, "roles", ()))),
            str(int(user.is_staff)),
            str(int(user.is_superuser)),
            str(int(bool(getattr(request, "htmx", False)))),
            # The same page in German and in English are two entries (SPEC §7.6).
            translation.get_language() or "",
        ]
    )
    minute = int(time.time() // 60)
    digest = hashlib.sha256(f"{name}\n{request.get_full_path()}\n{viewer}\n{minute}".encode()).hexdigest()
    return _ENTRY + digest


def _blocks(template_name: str, context: dict[str, Any], request: HttpRequest) -> dict[str, str]:
    """Render the page template's own blocks (those of ``BLOCKS``) on their own."""
    template = get_template(template_name).template
    extends = template.nodelist[0] if template.nodelist else None
    if not isinstance(extends, ExtendsNode):
        raise ImproperlyConfigured(f"{template_name} must extend base.html to be kept by the page cache")
    own = {node.name: node for node in extends.nodelist if isinstance(node, BlockNode)}
    unsupported = set(own) - set(BLOCKS)
    if unsupported:
        raise ImproperlyConfigured(f"{template_name} fills {sorted(unsupported)}: the page cache keeps only {BLOCKS}")
    bound = make_context({**context, "csrf_token": CSRF_PLACEHOLDER}, request)
    with bound.render_context.push_state(template), bound.bind_template(template):
        return {name: node.nodelist.render(bound) for name, node in own.items()}


def _respond(request: HttpRequest, blocks: dict[str, str]) -> HttpResponse:
    token = get_token(request)
    filled = {name: mark_safe(html.replace(CSRF_PLACEHOLDER, token)) for name, html in blocks.items()}  # noqa: S308 - our own rendered, escaped template output
    return render(request, WRAPPER_TEMPLATE, {"page_blocks": filled})


def kept(key: str, compute: Callable[[], Any], *, also_read: tuple[str, ...] = ()) -> Any:
    """``compute()``, kept under ``key`` while no table its queries read has changed.

    The key must hold everything else the value depends on (for a page: the viewer, the path, the
    minute); ``also_read`` names tables it depends on that were read before it ran. Without the
    cache (off, unreachable) this is ``compute()``.
    """
    if not enabled():
        return compute()
    try:
        entry = _cache().get(key)
        if entry is not None and _generations(list(entry["generations"])) == entry["generations"]:
            for tables in _recordings.get():
                tables.update(entry["generations"])
            return entry["value"]
        before = _all_generations()
    except Exception as exc:
        _failed("read", exc)
        return compute()
    connection.ensure_connection()  # connects (and installs track_writes) before the recording starts
    with recording_reads() as tables:
        value = compute()
    tables.update((ANY_TABLE, *also_read))
    # Not from inside a transaction (it may roll back), nor from a table without a generation (a
    # raw query's): such a value is used once and not kept.
    if not connection.in_atomic_block and tables <= before.keys():
        entry = {"generations": {table: before[table] for table in sorted(tables)}, "value": value}
        try:
            _cache().set(key, entry, timeout=ENTRY_SECONDS)
        except Exception as exc:
            _failed("keep", exc)
    return value


def count(queryset: Any) -> int:
    """``queryset.count()``, kept while the tables it reads are unchanged (an exact COUNT over 100 000 rows takes 10 ms)."""
    if not enabled():
        return queryset.count()
    try:
        sql, params = queryset.order_by().query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # none(), pk__in=[]: Django counts no rows without a query
        return queryset.count()
    key = _VALUE + hashlib.sha256(f"count\n{queryset.db}\n{sql}\n{params!r}".encode()).hexdigest()
    return kept(key, queryset.count)


def render_page(request: HttpRequest, template_name: str, build_context: Callable[[], dict[str, Any]]) -> HttpResponse:
    """``render(request, template_name, build_context())``, kept while what it read is unchanged.

    ``build_context`` runs only when the page is built, so its queries (and its ``Http404`` or
    ``PermissionDenied``) happen then; a kept page was built for the same viewer, from the same data.
    """
    if not enabled() or request.method != "GET" or not request.user.is_authenticated:
        return render(request, template_name, build_context())
    blocks = kept(
        request_key(request, template_name),
        lambda: _blocks(template_name, build_context(), request),
        # The signed-in user's row was read by the middleware, before the recording.
        also_read=(request.user._meta.db_table,),
    )
    return _respond(request, blocks)
