"""Builders for the handoff and project tests: a sent offer with everything a snapshot holds."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from clients.models import BuyingRole
from handoff.models import Feasibility, OfferStatus, ReviewStatus, Verdict
from handoff.services.handoffs import handoff_accept, offer_win
from tests.factories import (
    ClientBriefFactory,
    ClientFactory,
    CommitmentFactory,
    ContactFactory,
    FeasibilityReviewFactory,
    OfferFactory,
    RiskFactory,
)


def sent_offer(*, owner, reviewer=None, title: str = "ERP roll-out", with_contacts: bool = True):
    """A sent offer of ``owner`` with two commitments, two risks, a completed review (by ``reviewer``),
    a brief with confidential notes and an org chart of three contacts."""
    client = ClientFactory(account_owner=owner, brief=None)
    ClientBriefFactory(
        client=client,
        background="Family-owned manufacturer, 400 staff.",
        goals="One ERP for both plants.",
        politics="The CFO and the plant manager disagree on priorities.",
        confidential_notes="They are also talking to a competitor.",
    )
    offer = OfferFactory(client=client, owner=owner, title=title, status=OfferStatus.SENT, value=Decimal("48000.00"))
    CommitmentFactory(
        offer=offer, text="Go-live before 1 March", due=timezone.localdate() + datetime.timedelta(days=90)
    )
    CommitmentFactory(offer=offer, text="On-site training for 10 people")
    RiskFactory(offer=offer, title="Legacy interfaces undocumented", probability=3, impact=4)
    RiskFactory(offer=offer, title="Key user on parental leave", category="resource", probability=2, impact=2)
    if reviewer is not None:
        review = FeasibilityReviewFactory(
            offer=offer,
            reviewer=reviewer,
            status=ReviewStatus.COMPLETED,
            verdict=Verdict.FEASIBLE_WITH_CONDITIONS,
            effort_days=Decimal("60.0"),
            duration_weeks=Decimal("12.0"),
            notes="Needs access to the legacy system in week 1.",
            milestones=[
                {"name": "Design signed off", "due": (timezone.localdate() + datetime.timedelta(days=60)).isoformat()},
                {"name": "Go-live", "due": None},
            ],
            completed_at=timezone.now(),
        )
        for commitment in offer.commitments.all():
            commitment.feasibility = Feasibility.RISKY if "Go-live" in commitment.text else Feasibility.FEASIBLE
            commitment.save()
        assert review.pk
    if with_contacts:
        ceo = ContactFactory(client=client, name="Carla CEO", buying_role=BuyingRole.DECISION_MAKER)
        ContactFactory(client=client, name="Ivan IT", buying_role=BuyingRole.CHAMPION, reports_to=ceo)
        ContactFactory(client=client, name="Uma User", buying_role=BuyingRole.USER, reports_to=ceo)
    return offer


def won_handoff(*, owner, reviewer=None, pm=None, **kwargs):
    offer = sent_offer(owner=owner, reviewer=reviewer, **kwargs)
    return offer_win(offer=offer, actor=owner, pm=pm)


def accepted_project(*, owner, pm, **kwargs):
    handoff = won_handoff(owner=owner, reviewer=pm, **kwargs)
    return handoff_accept(handoff=handoff, actor=pm)


def completed_project(*, owner, pm, **kwargs):
    """An accepted project its PM ran to completion (planning → active → completed), through the services."""
    from projects.services.projects import project_update

    project = accepted_project(owner=owner, pm=pm, **kwargs)
    project = project_update(project=project, actor=pm, data={"status": "active"}, version=project.version)
    # Completing asks for the actual effort.
    return project_update(
        project=project,
        actor=pm,
        data={"status": "completed", "actual_effort_days": "20"},
        version=project.version,
    )


class ClientIssueFactory(factory.django.DjangoModelFactory):
    """An issue written straight to the table (no activity, no notifications): for lists and query counts.

    Tests of behaviour log issues through ``projects.services.issues.issue_create``.
    """

    class Meta:
        model = "projects.ClientIssue"
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Issue {n}")
    description = "The client cannot log in since Monday."
    created_by = factory.LazyAttribute(lambda issue: issue.client.account_owner)

    @factory.post_generation
    def assignees(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.assignees.set(extracted)


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    """A proposed change written straight to the table: for lists and query counts.

    Tests of behaviour raise changes through ``projects.services.changes.change_request_raise``.
    """

    class Meta:
        model = "projects.ChangeRequest"

    title = factory.Sequence(lambda n: f"Change {n}")
    description = "The client asks for one more report."
    cost_impact = Decimal("1500.00")
    schedule_impact_days = 3
    raised_by = factory.LazyAttribute(lambda change: change.project.pm)


class DeliverableFactory(factory.django.DjangoModelFactory):
    """A planned deliverable written straight to the table."""

    class Meta:
        model = "projects.Deliverable"

    name = factory.Sequence(lambda n: f"Deliverable {n}")
    due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
