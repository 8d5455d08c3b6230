"""The handoff services (SPEC §3 "Handoff and projects"): win, accept, return, resubmit, reassign."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import TransitionNotAllowed
from core.models import Activity
from handoff.models import Handoff, HandoffSnapshot, HandoffStatus, Offer, OfferStatus
from handoff.services import handoffs as services
from handoff.services.handoffs import (
    handoff_accept,
    handoff_reassign,
    handoff_resubmit,
    handoff_return,
    offer_win,
)
from handoff.services.offers import commitment_add, commitment_remove, offer_update
from handoff.services.risks import risk_add
from notifications.events import Event
from projects.models import Deliverable, Project, ProjectCommitment, ProjectRisk
from tests.factories import UserFactory
from tests.projects.factories import sent_offer, won_handoff

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(monkeypatch):
    """Every notify() call of the handoff services, as (event, recipient usernames)."""
    calls: list[tuple[str, set[str]]] = []

    def record(*, event, recipients, **kwargs):
        calls.append((event, {user.username for user in recipients}))

    monkeypatch.setattr(services, "notify", record)
    return calls


# --- Win ------------------------------------------------------------------------------------
def test_it_wins_a_sent_offer_with_a_pending_handoff_and_snapshot_v1(rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    handoff = offer_win(offer=offer, actor=rep)

    offer.refresh_from_db()
    assert offer.status == OfferStatus.WON
    assert offer.closed_at is not None
    assert handoff.status == HandoffStatus.PENDING
    assert handoff.pending_since is not None
    assert [snapshot.version for snapshot in handoff.snapshots.all()] == [1]


def test_it_assigns_the_reviewing_pm_by_default(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    assert handoff.pm == pm


def test_it_assigns_the_pm_the_rep_chose(rep, pm, other_pm):
    handoff = won_handoff(owner=rep, reviewer=pm, pm=other_pm)

    assert handoff.pm == other_pm


def test_it_leaves_the_handoff_unassigned_without_a_review(rep):
    handoff = won_handoff(owner=rep)

    assert handoff.pm is None


def test_it_refuses_a_pm_without_the_pm_role(rep, other_rep):
    offer = sent_offer(owner=rep)

    with pytest.raises(ValidationError) as raised:
        offer_win(offer=offer, actor=rep, pm=other_rep)

    assert "pm" in raised.value.message_dict
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT
    assert not Handoff.objects.exists()


def test_it_refuses_to_win_an_offer_that_is_not_sent(rep):
    offer = sent_offer(owner=rep)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.DRAFT)

    with pytest.raises(TransitionNotAllowed):
        offer_win(offer=offer, actor=rep)

    assert not Handoff.objects.exists()


def test_it_refuses_to_win_an_offer_twice(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    with pytest.raises(TransitionNotAllowed):
        offer_win(offer=handoff.offer, actor=rep)

    assert Handoff.objects.count() == 1


@pytest.mark.parametrize("persona", ["other_rep", "pm", "manager", "outsider"])
def test_it_lets_only_the_owner_win(persona, request, rep):
    offer = sent_offer(owner=rep)

    with pytest.raises(PermissionDenied):
        offer_win(offer=offer, actor=request.getfixturevalue(persona))

    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT


def test_it_rolls_the_whole_win_back_when_the_snapshot_fails(rep, pm, monkeypatch):
    offer = sent_offer(owner=rep, reviewer=pm)

    def broken(offer):
        raise RuntimeError("snapshot failed")

    monkeypatch.setattr(services, "build_snapshot", broken)
    with pytest.raises(RuntimeError):
        offer_win(offer=offer, actor=rep)

    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT
    assert offer.closed_at is None
    assert not Handoff.objects.exists()
    assert not HandoffSnapshot.objects.exists()
    assert not Activity.objects.filter(verb="won").exists()


def test_it_notifies_the_assigned_pm_and_the_managers_of_a_win(rep, pm, other_pm, manager, notified):
    won_handoff(owner=rep, reviewer=pm)

    assert notified == [(Event.HANDOFF_PENDING, {"pm", "manager"})]


def test_it_notifies_every_pm_of_an_unassigned_win(rep, pm, other_pm, manager, notified):
    won_handoff(owner=rep)

    assert notified == [(Event.HANDOFF_PENDING, {"pm", "other_pm", "manager"})]


def test_it_logs_the_win_on_the_offer_and_the_handoff(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    assert Activity.objects.filter(verb="won", target_id=handoff.offer_id).exists()
    assert Activity.objects.filter(verb="created", target_id=handoff.pk).exists()


# --- Accept ----------------------------------------------------------------------------------
def test_it_accepts_into_exactly_one_project_with_everything_copied(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    offer = handoff.offer

    project = handoff_accept(handoff=handoff, actor=pm)

    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ACCEPTED
    assert handoff.accepted_by == pm
    assert handoff.accepted_at is not None
    assert Project.objects.count() == 1
    assert project.handoff == handoff
    assert project.snapshot == handoff.snapshots.get(version=1)
    assert project.name == offer.title
    assert project.pm == pm
    assert project.sales_liaison == rep
    assert project.client == offer.client
    assert project.budget == Decimal("48000.00")
    assert project.planned_start == offer.desired_start
    assert project.planned_end == offer.desired_end
    assert project.estimated_effort_days == Decimal("60.0")


def test_it_copies_commitments_with_source_and_feasibility(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    project = handoff_accept(handoff=handoff, actor=pm)

    copied = {item.text: item for item in ProjectCommitment.objects.filter(project=project)}
    assert set(copied) == {"Go-live before 1 March", "On-site training for 10 people"}
    assert copied["Go-live before 1 March"].feasibility == "risky"
    assert copied["Go-live before 1 March"].source.offer == handoff.offer
    assert copied["Go-live before 1 March"].due is not None


def test_it_copies_risks_and_milestones(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    project = handoff_accept(handoff=handoff, actor=pm)

    risks = {risk.title: risk for risk in ProjectRisk.objects.filter(project=project)}
    assert risks["Legacy interfaces undocumented"].score == 12
    assert risks["Legacy interfaces undocumented"].source.offer == handoff.offer
    milestones = list(Deliverable.objects.filter(project=project).order_by("name").values_list("name", "due"))
    assert [name for name, _ in milestones] == ["Design signed off", "Go-live"]
    assert milestones[0][1] is not None


def test_it_refuses_a_second_accept(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_accept(handoff=handoff, actor=pm)

    with pytest.raises(TransitionNotAllowed) as raised:
        handoff_accept(handoff=handoff, actor=pm)

    assert raised.value.code == "illegal_transition"
    assert Project.objects.count() == 1


def test_it_turns_a_duplicate_project_into_the_same_refusal(rep, pm, monkeypatch):
    """Should the lock ever fail, the unique one-to-one still refuses, as a 409 and not an IntegrityError."""
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_accept(handoff=handoff, actor=pm)
    Handoff.objects.filter(pk=handoff.pk).update(status=HandoffStatus.PENDING)

    with pytest.raises(TransitionNotAllowed) as raised:
        handoff_accept(handoff=handoff, actor=pm)

    assert "accepted" in raised.value.message
    assert Project.objects.count() == 1


def test_any_pm_may_accept_an_unassigned_handoff(rep, other_pm):
    handoff = won_handoff(owner=rep)

    project = handoff_accept(handoff=handoff, actor=other_pm)

    assert project.pm == other_pm
    handoff.refresh_from_db()
    assert handoff.pm == other_pm


@pytest.mark.parametrize("persona", ["rep", "other_rep", "manager", "outsider", "other_pm"])
def test_it_lets_only_the_assigned_pm_accept(persona, request, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    with pytest.raises(PermissionDenied):
        handoff_accept(handoff=handoff, actor=request.getfixturevalue(persona))

    assert not Project.objects.exists()


def test_it_refuses_to_accept_a_returned_handoff(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Dates do not work")

    with pytest.raises(TransitionNotAllowed):
        handoff_accept(handoff=handoff, actor=pm)


def test_it_tells_the_rep_of_the_accept(rep, pm, notified):
    handoff = won_handoff(owner=rep, reviewer=pm)
    notified.clear()

    handoff_accept(handoff=handoff, actor=pm)

    assert notified == [(Event.HANDOFF_ACCEPTED, {"rep"})]


# --- Return ------------------------------------------------------------------------------------
def test_it_returns_with_a_reason(rep, pm, notified):
    handoff = won_handoff(owner=rep, reviewer=pm)
    notified.clear()

    handoff_return(handoff=handoff, actor=pm, reason="  The go-live date is impossible.  ")

    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.RETURNED
    assert handoff.return_reason == "The go-live date is impossible."
    assert handoff.return_count == 1
    assert notified == [(Event.HANDOFF_RETURNED, {"rep"})]


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 2001])
def test_it_refuses_a_return_without_a_proper_reason(reason, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    with pytest.raises(ValidationError) as raised:
        handoff_return(handoff=handoff, actor=pm, reason=reason)

    assert "reason" in raised.value.message_dict
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.PENDING
    assert handoff.return_count == 0


def test_it_refuses_to_return_an_accepted_handoff(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_accept(handoff=handoff, actor=pm)

    with pytest.raises(TransitionNotAllowed):
        handoff_return(handoff=handoff, actor=pm, reason="Too late")


@pytest.mark.parametrize("persona", ["rep", "manager", "other_pm", "outsider"])
def test_it_lets_only_the_assigned_pm_return(persona, request, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    with pytest.raises(PermissionDenied):
        handoff_return(handoff=handoff, actor=request.getfixturevalue(persona), reason="No")


# --- Resubmit ----------------------------------------------------------------------------------
def test_it_resubmits_as_a_new_snapshot_version_that_shows_the_changes(rep, pm, notified):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Fix the value")
    Handoff.objects.filter(pk=handoff.pk).update(
        reminded_at=timezone.now(),
        escalated_at=timezone.now(),
        pending_since=timezone.now() - datetime.timedelta(days=9),
    )
    offer_update(offer=handoff.offer, actor=rep, version=handoff.offer.version, data={"value": Decimal("52000.00")})
    notified.clear()

    handoff_resubmit(handoff=handoff, actor=rep)

    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.PENDING
    assert handoff.reminded_at is None
    assert handoff.escalated_at is None
    assert timezone.now() - handoff.pending_since < datetime.timedelta(minutes=1)
    v1, v2 = handoff.snapshots.order_by("version")
    assert v2.version == 2
    assert v1.data["offer"]["value"] == "48000.00"
    assert v2.data["offer"]["value"] == "52000.00"
    assert notified == [(Event.HANDOFF_RESUBMITTED, {"pm"})]


def test_it_refuses_to_resubmit_a_pending_handoff(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    with pytest.raises(TransitionNotAllowed):
        handoff_resubmit(handoff=handoff, actor=rep)

    assert handoff.snapshots.count() == 1


@pytest.mark.parametrize("persona", ["other_rep", "pm", "manager", "outsider"])
def test_it_lets_only_the_offer_owner_resubmit(persona, request, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Fix it")

    with pytest.raises(PermissionDenied):
        handoff_resubmit(handoff=handoff, actor=request.getfixturevalue(persona))


def test_the_project_links_to_the_snapshot_it_was_accepted_from(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Fix it")
    handoff_resubmit(handoff=handoff, actor=rep)

    project = handoff_accept(handoff=handoff, actor=pm)

    assert project.snapshot.version == 2


# --- Reassign ---------------------------------------------------------------------------------
def test_a_manager_reassigns_a_pending_handoff(rep, pm, other_pm, manager, notified):
    handoff = won_handoff(owner=rep, reviewer=pm)
    notified.clear()

    handoff_reassign(handoff=handoff, actor=manager, pm=other_pm)

    handoff.refresh_from_db()
    assert handoff.pm == other_pm
    assert notified == [(Event.HANDOFF_REASSIGNED, {"other_pm"})]


@pytest.mark.parametrize("persona", ["rep", "pm", "other_pm", "outsider"])
def test_it_lets_only_managers_reassign(persona, request, rep, pm, other_pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    with pytest.raises(PermissionDenied):
        handoff_reassign(handoff=handoff, actor=request.getfixturevalue(persona), pm=other_pm)


def test_it_refuses_to_reassign_to_someone_without_the_pm_role(rep, pm, manager):
    handoff = won_handoff(owner=rep, reviewer=pm)

    with pytest.raises(ValidationError):
        handoff_reassign(handoff=handoff, actor=manager, pm=UserFactory(roles=["sales"]))


def test_it_refuses_to_reassign_an_accepted_handoff(rep, pm, other_pm, manager):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_accept(handoff=handoff, actor=pm)

    with pytest.raises(TransitionNotAllowed):
        handoff_reassign(handoff=handoff, actor=manager, pm=other_pm)


def test_a_returned_handoff_marks_its_offer_as_open_for_fixing(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    assert not services.offer_returned_for_fixing(handoff.offer)

    handoff_return(handoff=handoff, actor=pm, reason="Fix the dates")

    # The offer as a page loads it after the return (the instance in hand still caches the old handoff).
    assert services.offer_returned_for_fixing(Offer.objects.get(pk=handoff.offer_id))


# --- Fixing a returned offer -------------------------------------------------------------------
def test_the_rep_fixes_a_returned_offer_through_the_services_and_resubmits(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Renegotiate the go-live and add the migration risk")
    offer = Offer.objects.get(pk=handoff.offer_id)

    offer = offer_update(offer=offer, actor=rep, version=offer.version, data={"value": Decimal("52000.00")})
    commitment_remove(commitment=offer.commitments.get(text__startswith="Go-live"), actor=rep)
    commitment_add(offer=offer, actor=rep, text="Go-live within 14 weeks of the kickoff")
    risk_add(offer=offer, actor=rep, title="Data migration quality", category="technical", probability=3, impact=5)
    handoff_resubmit(handoff=handoff, actor=rep)

    v2 = handoff.snapshots.get(version=2).data
    assert v2["offer"]["value"] == "52000.00"
    assert "Go-live within 14 weeks of the kickoff" in {item["text"] for item in v2["commitments"]}
    assert "Data migration quality" in {risk["title"] for risk in v2["risks"]}
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.WON


@pytest.mark.parametrize("stage", ["pending", "resubmitted", "accepted"])
def test_it_refuses_to_change_a_won_offer_whose_handoff_is_not_returned(stage, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    if stage == "resubmitted":
        handoff_return(handoff=handoff, actor=pm, reason="Dates")
        handoff_resubmit(handoff=handoff, actor=rep)
    elif stage == "accepted":
        handoff_accept(handoff=handoff, actor=pm)
    offer = Offer.objects.get(pk=handoff.offer_id)
    commitment = offer.commitments.first()

    with pytest.raises(TransitionNotAllowed):
        offer_update(offer=offer, actor=rep, version=offer.version, data={"value": Decimal("1.00")})
    with pytest.raises(TransitionNotAllowed):
        commitment_add(offer=offer, actor=rep, text="Sneaked in after the handoff")
    with pytest.raises(TransitionNotAllowed):
        commitment_remove(commitment=commitment, actor=rep)
    with pytest.raises(TransitionNotAllowed):
        risk_add(offer=offer, actor=rep, title="Late risk", category="other", probability=1, impact=1)

    current = Offer.objects.get(pk=offer.pk)
    assert (current.value, current.version) == (Decimal("48000.00"), offer.version)
    assert offer.commitments.count() == 2
    assert offer.risks.count() == 2


def test_only_the_owner_fixes_a_returned_offer(rep, other_rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Dates")
    offer = Offer.objects.get(pk=handoff.offer_id)

    with pytest.raises(PermissionDenied):
        offer_update(offer=offer, actor=other_rep, version=offer.version, data={"value": Decimal("1.00")})

    assert Offer.objects.get(pk=offer.pk).value == Decimal("48000.00")
