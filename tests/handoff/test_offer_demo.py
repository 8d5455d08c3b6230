"""The demo offers (``seed_demo``): every status the offers part owns, through the services, idempotent."""

from __future__ import annotations

import pytest

from accounts import demo as account_demo
from handoff import demo
from handoff.coverage import review_status
from handoff.models import Offer, OfferStatus, ReviewStatus
from handoff.selectors import offer_detail
from handoff.services.offers import offer_readiness
from notifications.events import Event
from notifications.models import Notification

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


def test_it_seeds_an_offer_changed_since_its_review():
    account_demo.seed()
    demo.seed()

    offer = offer_detail(
        user=Offer.objects.get(title="Fleet telematics dashboard").owner,
        pk=Offer.objects.get(title="Fleet telematics dashboard").pk,
    )
    coverage = review_status(offer)
    assert coverage.state == "stale"
    assert coverage.change_texts[0] == "value €64,000.00 → €89,000.00"
    assert [c.text for c in coverage.unmarked] == ["Driver app in German and Polish"]
    assert (
        Notification.objects.filter(
            event=Event.REVIEWED_OFFER_CHANGED, recipient__username="paula", channel="in_app"
        ).count()
        == 1
    )
