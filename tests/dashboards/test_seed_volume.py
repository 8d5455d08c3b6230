"""`manage.py seed_volume --offers N`: realistic volume in proportion, added on top when run again."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from clients.models import Client, Contact
from core.models import Activity
from dashboards.filters import DashboardFilters
from dashboards.metrics import figures
from handoff.models import FeasibilityReview, Handoff, HandoffSnapshot, Offer, OfferStatus, Risk
from projects.models import Deliverable, Project


def seed(offers: int) -> str:
    out = io.StringIO()
    call_command("seed_volume", offers=offers, seed=5, stdout=out)
    return out.getvalue()


def test_it_builds_offers_and_everything_around_them_in_proportion(db):
    output = seed(400)

    assert Offer.objects.count() == 400
    assert Client.objects.count() == 20
    assert Contact.objects.count() == 60
    assert set(Offer.objects.values_list("status", flat=True)) == set(OfferStatus.values)
    assert Risk.objects.count() > 300 and FeasibilityReview.objects.count() > 200
    won = Offer.objects.filter(status=OfferStatus.WON).count()
    assert Handoff.objects.count() == won == HandoffSnapshot.objects.count()
    assert 0 < Project.objects.count() <= won
    assert Deliverable.objects.count() == 3 * Project.objects.count()
    assert Activity.objects.filter(verb="returned").exists()
    assert "Added" in output


def test_it_spreads_the_offers_over_two_years_with_consistent_dates(db):
    seed(300)

    closed = Offer.objects.exclude(closed_at=None)
    assert all(offer.closed_at >= offer.created_at for offer in closed)
    span = (
        Offer.objects.order_by("created_at").last().created_at - Offer.objects.order_by("created_at").first().created_at
    )
    assert span.days > 500


def test_it_adds_on_top_when_run_again_and_says_so(db):
    seed(100)

    output = seed(100)

    assert Offer.objects.count() == 200
    assert "100 offers are already there: adding 100 on top" in output
    assert Client.objects.count() == 10


@pytest.mark.parametrize("offers", [0, -5])
def test_it_refuses_a_count_below_one(db, offers):
    with pytest.raises(CommandError):
        call_command("seed_volume", offers=offers)


def test_its_data_can_be_shown_on_the_dashboard(db):
    seed(200)

    computed = figures.compute(DashboardFilters(), timezone.now())

    assert computed.data["sections"]["pipeline"]["open"]["count"] > 0


@pytest.mark.postgres
def test_it_copies_the_rows_in_on_postgresql(db):
    seed(500)

    assert Offer.objects.count() == 500
    assert Project.objects.filter(snapshot__handoff=F("handoff")).count() == Project.objects.count()
    assert Contact.objects.exclude(reports_to=None).filter(reports_to__client=F("client")).count() == 2 * 25
