"""The global search (header box and page): clients, contacts, offers and projects, case-insensitive, fast."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.urls import reverse

from clients.selectors import clients_visible_to, contacts_visible_to
from handoff.models import Offer
from handoff.selectors import offers_visible_to
from portal.search import global_search
from projects.selectors import projects_visible_to
from tests.factories import ClientFactory, ContactFactory, OfferFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# Below ~40 000 rows PostgreSQL rightly prefers a sequential scan (a few ms); from here on the index pays.
OFFERS_FOR_THE_PLANNER = 60000


@pytest.fixture
def world(rep, pm):
    """One of each kind whose name contains "Nordwind" in some case, and one of each that does not."""
    project = accepted_project(owner=rep, pm=pm, title="NORDWIND warehouse roll-out")
    client = ClientFactory(name="Nordwind Logistics")
    contact = ContactFactory(client=client, name="Henrike nordWIND")
    offer = OfferFactory(client=client, title="nordwind support contract")
    ClientFactory(name="Helix Pharma")
    ContactFactory(name="Jonas Petersen")
    OfferFactory(title="ERP for Helix")
    return {"client": client, "contact": contact, "offer": offer, "project": project}


def test_it_finds_all_four_kinds_whatever_the_case(rep, world):
    results = global_search(user=rep, query="nOrDwInD")

    assert results["clients"] == [world["client"]]
    assert results["contacts"] == [world["contact"]]
    assert {offer.title for offer in results["offers"]} == {"nordwind support contract", world["project"].offer.title}
    assert results["projects"] == [world["project"]]


def test_it_puts_matches_that_start_with_the_query_first(rep):
    ClientFactory(name="Alpha Nordwind")
    ClientFactory(name="Nordwind Beta")

    names = [client.name for client in global_search(user=rep, query="nordwind")["clients"]]

    assert names == ["Nordwind Beta", "Alpha Nordwind"]


def test_it_treats_like_wildcards_as_plain_characters(rep):
    ClientFactory(name="100% Solar")
    ClientFactory(name="1000 Solar")

    names = [client.name for client in global_search(user=rep, query="100%")["clients"]]

    assert names == ["100% Solar"]


def test_it_finds_nothing_for_one_character_without_asking_the_database(rep, world, django_assert_num_queries):
    with django_assert_num_queries(0):
        results = global_search(user=rep, query=" n ")

    assert results == {"clients": [], "contacts": [], "offers": [], "projects": []}


def test_it_finds_nothing_for_anonymous_users(world):
    from django.contrib.auth.models import AnonymousUser

    results = global_search(user=AnonymousUser(), query="nordwind")

    assert not any(results.values())


def test_it_runs_at_most_two_queries_per_kind_whatever_the_rows(rep, world, django_assert_num_queries):
    # Fewer than six prefix matches of each kind: the prefix query, then the newest other matches.
    with django_assert_num_queries(8):
        global_search(user=rep, query="nordwind")
    for index in range(20):
        client = ClientFactory(name=f"Nordwind branch {index}")
        ContactFactory(client=client, name=f"Nordwind person {index}")
        OfferFactory(client=client, title=f"Nordwind offer {index}")
    # Six prefix matches of clients, contacts and offers: one query each; projects still need two.
    with django_assert_num_queries(5):
        results = global_search(user=rep, query="nordwind")

    assert len(results["clients"]) == 6
    assert [client.name for client in results["clients"]] == [
        f"Nordwind branch {index}" for index in (0, 1, 10, 11, 12, 13)
    ]


def test_the_header_box_gets_a_dropdown_fragment(client_as, rep, world):
    response = client_as(rep).get(reverse("search"), {"q": "NORDWIND", "partial": "1"}, **HTMX)

    body = response.content.decode()
    assert "<html" not in body
    assert reverse("clients:detail", args=[world["client"].pk]) in body
    assert f"{reverse('clients:detail', args=[world['client'].pk])}#contact-{world['contact'].pk}" in body
    assert reverse("handoff:offer_detail", args=[world["offer"].pk]) in body
    assert reverse("projects:detail", args=[world["project"].pk]) in body


def test_the_dropdown_is_empty_for_one_character(client_as, rep, world):
    response = client_as(rep).get(reverse("search"), {"q": "n", "partial": "1"}, **HTMX)

    assert response.status_code == 200
    assert response.content == b""


def test_the_dropdown_says_when_nothing_matches(client_as, rep, world):
    body = client_as(rep).get(reverse("search"), {"q": "zzqx", "partial": "1"}, **HTMX).content.decode()

    assert "Nothing matches" in body


def test_the_search_page_shows_the_results(client_as, rep, world):
    response = client_as(rep).get(reverse("search"), {"q": "nordwind"})

    body = response.content.decode()
    assert "<title>Search: nordwind" in body
    assert "Nordwind Logistics" in body
    assert "Henrike nordWIND" in body


def test_the_search_page_asks_for_two_characters(client_as, rep):
    body = client_as(rep).get(reverse("search"), {"q": "n"}).content.decode()

    assert "Type at least 2 characters" in body


def test_the_search_page_runs_the_same_number_of_queries_whatever_the_rows(
    client_as, rep, world, django_assert_num_queries
):
    browser = client_as(rep)
    browser.get(reverse("search"), {"q": "nordwind"})

    # The layout's two, then two per kind while no kind has six prefix matches.
    with django_assert_num_queries(10):
        browser.get(reverse("search"), {"q": "nordwind"})
    for index in range(30):
        OfferFactory(client=world["client"], title=f"Nordwind offer {index}")
    # More prefix matches than the page shows (25): the offers need only their prefix query now.
    with django_assert_num_queries(9):
        browser.get(reverse("search"), {"q": "nordwind"})
    for index in range(200):
        OfferFactory(client=world["client"], title=f"Nordwind offer {index + 30}")
    with django_assert_num_queries(9):
        browser.get(reverse("search"), {"q": "nordwind"})


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(reverse("search"), {"q": "nordwind"})

    assert response.status_code == 302


# --- PostgreSQL: the trigram indexes serve the searches ------------------------------------------
SEARCHES = [
    ("search_client_name_trgm", lambda user: clients_visible_to(user).filter(name__icontains="nordwind")),
    ("search_contact_name_trgm", lambda user: contacts_visible_to(user).filter(name__icontains="henrike")),
    ("search_offer_title_trgm", lambda user: offers_visible_to(user).filter(title__icontains="rollout 123")),
    ("search_project_name_trgm", lambda user: projects_visible_to(user).filter(name__icontains="warehouse")),
]


def _prefix_search(selector, field: str, query: str):
    from django.db.models import TextField, Value
    from django.db.models.functions import Upper

    from portal.search import _search_key

    pattern = Upper(Value(query, output_field=TextField()))
    return lambda user: (
        selector(user)
        .alias(search_key=_search_key(field))
        .filter(search_key__startswith=pattern)
        .order_by("search_key", "pk")[:6]
    )


PREFIX_SEARCHES = [
    ("search_client_name_prefix", _prefix_search(clients_visible_to, "name", "nordwind")),
    ("search_contact_name_prefix", _prefix_search(contacts_visible_to, "name", "henrike")),
    ("search_offer_title_prefix", _prefix_search(offers_visible_to, "title", "rollout")),
    ("search_project_name_prefix", _prefix_search(projects_visible_to, "name", "warehouse")),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("index", "search"), PREFIX_SEARCHES, ids=[index for index, _ in PREFIX_SEARCHES])
def test_each_prefix_search_can_use_its_byte_order_index(rep, index, search):
    """The prefix filter matches the expression of its byte-order btree (the index the planner walks in order)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search(rep).explain()

    assert index in plan


@pytest.mark.postgres
@pytest.mark.parametrize(("index", "search"), SEARCHES, ids=[index for index, _ in SEARCHES])
def test_each_search_can_use_its_trigram_index(rep, index, search):
    """The index expression matches what Django renders for icontains (UPPER(col::text) LIKE UPPER(...))."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            # Plain index scans would let the planner walk a btree for the ordering instead.
            cursor.execute("SET LOCAL enable_indexscan = off")
        plan = search(rep).explain()

    assert index in plan


@pytest.mark.postgres
@pytest.mark.slow
def test_the_offer_search_uses_its_index_on_many_offers(rep):
    client = ClientFactory(account_owner=rep)
    words = ["Alpha", "Nordic", "Solar", "Cloud", "Retail", "Energy", "Steel", "Media"]
    Offer.objects.bulk_create(
        Offer(client=client, owner=rep, title=f"{words[i % 8]} {words[(i // 8) % 8]} rollout {i}")
        for i in range(OFFERS_FOR_THE_PLANNER)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE handoff_offer")

    found = global_search(user=rep, query="ROLLOUT 12345")["offers"]
    plan = offers_visible_to(rep).filter(title__icontains="rollout 12345").order_by("title")[:6].explain()

    assert [offer.title for offer in found] == ["Nordic Media rollout 12345"]
    assert "search_offer_title_trgm" in plan
