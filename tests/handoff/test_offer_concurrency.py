"""Two people acting on one offer at the same moment, on the real database (SPEC §6 "Nothing lost")."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import DomainError, StaleVersion
from handoff.models import FeasibilityReview, Offer, OfferStatus
from handoff.services.offers import offer_update
from handoff.services.reviews import review_request
from tests.factories import OfferFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls) -> list[str]:
    """Run each call in its own thread and connection, all released at once; their outcomes."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call) -> None:
        try:
            start.wait()
            call()
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_it_keeps_one_of_two_simultaneous_edits_and_refuses_the_other(rep):
    offer = OfferFactory(owner=rep, title="Old")

    outcomes = race(
        lambda: offer_update(offer=offer, actor=rep, version=1, data={"title": "From the laptop"}),
        lambda: offer_update(offer=offer, actor=rep, version=1, data={"title": "From the phone"}),
    )

    offer.refresh_from_db()
    assert outcomes == sorted(["ok", StaleVersion.code])
    assert offer.version == 2
    assert offer.title in {"From the laptop", "From the phone"}


def test_it_opens_one_review_when_two_are_requested_at_once(rep, pm, other_pm):
    offer = OfferFactory(owner=rep)

    outcomes = race(
        lambda: review_request(offer=offer, actor=rep, reviewer=pm),
        lambda: review_request(offer=offer, actor=rep, reviewer=other_pm),
    )

    assert outcomes == ["illegal_transition", "ok"]
    assert FeasibilityReview.objects.filter(offer=offer).count() == 1
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.REVIEW
