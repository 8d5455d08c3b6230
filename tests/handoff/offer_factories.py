"""Offers in the states the offer tests need, built from the shared factories."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from clients.models import BuyingRole
from handoff.models import FeasibilityReview, Offer, OfferStatus, ReviewStatus
from tests.factories import ClientFactory, ContactFactory, FeasibilityReviewFactory, OfferFactory, RiskFactory


def prepared_client(owner=None, **kwargs):
    """A client with a filled brief and a decision maker: the client-side readiness items met."""
    client = ClientFactory(**({"account_owner": owner} if owner else {}), **kwargs)
    client.brief.background = "Family-owned, cautious, decides slowly."
    client.brief.save()
    ContactFactory(client=client, name="Dana Decider", buying_role=BuyingRole.DECISION_MAKER)
    return client


def completed_review(offer: Offer, reviewer, verdict: str = "feasible") -> FeasibilityReview:
    return FeasibilityReviewFactory(
        offer=offer,
        reviewer=reviewer,
        requested_by=offer.owner,
        status=ReviewStatus.COMPLETED,
        verdict=verdict,
        effort_days=Decimal("40.0"),
        duration_weeks=Decimal("8.0"),
        completed_at=timezone.now(),
    )


def ready_offer(owner, reviewer, **kwargs) -> Offer:
    """A draft offer that meets every readiness item."""
    offer = OfferFactory(client=prepared_client(), owner=owner, **kwargs)
    RiskFactory(offer=offer)
    # Last: the review covers the offer with its risk (SPEC §7.1).
    completed_review(offer, reviewer)
    return offer


def offer_in_review(owner, reviewer, **kwargs) -> tuple[Offer, FeasibilityReview]:
    offer = OfferFactory(owner=owner, status=OfferStatus.REVIEW, **kwargs)
    review = FeasibilityReviewFactory(offer=offer, reviewer=reviewer, requested_by=owner)
    return offer, review
