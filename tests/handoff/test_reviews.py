"""Feasibility reviews (SPEC §3): the rep asks a PM, only that PM answers, the answer returns the offer to draft."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import TransitionNotAllowed
from core.models import Activity
from handoff.models import Commitment, Feasibility, FeasibilityReview, Offer, OfferStatus, ReviewStatus, Verdict
from handoff.services import reviews as services
from handoff.services.reviews import review_complete, review_request
from notifications.events import Event
from tests.factories import CommitmentFactory, OfferFactory, UserFactory
from tests.handoff.offer_factories import offer_in_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(monkeypatch):
    """Every notify() call of the review services, as (event, recipient usernames)."""
    calls: list[tuple[str, set[str]]] = []

    def record(*, event, recipients, **kwargs):
        calls.append((event, {user.username for user in recipients}))

    monkeypatch.setattr(services, "notify", record)
    return calls


def answer(**overrides):
    data = {
        "verdict": Verdict.FEASIBLE,
        "effort_days": Decimal("40"),
        "duration_weeks": Decimal("8"),
        "notes": "",
        "milestones": [{"name": "Kickoff", "due": "2030-04-01"}, {"name": "Go-live", "due": None}],
        "commitment_marks": [],
    }
    data.update(overrides)
    return data


# --- Request ----------------------------------------------------------------------------------------
def test_it_requests_a_review_and_moves_the_offer_to_review(rep, pm, notified):
    offer = OfferFactory(owner=rep)

    review = review_request(offer=offer, actor=rep, reviewer=pm)

    offer.refresh_from_db()
    assert offer.status == OfferStatus.REVIEW
    assert (review.reviewer, review.requested_by, review.status) == (pm, rep, ReviewStatus.REQUESTED)
    assert notified == [(Event.REVIEW_REQUESTED, {"pm"})]
    assert Activity.objects.filter(verb="review_requested", target_id=offer.pk).exists()


@pytest.mark.parametrize("reviewer_roles", [["sales"], ["manager"], []])
def test_it_refuses_a_reviewer_without_the_pm_role(rep, reviewer_roles, notified):
    offer = OfferFactory(owner=rep)
    not_a_pm = UserFactory(roles=reviewer_roles)

    with pytest.raises(ValidationError) as raised:
        review_request(offer=offer, actor=rep, reviewer=not_a_pm)

    assert "reviewer" in raised.value.message_dict
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert not FeasibilityReview.objects.exists()
    assert notified == []


def test_it_refuses_an_inactive_pm(rep):
    offer = OfferFactory(owner=rep)
    gone = UserFactory(roles=["pm"], is_active=False)

    with pytest.raises(ValidationError):
        review_request(offer=offer, actor=rep, reviewer=gone)

    assert not FeasibilityReview.objects.exists()


def test_it_refuses_a_rep_reviewing_their_own_offer(db):
    both = UserFactory(roles=["sales", "pm"])
    offer = OfferFactory(owner=both)

    with pytest.raises(ValidationError):
        review_request(offer=offer, actor=both, reviewer=both)

    assert not FeasibilityReview.objects.exists()


def test_it_refuses_a_review_request_on_another_reps_offer(rep, other_rep, pm):
    offer = OfferFactory(owner=rep)

    with pytest.raises(PermissionDenied):
        review_request(offer=offer, actor=other_rep, reviewer=pm)

    assert not FeasibilityReview.objects.exists()


def test_it_refuses_a_second_open_review(rep, pm, other_pm):
    offer, _review = offer_in_review(rep, pm)

    with pytest.raises(TransitionNotAllowed):
        review_request(offer=offer, actor=rep, reviewer=other_pm)

    assert FeasibilityReview.objects.count() == 1


@pytest.mark.parametrize("status", [OfferStatus.SENT, OfferStatus.WON, OfferStatus.LOST, OfferStatus.WITHDRAWN])
def test_it_refuses_a_review_of_an_offer_past_preparation(rep, pm, status):
    offer = OfferFactory(owner=rep, status=status)

    with pytest.raises(TransitionNotAllowed):
        review_request(offer=offer, actor=rep, reviewer=pm)

    assert not FeasibilityReview.objects.exists()


# --- Complete -----------------------------------------------------------------------------------------
def test_it_completes_the_review_with_marks_and_milestones(rep, pm, notified):
    offer, review = offer_in_review(rep, pm)
    go_live = CommitmentFactory(offer=offer, text="Go-live by March")
    training = CommitmentFactory(offer=offer, text="Training for 10")

    review = review_complete(
        review=review,
        actor=pm,
        **answer(
            verdict=Verdict.FEASIBLE_WITH_CONDITIONS,
            notes="Only with a product owner on the client side.",
            commitment_marks=[
                {"commitment": go_live.pk, "mark": Feasibility.RISKY, "note": "Tight."},
                {"commitment": training.pk, "mark": Feasibility.FEASIBLE},
            ],
        ),
    )

    offer.refresh_from_db()
    go_live.refresh_from_db()
    training.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert review.status == ReviewStatus.COMPLETED
    assert review.completed_at is not None
    assert (review.effort_days, review.duration_weeks) == (Decimal("40"), Decimal("8"))
    assert review.milestones == [{"name": "Kickoff", "due": "2030-04-01"}, {"name": "Go-live", "due": None}]
    assert (go_live.feasibility, go_live.feasibility_note) == ("risky", "Tight.")
    assert training.feasibility == "feasible"
    assert notified == [(Event.REVIEW_COMPLETED, {"rep"})]


def test_it_refuses_an_answer_from_another_pm(rep, pm, other_pm):
    _offer, review = offer_in_review(rep, pm)

    with pytest.raises(PermissionDenied):
        review_complete(review=review, actor=other_pm, **answer())

    review.refresh_from_db()
    assert review.status == ReviewStatus.REQUESTED


def test_it_refuses_an_answer_from_the_rep(rep, pm):
    offer, review = offer_in_review(rep, pm)

    with pytest.raises(PermissionDenied):
        review_complete(review=review, actor=rep, **answer())

    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.REVIEW


def test_it_refuses_to_complete_a_review_twice(rep, pm):
    _offer, review = offer_in_review(rep, pm)
    review_complete(review=review, actor=pm, **answer())

    with pytest.raises(TransitionNotAllowed):
        review_complete(review=review, actor=pm, **answer(verdict=Verdict.NOT_FEASIBLE, notes="Second thoughts"))

    review.refresh_from_db()
    assert review.verdict == Verdict.FEASIBLE


def test_it_refuses_marks_for_commitments_of_another_offer(rep, pm):
    offer, review = offer_in_review(rep, pm)
    own = CommitmentFactory(offer=offer)
    foreign = CommitmentFactory(offer=OfferFactory())

    with pytest.raises(ValidationError) as raised:
        review_complete(
            review=review,
            actor=pm,
            **answer(
                commitment_marks=[
                    {"commitment": own.pk, "mark": "feasible"},
                    {"commitment": foreign.pk, "mark": "infeasible"},
                ]
            ),
        )

    assert "commitment_marks" in raised.value.message_dict
    assert set(Commitment.objects.values_list("feasibility", flat=True)) == {""}
    review.refresh_from_db()
    assert review.status == ReviewStatus.REQUESTED
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.REVIEW


BAD_ANSWERS = [
    ("verdict", {"verdict": "maybe"}),
    ("effort_days", {"effort_days": Decimal("-1")}),
    ("effort_days", {"effort_days": Decimal("100000.1")}),
    ("effort_days", {"effort_days": None}),
    ("duration_weeks", {"duration_weeks": Decimal("-0.5")}),
    ("duration_weeks", {"duration_weeks": "lots"}),
    ("duration_weeks", {"duration_weeks": Decimal("600")}),
    ("notes", {"verdict": Verdict.NOT_FEASIBLE, "notes": ""}),
    ("milestones", {"milestones": [{"name": "", "due": None}]}),
    ("milestones", {"milestones": [{"name": "Kickoff", "due": "next week"}]}),
    ("milestones", {"milestones": [{"name": "x" * 201}]}),
    ("milestones", {"milestones": [{"name": f"M{i}"} for i in range(51)]}),
    ("milestones", {"milestones": "Kickoff"}),
    ("commitment_marks", {"commitment_marks": [{"commitment": "own", "mark": "perhaps"}]}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_ANSWERS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_ANSWERS)])
def test_it_refuses_a_bad_answer_and_changes_nothing(rep, pm, field, overrides):
    offer, review = offer_in_review(rep, pm)
    own = CommitmentFactory(offer=offer)
    if overrides.get("commitment_marks"):
        overrides = {"commitment_marks": [{"commitment": own.pk, "mark": "perhaps"}]}

    with pytest.raises(ValidationError) as raised:
        review_complete(review=review, actor=pm, **answer(**overrides))

    assert field in raised.value.message_dict
    review.refresh_from_db()
    own.refresh_from_db()
    assert (review.status, review.verdict, review.milestones) == (ReviewStatus.REQUESTED, "", [])
    assert own.feasibility == ""
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.REVIEW


def test_it_clears_marks_the_latest_review_left_out(rep, pm):
    offer, review = offer_in_review(rep, pm)
    commitment = CommitmentFactory(offer=offer, feasibility="infeasible", feasibility_note="Old review")

    review_complete(review=review, actor=pm, **answer())

    commitment.refresh_from_db()
    assert (commitment.feasibility, commitment.feasibility_note) == ("", "")
