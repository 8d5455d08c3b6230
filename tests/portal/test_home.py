"""The home page per role (issue 3): what waits on a rep, a PM's review requests, a manager's pipeline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from handoff.models import Handoff, HandoffStatus, OfferStatus
from tests.factories import FeasibilityReviewFactory, OfferFactory, UserFactory
from tests.handoff.offer_factories import completed_review, offer_in_review, ready_offer

pytestmark = pytest.mark.django_db


def won_offer_handoff(owner, pm=None, status=HandoffStatus.PENDING, **kwargs):
    offer = OfferFactory(owner=owner, status=OfferStatus.WON)
    return Handoff.objects.create(offer=offer, pm=pm, status=status, pending_since=timezone.now(), **kwargs)


# --- Rep ------------------------------------------------------------------------------------------------------------
def test_it_shows_the_rep_their_open_offers_only(client_as, rep, other_rep):
    OfferFactory(owner=rep, title="Mine, draft")
    OfferFactory(owner=rep, title="Mine, sent", status=OfferStatus.SENT)
    OfferFactory(owner=rep, title="Mine, lost", status=OfferStatus.LOST)
    OfferFactory(owner=other_rep, title="Someone else's")

    response = client_as(rep).get("/")

    titles = {offer.title for offer in response.context["rep"].open_offers}
    assert titles == {"Mine, draft", "Mine, sent"}
    assert b"Mine, draft" in response.content
    assert b"Someone else" not in response.content


def test_it_shows_the_rep_the_offers_back_from_review(client_as, rep, pm):
    offer = OfferFactory(owner=rep, title="Reviewed offer")
    completed_review(offer, pm, verdict="feasible_with_conditions")

    response = client_as(rep).get("/")

    assert [o.title for o in response.context["rep"].returned_from_review] == ["Reviewed offer"]
    assert b"Reviewed: feasible with conditions" in response.content


def test_it_shows_the_rep_the_readiness_gaps(client_as, rep, pm):
    OfferFactory(owner=rep, title="Bare offer")
    ready_offer(rep, pm, title="Ready offer")

    response = client_as(rep).get("/")

    gaps = {offer.title: [item.key for item in items] for offer, items in response.context["rep"].not_ready}
    assert gaps == {"Bare offer": ["review", "risks", "brief", "decision_maker"]}
    assert b"missing: PM review, risk assessment, client brief, decision maker" in response.content


def test_it_shows_the_rep_handoffs_returned_to_them(client_as, rep, other_rep, pm):
    mine = won_offer_handoff(rep, pm, status=HandoffStatus.RETURNED, return_reason="Brief is empty")
    won_offer_handoff(other_rep, pm, status=HandoffStatus.RETURNED)
    won_offer_handoff(rep, pm, status=HandoffStatus.PENDING)

    response = client_as(rep).get("/")

    assert response.context["rep"].returned_handoffs == [mine]
    assert b"Brief is empty" in response.content


def test_it_tells_a_rep_with_nothing_to_do(client_as, rep):
    response = client_as(rep).get("/")

    assert b"Nothing waits on you right now." in response.content
    assert b"You have no open offers." in response.content
    assert "pm" not in response.context and "pipeline" not in response.context


# --- PM -----------------------------------------------------------------------------------------------------------
def test_it_shows_the_pm_their_open_review_requests(client_as, rep, pm, other_pm):
    _offer, review = offer_in_review(rep, pm, title="Please review me")
    offer_in_review(rep, other_pm, title="Not for Paula")
    completed_review(OfferFactory(owner=rep, title="Already answered"), pm)

    response = client_as(pm).get("/")

    assert response.context["pm"].review_requests == [review]
    assert b"Please review me" in response.content
    assert f"/reviews/{review.pk}/complete/".encode() in response.content
    assert b"Not for Paula" not in response.content


def test_it_shows_the_pm_pending_handoffs_assigned_to_them_or_nobody(client_as, rep, pm, other_pm):
    assigned = won_offer_handoff(rep, pm)
    unassigned = won_offer_handoff(rep, None)
    won_offer_handoff(rep, other_pm)
    won_offer_handoff(rep, pm, status=HandoffStatus.ACCEPTED)

    response = client_as(pm).get("/")

    assert set(response.context["pm"].pending_handoffs) == {assigned, unassigned}


# --- Manager --------------------------------------------------------------------------------------------------------
def test_it_shows_the_manager_the_open_pipeline_by_status(client_as, manager):
    OfferFactory(status=OfferStatus.DRAFT, value=Decimal("1000"), probability=50)
    OfferFactory(status=OfferStatus.DRAFT, value=None, probability=90)
    OfferFactory(status=OfferStatus.SENT, value=Decimal("2000"), probability=25)
    OfferFactory(status=OfferStatus.WON, value=Decimal("99999"), probability=100)

    response = client_as(manager).get("/")

    rows = {row.status: (row.count, row.value, row.weighted) for row in response.context["pipeline"]}
    assert rows == {
        "draft": (2, Decimal("1000.00"), Decimal("500.00")),
        "review": (0, Decimal("0"), Decimal("0")),
        "sent": (1, Decimal("2000.00"), Decimal("500.00")),
    }
    assert response.context["pipeline_total"] == {
        "count": 3,
        "value": Decimal("3000.00"),
        "weighted": Decimal("1000.00"),
    }
    assert b"Open pipeline" in response.content


def test_it_shows_a_user_without_roles_how_to_get_one(client_as, outsider):
    response = client_as(outsider).get("/")

    assert b"ask an administrator to give you a role" in response.content


# --- Query counts -----------------------------------------------------------------------------------------------------
def _after_handoff_work(rep, pm, manager):
    """A project with a commitment at risk, an open follow-up and a meeting with an action item for everyone."""
    from projects.models import ActionItem, FollowUp, Meeting, ProjectCommitment
    from tests.projects.factories import accepted_project

    project = accepted_project(owner=rep, pm=pm, with_contacts=False)
    ProjectCommitment.objects.create(project=project, text="Go-live in May", status="at_risk")
    FollowUp.objects.create(project=project, title="Phase two", estimated_value=5000, raised_by=pm)
    meeting = Meeting.objects.create(project=project, title="Weekly", starts_at=timezone.now(), created_by=pm)
    for owner in (rep, pm, manager):
        ActionItem.objects.create(meeting=meeting, text="Send the minutes", owner=owner)


def _more_work(rep, pm):
    for _ in range(10):
        offer = OfferFactory(owner=rep)
        completed_review(offer, UserFactory(roles=["pm"]))
        FeasibilityReviewFactory(offer=OfferFactory(owner=rep, status=OfferStatus.REVIEW), reviewer=pm)
        won_offer_handoff(rep, pm, status=HandoffStatus.RETURNED)
        won_offer_handoff(rep, None)
        OfferFactory(status=OfferStatus.SENT)


@pytest.mark.parametrize(
    ("persona", "queries"),
    [
        # session, user (with roles and the inbox badge's count), own action items; offers, their reviews,
        # risks, commitments (what the reviews covered, SPEC §7.1), decision makers; returned handoffs;
        # commitments at risk on projects they liaise; follow-ups
        ("rep", 11),
        # session, user, own action items; review requests; pending handoffs
        ("pm", 5),
        # session, user, own action items; the pipeline aggregate
        ("manager", 4),
    ],
)
def test_it_pins_the_home_page_queries_whatever_the_rows(
    request, client_as, rep, pm, manager, django_assert_num_queries, persona, queries
):
    user = request.getfixturevalue(persona)
    client = client_as(user)
    ready_offer(rep, pm)
    offer_in_review(rep, pm)
    _after_handoff_work(rep, pm, manager)
    with django_assert_num_queries(queries):
        client.get("/")
    _more_work(rep, pm)
    for _ in range(3):
        _after_handoff_work(rep, pm, manager)
    with django_assert_num_queries(queries):
        response = client.get("/")
    assert response.status_code == 200
