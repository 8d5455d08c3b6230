"""The demo offers (``seed_demo``): every status the offers part owns, through the services, idempotent."""

from __future__ import annotations

import pytest

from accounts import demo as account_demo
from handoff import demo
from handoff.models import Offer, OfferStatus, ReviewStatus
from handoff.services.offers import offer_readiness

pytestmark = pytest.mark.django_db


def test_it_seeds_offers_in_every_status_and_only_once():
    account_demo.seed()

    created = demo.seed()
    again = demo.seed()

    statuses = set(Offer.objects.values_list("status", flat=True))
    assert statuses == {
        OfferStatus.DRAFT,
        OfferStatus.REVIEW,
        OfferStatus.SENT,
        OfferStatus.LOST,
        OfferStatus.WITHDRAWN,
    }
    assert len(created) == Offer.objects.count()
    assert again == []


def test_it_seeds_sent_offers_that_were_ready_and_reviewed():
    account_demo.seed()
    demo.seed()

    for offer in Offer.objects.filter(status=OfferStatus.SENT):
        assert all(item.met for item in offer_readiness(offer=offer))
        assert offer.reviews.filter(status=ReviewStatus.COMPLETED, reviewer__username__in=["paula", "peter"]).exists()


def test_it_skips_quietly_without_the_demo_users():
    assert demo.seed() == []
    assert not Offer.objects.exists()
