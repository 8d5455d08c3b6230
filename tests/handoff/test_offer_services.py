"""The offer services (SPEC §3 "Offers, risks and feasibility reviews"): create, edit, commitments, risks, send, close."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import NotReady, StaleVersion, TransitionNotAllowed
from core.models import Activity
from handoff.models import Commitment, FeasibilityReview, Offer, OfferStatus, ReviewStatus, Risk
from handoff.services.offers import (
    commitment_add,
    commitment_remove,
    offer_create,
    offer_lose,
    offer_readiness,
    offer_send,
    offer_update,
    offer_withdraw,
)
from handoff.services.risks import (
    offer_sign_off_no_risks,
    offer_withdraw_no_risks_sign_off,
    risk_add,
    risk_remove,
    risk_update,
)
from tests.factories import ClientFactory, CommitmentFactory, OfferFactory, RiskFactory
from tests.handoff.offer_factories import completed_review, offer_in_review, ready_offer

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 3, 1)


def offer_data(client, **overrides):
    data = {
        "client": client,
        "title": "ERP roll-out",
        "summary": "Three plants.",
        "value": Decimal("12500.00"),
        "probability": 60,
        "expected_close": TODAY,
        "desired_start": TODAY + datetime.timedelta(days=30),
        "desired_end": TODAY + datetime.timedelta(days=120),
    }
    data.update(overrides)
    return data


def activities(offer, verb=None):
    rows = Activity.objects.filter(target_id=offer.pk, target_type__model="offer")
    return list(rows.filter(verb=verb) if verb else rows)


# --- Create -----------------------------------------------------------------------------------
def test_it_creates_a_draft_offer_owned_by_the_creating_rep(rep, other_rep):
    client = ClientFactory(account_owner=other_rep)

    offer = offer_create(actor=rep, **offer_data(client))

    assert offer.owner == rep
    assert offer.status == OfferStatus.DRAFT
    assert offer.version == 1
    assert [a.verb for a in activities(offer)] == ["offer_created"]


def test_it_refuses_an_offer_from_someone_without_the_sales_role(pm):
    with pytest.raises(PermissionDenied):
        offer_create(actor=pm, **offer_data(ClientFactory()))

    assert not Offer.objects.exists()


BAD_OFFER_INPUT = [
    ("value", {"value": Decimal("-1")}),
    ("value", {"value": Decimal("1000000000.01")}),
    ("probability", {"probability": 101}),
    ("probability", {"probability": -1}),
    ("desired_end", {"desired_end": TODAY}),  # before the desired start
    ("title", {"title": "x" * 201}),
    ("title", {"title": "   "}),
    ("summary", {"summary": "x" * 10001}),
    ("expected_close", {"expected_close": datetime.date(1900, 1, 1)}),
    ("desired_end", {"desired_end": datetime.date(2150, 1, 1)}),
]


@pytest.mark.parametrize(
    ("field", "overrides"), BAD_OFFER_INPUT, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_OFFER_INPUT)]
)
def test_it_refuses_bad_input_on_create_and_creates_nothing(rep, field, overrides):
    with pytest.raises(ValidationError) as raised:
        offer_create(actor=rep, **offer_data(ClientFactory(), **overrides))

    assert field in raised.value.message_dict
    assert not Offer.objects.exists()
    assert not Activity.objects.filter(verb="offer_created").exists()


# --- Edit ---------------------------------------------------------------------------------------
def test_it_saves_an_edit_bumps_the_version_and_logs_the_changes(rep):
    offer = OfferFactory(owner=rep, title="Old")

    offer = offer_update(offer=offer, actor=rep, version=1, data={"title": "New", "probability": 80})

    offer.refresh_from_db()
    assert (offer.title, offer.probability, offer.version) == ("New", 80, 2)
    [activity] = activities(offer, "offer_updated")
    assert activity.changes == {"title": ["Old", "New"], "probability": [60, 80]}


def test_it_refuses_a_stale_version_and_keeps_the_newer_values(rep):
    offer = OfferFactory(owner=rep, title="Old")
    offer_update(offer=offer, actor=rep, version=1, data={"title": "Colleague's"})

    with pytest.raises(StaleVersion) as raised:
        offer_update(offer=offer, actor=rep, version=1, data={"title": "Mine"})

    assert raised.value.current.title == "Colleague's"
    offer.refresh_from_db()
    assert (offer.title, offer.version) == ("Colleague's", 2)


def test_it_refuses_an_edit_without_a_version(rep):
    offer = OfferFactory(owner=rep, title="Old")

    with pytest.raises(ValidationError) as raised:
        offer_update(offer=offer, actor=rep, version=None, data={"title": "New"})

    assert "version" in raised.value.message_dict
    offer.refresh_from_db()
    assert offer.title == "Old"


def test_it_refuses_an_edit_of_another_reps_offer(rep, other_rep):
    offer = OfferFactory(owner=rep, title="Old")

    with pytest.raises(PermissionDenied):
        offer_update(offer=offer, actor=other_rep, version=1, data={"title": "Hijacked"})

    offer.refresh_from_db()
    assert (offer.title, offer.version) == ("Old", 1)


@pytest.mark.parametrize("status", [OfferStatus.SENT, OfferStatus.WON, OfferStatus.LOST, OfferStatus.WITHDRAWN])
def test_it_refuses_to_edit_an_offer_that_left_preparation(rep, status):
    offer = OfferFactory(owner=rep, title="Old", status=status)

    with pytest.raises(TransitionNotAllowed):
        offer_update(offer=offer, actor=rep, version=1, data={"title": "New"})

    offer.refresh_from_db()
    assert offer.title == "Old"


def test_it_edits_an_offer_in_review(rep, pm):
    offer, _review = offer_in_review(rep, pm)

    offer_update(offer=offer, actor=rep, version=1, data={"summary": "Sharper scope."})

    offer.refresh_from_db()
    assert offer.summary == "Sharper scope."


@pytest.mark.parametrize(
    ("field", "overrides"), BAD_OFFER_INPUT, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_OFFER_INPUT)]
)
def test_it_refuses_bad_input_on_edit_and_changes_nothing(rep, field, overrides):
    offer = OfferFactory(owner=rep, **offer_data(ClientFactory()))
    before = Offer.objects.values().get(pk=offer.pk)

    with pytest.raises(ValidationError) as raised:
        offer_update(offer=offer, actor=rep, version=1, data=overrides)

    assert field in raised.value.message_dict
    assert Offer.objects.values().get(pk=offer.pk) == before
    assert not activities(offer, "offer_updated")


def test_it_does_not_bump_the_version_when_nothing_changed(rep):
    offer = OfferFactory(owner=rep, title="Same")

    offer_update(offer=offer, actor=rep, version=1, data={"title": "  Same  "})

    offer.refresh_from_db()
    assert offer.version == 1
    assert not activities(offer, "offer_updated")


# --- Commitments ---------------------------------------------------------------------------------
def test_it_adds_and_removes_a_commitment_with_the_timeline(rep):
    offer = OfferFactory(owner=rep)

    commitment = commitment_add(offer=offer, actor=rep, text="Go-live before 1 March", due=TODAY)
    commitment_remove(commitment=commitment, actor=rep)

    assert not Commitment.objects.exists()
    assert [a.verb for a in activities(offer)] == ["commitment_removed", "commitment_added"]


def test_it_refuses_a_commitment_on_another_reps_offer(rep, other_rep):
    offer = OfferFactory(owner=rep)

    with pytest.raises(PermissionDenied):
        commitment_add(offer=offer, actor=other_rep, text="Free support forever")

    assert not Commitment.objects.exists()


def test_it_refuses_to_remove_a_commitment_of_another_reps_offer(rep, other_rep):
    commitment = CommitmentFactory(offer=OfferFactory(owner=rep))

    with pytest.raises(PermissionDenied):
        commitment_remove(commitment=commitment, actor=other_rep)

    assert Commitment.objects.filter(pk=commitment.pk).exists()


@pytest.mark.parametrize(("text", "due"), [("", None), ("x" * 501, None), ("Fine", datetime.date(1999, 1, 1))])
def test_it_refuses_a_bad_commitment(rep, text, due):
    offer = OfferFactory(owner=rep)

    with pytest.raises(ValidationError):
        commitment_add(offer=offer, actor=rep, text=text, due=due)

    assert not Commitment.objects.exists()


def test_it_refuses_commitments_on_a_sent_offer(rep):
    offer = OfferFactory(owner=rep, status=OfferStatus.SENT)

    with pytest.raises(TransitionNotAllowed):
        commitment_add(offer=offer, actor=rep, text="One more promise")

    assert not Commitment.objects.exists()


# --- Risks and the sign-off -------------------------------------------------------------------------
def risk_data(**overrides):
    data = {"title": "Key user leaves", "category": "resource", "probability": 2, "impact": 5, "mitigation": "Pairing"}
    data.update(overrides)
    return data


def test_it_records_a_risk_with_its_score(rep):
    offer = OfferFactory(owner=rep)

    risk = risk_add(offer=offer, actor=rep, **risk_data())

    assert risk.score == 10
    assert risk.created_by == rep
    assert [a.verb for a in activities(offer)] == ["risk_added"]


def test_it_lets_the_reviewing_pm_record_a_risk(rep, pm):
    offer, _review = offer_in_review(rep, pm)

    risk_add(offer=offer, actor=pm, **risk_data())

    assert offer.risks.count() == 1


def test_it_refuses_a_risk_from_a_pm_who_does_not_review_the_offer(rep, pm, other_pm):
    offer, _review = offer_in_review(rep, pm)

    with pytest.raises(PermissionDenied):
        risk_add(offer=offer, actor=other_pm, **risk_data())

    assert not Risk.objects.exists()


def test_it_refuses_a_risk_from_another_rep(rep, other_rep):
    offer = OfferFactory(owner=rep)

    with pytest.raises(PermissionDenied):
        risk_add(offer=offer, actor=other_rep, **risk_data())

    assert not Risk.objects.exists()


BAD_RISKS = [
    ("probability", {"probability": 0}),
    ("probability", {"probability": 6}),
    ("impact", {"impact": 0}),
    ("impact", {"impact": 9}),
    ("category", {"category": "weather"}),
    ("title", {"title": ""}),
    ("title", {"title": "x" * 201}),
    ("mitigation", {"mitigation": "x" * 5001}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_RISKS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_RISKS)])
def test_it_refuses_a_bad_risk_and_records_nothing(rep, field, overrides):
    offer = OfferFactory(owner=rep)

    with pytest.raises(ValidationError) as raised:
        risk_add(offer=offer, actor=rep, **risk_data(**overrides))

    assert field in raised.value.message_dict
    assert not Risk.objects.exists()


@pytest.mark.parametrize(("field", "overrides"), BAD_RISKS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_RISKS)])
def test_it_refuses_a_bad_risk_update_and_changes_nothing(rep, field, overrides):
    risk = RiskFactory(offer=OfferFactory(owner=rep))
    before = Risk.objects.values().get(pk=risk.pk)

    with pytest.raises(ValidationError):
        risk_update(risk=risk, actor=rep, data=overrides)

    assert Risk.objects.values().get(pk=risk.pk) == before


def test_it_updates_and_removes_a_risk(rep):
    risk = RiskFactory(offer=OfferFactory(owner=rep), probability=1, impact=1)

    risk = risk_update(risk=risk, actor=rep, data={"probability": 5, "impact": 5})
    assert risk.score == 25
    risk_remove(risk=risk, actor=rep)

    assert not Risk.objects.exists()
    assert [a.verb for a in activities(risk.offer)] == ["risk_removed", "risk_updated"]


def test_it_signs_off_no_significant_risks_with_who_and_when(rep):
    offer = OfferFactory(owner=rep)

    offer = offer_sign_off_no_risks(offer=offer, actor=rep)

    assert offer.no_risks_signed_off_by == rep
    assert offer.no_risks_signed_off_at is not None


def test_it_refuses_the_sign_off_while_risks_are_recorded(rep):
    offer = RiskFactory(offer=OfferFactory(owner=rep)).offer

    with pytest.raises(TransitionNotAllowed):
        offer_sign_off_no_risks(offer=offer, actor=rep)

    offer.refresh_from_db()
    assert offer.no_risks_signed_off_at is None


def test_it_clears_the_sign_off_when_a_risk_is_recorded(rep):
    offer = offer_sign_off_no_risks(offer=OfferFactory(owner=rep), actor=rep)

    risk_add(offer=offer, actor=rep, **risk_data())

    offer.refresh_from_db()
    assert offer.no_risks_signed_off_at is None
    assert offer.no_risks_signed_off_by is None


def test_it_withdraws_the_sign_off(rep):
    offer = offer_sign_off_no_risks(offer=OfferFactory(owner=rep), actor=rep)

    offer = offer_withdraw_no_risks_sign_off(offer=offer, actor=rep)

    assert offer.no_risks_signed_off_at is None
    assert [a.verb for a in activities(offer)] == ["no_risks_sign_off_withdrawn", "no_risks_signed_off"]


def test_it_refuses_the_sign_off_from_another_rep(rep, other_rep):
    offer = OfferFactory(owner=rep)

    with pytest.raises(PermissionDenied):
        offer_sign_off_no_risks(offer=offer, actor=other_rep)

    offer.refresh_from_db()
    assert offer.no_risks_signed_off_at is None


# --- Readiness and send ------------------------------------------------------------------------------
def test_it_lists_every_unmet_item_of_a_bare_offer(rep):
    offer = OfferFactory(owner=rep, value=None, desired_end=None)

    items = offer_readiness(offer=offer)

    assert [(item.key, item.met) for item in items] == [
        ("review", False),
        ("risks", False),
        ("brief", False),
        ("decision_maker", False),
        ("commercials", False),
    ]
    assert "value" in items[-1].hint and "desired end" in items[-1].hint
    assert all(item.url for item in items)


def test_it_finds_a_prepared_offer_ready(rep, pm):
    offer = ready_offer(rep, pm)

    assert all(item.met for item in offer_readiness(offer=offer))


def test_it_counts_the_sign_off_as_a_risk_assessment(rep, pm):
    offer = ready_offer(rep, pm)
    offer.risks.all().delete()
    offer = offer_sign_off_no_risks(offer=offer, actor=rep)

    assert {item.key: item.met for item in offer_readiness(offer=offer)}["risks"]


def test_it_does_not_count_a_not_feasible_review(rep, pm):
    offer = ready_offer(rep, pm)
    completed_review(offer, pm, verdict="not_feasible")

    review = {item.key: item for item in offer_readiness(offer=offer)}["review"]

    assert not review.met
    assert "not feasible" in review.hint


def test_it_sends_a_ready_offer(rep, pm):
    offer = ready_offer(rep, pm)

    offer = offer_send(offer=offer, actor=rep)

    assert offer.status == OfferStatus.SENT
    assert offer.sent_at is not None
    assert [a.verb for a in activities(offer)] == ["offer_sent"]


def test_it_refuses_to_send_and_lists_every_unmet_item(rep):
    offer = OfferFactory(owner=rep, value=None)

    with pytest.raises(NotReady) as raised:
        offer_send(offer=offer, actor=rep)

    assert raised.value.unmet == ["review", "risks", "brief", "decision_maker", "commercials"]
    assert raised.value.as_dict()["code"] == "not_ready"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert not activities(offer)


def test_it_lists_only_what_is_missing(rep, pm):
    offer = ready_offer(rep, pm, expected_close=None)
    # Reviewed without risks (removing one after the review would make the review stale, SPEC §7.1).
    FeasibilityReview.objects.filter(offer=offer).delete()
    offer.risks.all().delete()
    completed_review(offer, pm)

    with pytest.raises(NotReady) as raised:
        offer_send(offer=offer, actor=rep)

    assert raised.value.unmet == ["risks", "commercials"]


def test_it_refuses_to_send_another_reps_offer(rep, other_rep, pm):
    offer = ready_offer(rep, pm)

    with pytest.raises(PermissionDenied):
        offer_send(offer=offer, actor=other_rep)

    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


@pytest.mark.parametrize("status", [OfferStatus.REVIEW, OfferStatus.SENT, OfferStatus.WON, OfferStatus.LOST])
def test_it_refuses_to_send_an_offer_that_is_not_a_draft(rep, pm, status):
    offer = ready_offer(rep, pm, status=status)

    with pytest.raises(TransitionNotAllowed):
        offer_send(offer=offer, actor=rep)

    offer.refresh_from_db()
    assert offer.status == status


# --- Lose and withdraw ------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [OfferStatus.DRAFT, OfferStatus.REVIEW, OfferStatus.SENT])
def test_it_loses_an_open_offer_with_the_reason(rep, status):
    offer = OfferFactory(owner=rep, status=status)

    offer = offer_lose(offer=offer, actor=rep, reason="Cheaper competitor.")

    assert offer.status == OfferStatus.LOST
    assert offer.close_reason == "Cheaper competitor."
    assert offer.closed_at is not None


def test_it_withdraws_an_offer_and_cancels_its_open_review(rep, pm):
    offer, review = offer_in_review(rep, pm)

    offer_withdraw(offer=offer, actor=rep, reason="We cannot staff it.")

    review.refresh_from_db()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    assert review.status == ReviewStatus.CANCELLED


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_it_refuses_to_close_without_a_sane_reason(rep, reason):
    offer = OfferFactory(owner=rep)

    with pytest.raises(ValidationError) as raised:
        offer_lose(offer=offer, actor=rep, reason=reason)

    assert "reason" in raised.value.message_dict
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


@pytest.mark.parametrize("status", [OfferStatus.WON, OfferStatus.LOST, OfferStatus.WITHDRAWN])
def test_it_refuses_to_close_a_closed_offer(rep, status):
    offer = OfferFactory(owner=rep, status=status)

    with pytest.raises(TransitionNotAllowed):
        offer_withdraw(offer=offer, actor=rep, reason="Changed our mind.")

    offer.refresh_from_db()
    assert offer.status == status


def test_it_refuses_to_close_another_reps_offer(rep, other_rep, manager):
    offer = OfferFactory(owner=rep)

    for actor in (other_rep, manager):
        with pytest.raises(PermissionDenied):
            offer_lose(offer=offer, actor=actor, reason="Not mine to say.")

    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_it_keeps_the_review_requests_of_a_lost_offer_in_the_history(rep, pm):
    offer, review = offer_in_review(rep, pm)
    offer_lose(offer=offer, actor=rep, reason="Budget frozen.")

    assert FeasibilityReview.objects.filter(pk=review.pk, status=ReviewStatus.CANCELLED).exists()
    assert [a.verb for a in activities(offer)] == ["offer_lost", "review_cancelled"]
