"""Varied data for the dashboard tests, written straight to the database (dates the services would not let us pick)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import Activity
from handoff.models import (
    FeasibilityReview,
    Handoff,
    HandoffSnapshot,
    HandoffStatus,
    Offer,
    OfferStatus,
    ReviewStatus,
    Risk,
)
from projects.models import (
    ChangeRequest,
    ChangeRequestApproval,
    ChangeRequestStatus,
    ClientIssue,
    ClientPulse,
    Deliverable,
    DeliverableStatus,
    FollowUp,
    FollowUpStatus,
    IssueSeverity,
    IssueStatus,
    Project,
    ProjectHealth,
    ProjectRisk,
    ProjectStatus,
    RiskStatus,
    SignatureCapacity,
)
from tests.factories import ClientFactory, UserFactory

DAY = datetime.timedelta(days=1)
REASONS = ("Effort estimate missing", "Commitments unclear", "Start date unrealistic", "Budget too small")


def make_offer(
    *,
    client,
    owner,
    status=OfferStatus.DRAFT,
    value=Decimal("1000.00"),
    probability=50,
    created_at=None,
    closed_at=None,
    title="Offer",
) -> Offer:
    offer = Offer.objects.create(
        client=client,
        owner=owner,
        title=title,
        value=value,
        probability=probability,
        status=status,
        closed_at=closed_at,
    )
    if created_at is not None:
        Offer.objects.filter(pk=offer.pk).update(created_at=created_at)
        offer.created_at = created_at
    return offer


def make_review(*, offer, reviewer, effort_days=None, completed_at=None, status=ReviewStatus.COMPLETED):
    return FeasibilityReview.objects.create(
        offer=offer,
        reviewer=reviewer,
        requested_by=offer.owner,
        status=status,
        verdict="feasible" if status == ReviewStatus.COMPLETED else "",
        effort_days=effort_days,
        completed_at=completed_at,
    )


def make_handoff(
    *,
    offer,
    pm=None,
    status=HandoffStatus.PENDING,
    created_at=None,
    pending_since=None,
    accepted_at=None,
    return_count=0,
    return_reason="",
) -> Handoff:
    created_at = created_at or timezone.now()
    handoff = Handoff.objects.create(
        offer=offer,
        pm=pm,
        status=status,
        pending_since=pending_since or created_at,
        accepted_at=accepted_at,
        decided_at=accepted_at,
        return_count=return_count,
        return_reason=return_reason,
    )
    Handoff.objects.filter(pk=handoff.pk).update(created_at=created_at)
    handoff.created_at = created_at
    return handoff


def log_return(handoff: Handoff, reason: str, when: datetime.datetime) -> Activity:
    return Activity.objects.create(
        actor=handoff.pm,
        verb="returned",
        target_type=ContentType.objects.get_for_model(Handoff),
        target_id=handoff.pk,
        message=reason,
        created_at=when,
    )


def make_project(
    *,
    handoff,
    status=ProjectStatus.ACTIVE,
    health=ProjectHealth.ON_TRACK,
    actual=Decimal("0"),
    completed_at=None,
    effort_not_tracked=False,
) -> Project:
    snapshot = HandoffSnapshot.objects.create(handoff=handoff, version=1, data={})
    offer = handoff.offer
    return Project.objects.create(
        handoff=handoff,
        snapshot=snapshot,
        offer=offer,
        client=offer.client,
        name=offer.title,
        pm=handoff.pm,
        sales_liaison=offer.owner,
        status=status,
        health=health,
        actual_effort_days=actual,
        effort_not_tracked=effort_not_tracked,
        completed_at=completed_at,
    )


def build_world(seed: int, *, offers: int = 60, now: datetime.datetime | None = None) -> dict:
    """Reps, PMs and clients with offers in every status over two years, and what follows from them."""
    rng = random.Random(seed)
    now = now or timezone.now()
    reps = [
        UserFactory(username=f"w{seed}rep{index}", first_name=f"Rep{index}", last_name=f"S{seed}", roles=["sales"])
        for index in range(3)
    ]
    pms = [
        UserFactory(username=f"w{seed}pm{index}", first_name=f"Pm{index}", last_name=f"S{seed}", roles=["pm"])
        for index in range(2)
    ]
    clients = [ClientFactory(name=f"World {seed} client {index}", account_owner=rng.choice(reps)) for index in range(4)]
    handoff_type = ContentType.objects.get_for_model(Handoff)
    for index in range(offers):
        client = rng.choice(clients)
        owner = rng.choice(reps)
        created = now - DAY * rng.uniform(0, 500)
        status = rng.choice(OfferStatus.values)
        closed = None
        if status in (OfferStatus.WON, OfferStatus.LOST, OfferStatus.WITHDRAWN):
            closed = min(created + DAY * rng.uniform(0, 120), now - datetime.timedelta(minutes=1))
        value = rng.choice(
            [None, Decimal("0.00"), Decimal("0.05"), Decimal("999.99"), Decimal(rng.randint(1, 10**7)) / 100]
        )
        offer = make_offer(
            client=client,
            owner=owner,
            status=status,
            value=value,
            probability=rng.randint(0, 100),
            created_at=created,
            closed_at=closed,
            title=f"W{seed} offer {index}",
        )
        for _ in range(rng.randint(0, 2)):
            Risk.objects.create(offer=offer, title="Risk", probability=rng.randint(1, 5), impact=rng.randint(1, 5))
        review = None
        if rng.random() < 0.7:
            completed = rng.random() < 0.85
            review = make_review(
                offer=offer,
                reviewer=rng.choice(pms),
                effort_days=rng.choice([None, Decimal("0"), Decimal(rng.randint(1, 900)) / 10]) if completed else None,
                completed_at=created + DAY if completed else None,
                status=ReviewStatus.COMPLETED if completed else ReviewStatus.REQUESTED,
            )
        if status != OfferStatus.WON:
            continue
        pm = review.reviewer if review and rng.random() < 0.7 else rng.choice([None, *pms])
        handoff_status = rng.choice(HandoffStatus.values)
        if handoff_status == HandoffStatus.ACCEPTED and pm is None:
            pm = rng.choice(pms)
        returns = rng.choice([0, 0, 1, 2])
        if handoff_status == HandoffStatus.RETURNED:
            returns = max(returns, 1)
        reasons = [rng.choice(REASONS) for _ in range(returns)]
        accepted = None
        if handoff_status == HandoffStatus.ACCEPTED:
            accepted = min(closed + DAY * rng.uniform(0, 20), now - datetime.timedelta(seconds=30))
        handoff = make_handoff(
            offer=offer,
            pm=pm,
            status=handoff_status,
            created_at=closed,
            pending_since=min(closed + DAY * rng.uniform(0, 10), now),
            accepted_at=accepted,
            return_count=returns,
            return_reason=reasons[-1] if reasons else "",
        )
        for number, reason in enumerate(reasons):
            Activity.objects.create(
                actor=pm,
                verb="returned",
                target_type=handoff_type,
                target_id=handoff.pk,
                message=reason,
                created_at=min(closed + DAY * (number + 1), now),
            )
        if handoff_status != HandoffStatus.ACCEPTED:
            continue
        project_status = rng.choice(ProjectStatus.values)
        completed_at = (
            min(accepted + DAY * rng.uniform(1, 200), now) if project_status == ProjectStatus.COMPLETED else None
        )
        health = rng.choice(ProjectHealth.values)
        tenths = rng.randint(0, 1500)
        # Some completed projects miss their actual effort (0, left out of the accuracy and listed),
        # some say it was not tracked (left out, not listed).
        not_tracked = project_status == ProjectStatus.COMPLETED and tenths % 7 == 1
        if project_status == ProjectStatus.COMPLETED and tenths % 7 in (0, 1):
            tenths = 0
        project = make_project(
            handoff=handoff,
            status=project_status,
            health=health,
            actual=Decimal(tenths) / 10,
            completed_at=completed_at,
            effort_not_tracked=not_tracked,
        )
        for _ in range(rng.randint(0, 2)):
            risk_status = rng.choice(RiskStatus.values)
            ProjectRisk.objects.create(
                project=project,
                title="Project risk",
                probability=rng.randint(1, 5),
                impact=rng.randint(1, 5),
                status=risk_status,
                closed_reason="Dealt with." if risk_status == RiskStatus.CLOSED else "",
            )
        for number in range(rng.randint(0, 3)):
            Deliverable.objects.create(
                project=project,
                name=f"Deliverable {number}",
                due=rng.choice([None, (now + DAY * rng.randint(-60, 60)).date()]),
                status=rng.choice(DeliverableStatus.values),
            )
        add_after_handoff_records(rng, project=project, now=now, clients=clients)
    return {"reps": reps, "pms": pms, "clients": clients, "now": now}


def _backdate(model, pk: int, **fields) -> None:
    """auto_now_add fields take the time of the insert: move them to the moment the story needs."""
    model.objects.filter(pk=pk).update(**fields)


def add_after_handoff_records(rng: random.Random, *, project: Project, now: datetime.datetime, clients: list) -> None:
    """Change requests, client issues, pulses and follow-ups of one project, at random moments of the last 500 days."""
    for number in range(rng.randint(0, 3)):
        request = ChangeRequest.objects.create(
            project=project,
            title=f"Change {number}",
            cost_impact=rng.choice([Decimal("0"), Decimal("-1500.50"), Decimal(rng.randint(1, 10**7)) / 100]),
            schedule_impact_days=rng.randint(-10, 60),
            status=rng.choice(ChangeRequestStatus.values),
            raised_by=project.pm,
        )
        _backdate(ChangeRequest, request.pk, raised_at=now - DAY * rng.uniform(0, 500))
        if rng.random() < 0.5:
            ChangeRequestApproval.objects.create(change_request=request, user=project.pm, capacity=SignatureCapacity.PM)
    for number in range(rng.randint(0, 3)):
        issue = ClientIssue.objects.create(
            client=project.client,
            project=project if rng.random() < 0.7 else None,
            title=f"Issue {number}",
            severity=rng.choice(IssueSeverity.values),
            status=rng.choice(IssueStatus.values),
            created_by=project.sales_liaison,
        )
        _backdate(ClientIssue, issue.pk, created_at=now - DAY * rng.uniform(0, 500))
    # An issue of another client, with no project: only the client and rep filters can reach it.
    if rng.random() < 0.3:
        other = rng.choice(clients)
        ClientIssue.objects.create(
            client=other, title="Account issue", severity=rng.choice(IssueSeverity.values), created_by=project.pm
        )
    for _ in range(rng.randint(0, 4)):
        pulse = ClientPulse.objects.create(
            project=project,
            mood=rng.randint(1, 5),
            urgency=rng.randint(1, 5),
            satisfaction=rng.randint(1, 5),
            recorded_by=project.pm,
        )
        _backdate(ClientPulse, pulse.pk, recorded_at=now - DAY * rng.uniform(0, 500))
    for number in range(rng.randint(0, 2)):
        status = rng.choice(FollowUpStatus.values)
        offer = None
        if status == FollowUpStatus.CONVERTED:
            offer = make_offer(
                client=project.client,
                owner=project.sales_liaison,
                status=rng.choice(OfferStatus.values),
                value=rng.choice([None, Decimal(rng.randint(1, 10**6)) / 100]),
                probability=50,
                created_at=now - DAY * rng.uniform(0, 100),
                closed_at=now - DAY,
                title=f"Follow-up offer {project.pk}-{number}",
            )
        follow_up = FollowUp.objects.create(
            project=project,
            title=f"Follow-up {number}",
            estimated_value=Decimal(rng.randint(0, 10**7)) / 100,
            status=status,
            raised_by=project.pm,
            offer=offer,
        )
        _backdate(FollowUp, follow_up.pk, raised_at=now - DAY * rng.uniform(0, 500))
