"""The page cache (core/pagecache.py): a kept page is served only while nothing it read has changed.

The oracle: after each kind of write (through a service, a bulk ``update()``, raw SQL, another
process), the page served is byte for byte the page built from scratch, CSRF tokens aside.
Transactional tests: pages rendered inside a transaction are (rightly) never kept.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.services import client_update
from core import breaker, pagecache
from handoff.models import Offer
from handoff.services.handoffs import handoff_reassign
from handoff.services.offers import commitment_add
from handoff.services.risks import risk_add
from projects.models import Deliverable, Project
from projects.services.changes import change_request_raise
from projects.services.deliverables import deliverable_add
from projects.services.projects import project_update
from tests.factories import ClientFactory, OfferFactory
from tests.projects.factories import accepted_project, won_handoff

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
# The session and the signed-in user (with roles and the unread count): all a kept page costs.
KEPT_PAGE_QUERIES = 2


@pytest.fixture(autouse=True)
def page_cache(monkeypatch):
    breaker.redis.reset()
    with override_settings(PAGE_CACHE=True):
        caches[pagecache.CACHE_ALIAS].clear()
        yield caches[pagecache.CACHE_ALIAS]
        caches[pagecache.CACHE_ALIAS].clear()


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return TOKEN.sub(r"\1T", response.content.decode())


def get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        body = text(client.get(url))
    return body, len(queries)


def built(client, url: str) -> str:
    with override_settings(PAGE_CACHE=False):
        return text(client.get(url))


def assert_kept_then_fresh(client, url: str, change, shows: str) -> None:
    """The page is kept (second request: no page query), then the change shows at once, as a fresh build would."""
    first, _ = get(client, url)
    again, queries = get(client, url)
    assert again == first
    assert queries == KEPT_PAGE_QUERIES
    assert shows not in first

    change()

    after, queries = get(client, url)
    assert queries > KEPT_PAGE_QUERIES, "the change must invalidate the kept page"
    assert shows in after
    assert after == built(client, url)


def pages(project) -> dict[str, str]:
    return {
        "project": reverse("projects:detail", args=[project.pk]),
        "offer": reverse("handoff:offer_detail", args=[project.offer_id]),
        "handoff": reverse("handoff:handoff_detail", args=[project.handoff_id]),
    }


# --- What each kind of write does to a kept page ------------------------------------------
def test_a_service_change_shows_on_the_project_page_at_once(client_as, pm, project):
    client = client_as(pm)
    url = pages(project)["project"]

    assert_kept_then_fresh(
        client,
        url,
        lambda: deliverable_add(project=project, actor=pm, name="Data migration plan"),
        "Data migration plan",
    )
    assert_kept_then_fresh(
        client,
        url,
        lambda: change_request_raise(
            project=project,
            actor=pm,
            data={"title": "Fleet interface", "cost_impact": "8500.00", "schedule_impact_days": 3},
        ),
        "Fleet interface",
    )
    fresh = Project.objects.get(pk=project.pk)
    assert_kept_then_fresh(
        client,
        url,
        lambda: project_update(project=fresh, actor=pm, data={"status": "active"}, version=fresh.version),
        'badge--active">Active',
    )


def test_a_change_to_a_related_row_shows_too(client_as, rep, pm, manager, project):
    """The client's name and the PM's name live in other tables than the project's."""
    client = client_as(manager)
    urls = pages(project)

    assert_kept_then_fresh(
        client,
        urls["project"],
        lambda: client_update(actor=rep, client=project.client, name="Renamed Client AG"),
        "Renamed Client AG",
    )

    def rename_pm():
        pm.first_name = "Pauline"
        pm.save(update_fields=["first_name"])

    assert_kept_then_fresh(client, urls["project"], rename_pm, "Pauline Manager")


def test_writes_outside_the_services_invalidate_too(client_as, manager, project):
    """A bulk update() and raw SQL send no signals; the write itself is what bumps the table."""
    client = client_as(manager)
    url = pages(project)["project"]

    assert_kept_then_fresh(
        client,
        url,
        lambda: Project.objects.filter(pk=project.pk).update(name="Renamed by update()"),
        "Renamed by update()",
    )

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE projects_project SET name = %s WHERE id = %s", ["Renamed by raw SQL", project.pk])

    assert_kept_then_fresh(client, url, raw_sql, "Renamed by raw SQL")

    deliverable_add(project=project, actor=project.pm, name="Goes away")
    with_it, _ = get(client, url)
    assert get(client, url) == (with_it, KEPT_PAGE_QUERIES)
    Deliverable.objects.filter(project=project).delete()
    without, queries = get(client, url)
    assert queries > KEPT_PAGE_QUERIES
    assert without != with_it
    assert without == built(client, url)


def test_offer_and_handoff_pages(client_as, rep, pm, other_pm, manager, project):
    urls = pages(project)
    offer = Offer.objects.get(pk=project.offer_id)
    # The offer is won: its commitments and risks are closed, but the sold record is what the page shows.
    assert_kept_then_fresh(
        client_as(manager),
        urls["offer"],
        lambda: Offer.objects.filter(pk=offer.pk).update(title="Renamed offer"),
        "Renamed offer",
    )
    handoff = won_handoff(owner=rep, pm=pm, title="Second deal")
    url = reverse("handoff:handoff_detail", args=[handoff.pk])
    assert_kept_then_fresh(
        client_as(manager), url, lambda: handoff_reassign(handoff=handoff, actor=manager, pm=other_pm), "Peter Planner"
    )


def test_an_open_offer_page_follows_its_commitments_and_risks(client_as, rep):
    offer = OfferFactory(owner=rep, client=ClientFactory(account_owner=rep))
    client = client_as(rep)
    url = reverse("handoff:offer_detail", args=[offer.pk])

    assert_kept_then_fresh(
        client, url, lambda: commitment_add(offer=offer, actor=rep, text="Weekly status call"), "Weekly status call"
    )
    assert_kept_then_fresh(
        client,
        url,
        lambda: risk_add(offer=offer, actor=rep, title="Key user leaves", category="resource", probability=3, impact=4),
        "Key user leaves",
    )


def test_the_offer_list_search_and_api_follow_new_offers(client_as, api_as, rep, manager):
    client_ = ClientFactory(account_owner=rep, name="Zebra Logistics")
    client = client_as(manager)

    assert_kept_then_fresh(
        client,
        reverse("handoff:offer_list"),
        lambda: OfferFactory(owner=rep, client=client_, title="Yak fleet"),
        "Yak fleet",
    )
    assert_kept_then_fresh(
        client,
        reverse("search") + "?q=Quokka",
        lambda: ClientFactory(account_owner=rep, name="Quokka Group"),
        "Quokka Group",
    )

    api = api_as(manager)
    url = reverse("offer-list")
    first = api.get(url).json()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).json() == first
    assert len(queries) == KEPT_PAGE_QUERIES
    OfferFactory(owner=rep, client=client_, title="Zebu fleet")
    after = api.get(url).json()
    assert after["count"] == first["count"] + 1
    assert after["results"][0]["title"] == "Zebu fleet"


def test_a_kept_value_used_inside_another_passes_on_what_it_read(rep):
    """The API's kept page holds a kept count: when the count comes from the cache, no query shows
    that the page depends on the offers, so the count hands its tables to the page's recording."""
    account = ClientFactory(account_owner=rep)
    OfferFactory(owner=rep, client=account)
    offers = Offer.objects.all()
    assert pagecache.count(offers) == 1  # kept first, on its own

    def page():
        return {"count": pagecache.count(offers)}

    assert pagecache.kept("test:outer", page) == {"count": 1}
    with CaptureQueriesContext(connection) as queries:
        assert pagecache.kept("test:outer", page) == {"count": 1}
    assert len(queries) == 0

    OfferFactory(owner=rep, client=account)  # writes the offers' table only

    assert pagecache.kept("test:outer", page) == {"count": 2}


def api_lists() -> list[str]:
    """Every API list endpoint (the routers' ``*-list`` routes without arguments)."""
    from django.urls import NoReverseMatch, get_resolver

    urls = []
    for name in sorted(key for key in get_resolver().reverse_dict if isinstance(key, str) and key.endswith("-list")):
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return urls


def test_every_api_list_answers_as_without_the_cache(api_as, rep, pm, manager, outsider, project):
    """The kept count serves every paginated list, empty scopes included (an outsider's ``pk__in=[]``)."""
    urls = api_lists()
    assert len(urls) >= 10
    for user in (outsider, rep, pm, manager):
        api = api_as(user)
        for url in urls:
            with override_settings(PAGE_CACHE=False):
                expected = api.get(url)
            for _ in range(2):  # built, then kept
                response = api.get(url)
                assert (url, response.status_code) == (url, expected.status_code)
                assert response.json() == expected.json(), (user.username, url)


# --- Who sees what -----------------------------------------------------------------------
def test_each_viewer_gets_their_own_page(client, rep, manager, project):
    url = pages(project)["project"]
    client.force_login(manager)
    as_manager, _ = get(client, url)
    assert 'data-testid="reassign"' in as_manager

    client.force_login(rep)
    as_rep, queries = get(client, url)
    assert queries > KEPT_PAGE_QUERIES  # not the manager's page
    assert 'data-testid="reassign"' not in as_rep
    assert as_rep == built(client, url)


def test_a_role_taken_away_changes_the_page(client_as, manager, project):
    client = client_as(manager)
    url = pages(project)["project"]
    assert 'data-testid="reassign"' in get(client, url)[0]

    manager.groups.clear()

    page, queries = get(client, url)
    assert queries > KEPT_PAGE_QUERIES
    assert 'data-testid="reassign"' not in page


def test_a_kept_page_carries_the_requesters_own_csrf_token(client, pm, project):
    """The token in a kept page's forms is the one of the session asking, so its forms post."""
    from django.test import Client

    url = pages(project)["project"]
    other_session = Client()
    other_session.force_login(pm)
    other_session.get(url)  # kept, with a token of another session in its forms
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(pm)
    browser.get(url)
    page = browser.get(url).content.decode()  # kept
    token = re.search(r'action="/projects/\d+/state/".*?csrfmiddlewaretoken" value="([^"]+)"', page, re.DOTALL).group(1)
    assert token != pagecache.CSRF_PLACEHOLDER
    assert pagecache.CSRF_PLACEHOLDER not in page

    response = browser.post(
        reverse("projects:state", args=[project.pk]),
        {
            "status": "active",
            "health": "on_track",
            "actual_effort_days": "0",
            "version": project.version,
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).status == "active"


def test_a_missing_page_is_never_kept(client_as, manager, page_cache):
    client = client_as(manager)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("projects:detail", args=[999999])).status_code == 404
        assert len(queries) > KEPT_PAGE_QUERIES  # looked up each time, never answered from the cache

    assert not [key for key in page_cache._cache if ":pc:page:" in key]


# --- Time, transactions and outages ----------------------------------------------------------
def test_time_derived_marks_are_at_most_a_minute_old(client_as, manager, project, monkeypatch):
    client = client_as(manager)
    url = pages(project)["project"]
    get(client, url)
    assert get(client, url)[1] == KEPT_PAGE_QUERIES

    now = pagecache.time.time()
    monkeypatch.setattr(pagecache.time, "time", lambda: now + 60)

    assert get(client, url)[1] > KEPT_PAGE_QUERIES


def test_nothing_is_kept_from_inside_a_transaction(client_as, manager, project):
    """Its writes may roll back: a page built from them must not outlive it."""
    client = client_as(manager)
    url = pages(project)["project"]
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(name="Never committed")
        assert "Never committed" in get(client, url)[0]
        assert get(client, url)[1] > KEPT_PAGE_QUERIES
        transaction.set_rollback(True)

    page, _ = get(client, url)
    assert "Never committed" not in page
    assert page == built(client, url)


def test_an_unreachable_cache_serves_the_page_built_and_lets_writes_through(client_as, pm, project):
    url = pages(project)["project"]
    client = client_as(pm)
    expected = built(client, url)
    down = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    with override_settings(CACHES=down):
        assert get(client, url)[0] == expected
        assert not pagecache.enabled()  # left alone for a while: one timeout, not one per statement
        deliverable_add(project=project, actor=pm, name="Written while the cache is down")
        assert "Written while the cache is down" in get(client, url)[0]


def test_the_query_count_of_a_kept_page_does_not_grow_with_its_rows(client_as, pm, project):
    client = client_as(pm)
    url = pages(project)["project"]
    for number in range(20):
        deliverable_add(project=project, actor=pm, name=f"Deliverable {number}")
    get(client, url)
    assert get(client, url)[1] == KEPT_PAGE_QUERIES


# --- Another process writes (PostgreSQL and Redis: what production runs) ------------------------
@pytest.mark.postgres
@pytest.mark.redis
def test_a_write_from_another_process_invalidates_the_kept_page(client_as, manager, project):
    shared = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # A database of its own: clear() empties it, and REDIS_URL's is the Celery broker's.
            "LOCATION": urlsplit(os.environ["REDIS_URL"])._replace(path="/15").geturl(),
            "KEY_PREFIX": "pctest",
        },
    }
    with override_settings(CACHES=shared):
        caches[pagecache.CACHE_ALIAS].clear()
        client = client_as(manager)
        url = pages(project)["project"]
        get(client, url)
        assert get(client, url)[1] == KEPT_PAGE_QUERIES

        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        }
        script = "\n".join(
            [
                "import django",
                "django.setup()",
                "from django.test import override_settings",
                "from projects.models import Project",
                f"with override_settings(PAGE_CACHE=True, CACHES={shared!r}):",
                f"    Project.objects.filter(pk={project.pk}).update(name='Renamed in another process')",
            ]
        )
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120)

        page, queries = get(client, url)
        assert queries > KEPT_PAGE_QUERIES
        assert "Renamed in another process" in page
        caches[pagecache.CACHE_ALIAS].clear()


# --- The statement parsers ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "projects_deliverable" ("name") VALUES (%s) RETURNING "id"', "projects_deliverable"),
        ('INSERT OR IGNORE INTO "accounts_user_groups" ("user_id") VALUES (%s)', "accounts_user_groups"),
        ('UPDATE "projects_project" SET "name" = %s WHERE "id" = %s', "projects_project"),
        ('DELETE FROM "core_activity" WHERE "id" IN (%s)', "core_activity"),
        ("update projects_project set name = 'x'", "projects_project"),
        ('SELECT "id" FROM "projects_project"', None),
        ('SAVEPOINT "s1_x1"', None),
        ('RELEASE SAVEPOINT "s1_x1"', None),
        ("  select 1", None),
        ("TRUNCATE projects_project", pagecache.ANY_TABLE),
        ("WITH moved AS (DELETE FROM x RETURNING *) SELECT 1", pagecache.ANY_TABLE),
    ],
)
def test_written_table(sql, table):
    assert pagecache.written_table(sql) == table


def test_read_tables():
    sql = (
        'SELECT "a"."id" FROM "projects_project" INNER JOIN "clients_client" ON (1=1) '
        'LEFT OUTER JOIN "accounts_user" T5 ON (1=1) WHERE "a"."id" IN (SELECT U0."id" FROM "core_activity" U0)'
    )
    assert pagecache.read_tables(sql) == {"projects_project", "clients_client", "accounts_user", "core_activity"}
