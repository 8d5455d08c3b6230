"""The client page's offers, served by handoff (clients sits below it) and loaded there with hx-get: a
fragment for htmx, a page of its own otherwise, with what is open among the offers, in a fixed number
of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.models import OfferStatus
from tests.factories import ClientFactory, OfferFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(client) -> str:
    return reverse("handoff:client_offers_panel", args=[client.pk])


def test_the_panel_lists_the_clients_offers_and_what_is_open_among_them(client_as, rep):
    target = ClientFactory(account_owner=rep)
    draft = OfferFactory(client=target, owner=rep, title="Support contract")
    elsewhere = OfferFactory(owner=rep, title="Someone else's")

    body = client_as(rep).get(_url(target), **HTMX).content.decode()

    assert draft.status == OfferStatus.DRAFT
    assert reverse("handoff:offer_detail", args=[draft.pk]) in body
    assert reverse("handoff:offer_detail", args=[elsewhere.pk]) not in body
    assert "Draft offers" in body


def test_the_panel_is_a_fragment_for_htmx_and_a_page_otherwise(client_as, rep):
    target = ClientFactory(account_owner=rep)
    browser = client_as(rep)

    fragment = browser.get(_url(target), **HTMX).content.decode()
    page = browser.get(_url(target)).content.decode()

    assert "<html" not in fragment and "No offers for this client yet." in fragment
    assert "<html" in page and f'href="{reverse("clients:detail", args=[target.pk])}"' in page


def test_the_panel_of_no_such_client_is_not_found(client_as, rep):
    assert client_as(rep).get(reverse("handoff:client_offers_panel", args=[999999]), **HTMX).status_code == 404


def test_the_panel_runs_the_same_number_of_queries_whatever_the_rows(client_as, rep):
    target = ClientFactory(account_owner=rep)
    OfferFactory(client=target, owner=rep)
    browser = client_as(rep)
    browser.get(_url(target), **HTMX)  # warm caches (content types, session)

    for count in (1, 10):
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(_url(target), **HTMX).status_code == 200
        assert len(queries) == 4, count  # session, user, the client, the offers with their handoff and owner
        for index in range(count):
            OfferFactory(client=target, owner=rep, title=f"Offer {index}")
