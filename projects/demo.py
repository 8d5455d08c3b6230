"""Demo handoffs and projects: won offers whose handoffs are pending, returned, resubmitted and accepted.

Idempotent: each demo offer is looked up by its title and skipped when it exists.
Everything moves through the real services, so the activity log, snapshots and
notifications look exactly as they would in use.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from clients.models import BuyingRole, Client, ClientBrief, Contact
from handoff.models import Commitment, Feasibility, FeasibilityReview, Handoff, Offer, OfferStatus, ReviewStatus, Risk
from handoff.services.handoffs import handoff_accept, handoff_resubmit, handoff_return, offer_win
from projects.models import ProjectHealth, ProjectStatus
from projects.services import meeting_schedule_kickoff, project_update

# title, client (clients.demo's names; made here when missing), rep, pm, what happens, project status path, health.
# The sent offers are set up directly: this module is about what happens after the win.
DEMOS = [
    ("Warehouse scanning roll-out", "Nordwind Logistics GmbH", "rita", "paula", "pending", [], None),
    ("Customer portal relaunch", "Alpenblick Hotels", "sam", "peter", "returned", [], None),
    ("Field service app", "Nordwind Logistics GmbH", "rita", "paula", "resubmitted", [], None),
    ("Unassigned: shop-floor dashboards", "Stadtwerke Falkenau", "sam", None, "pending", [], None),
    ("ERP migration phase 1", "Stadtwerke Falkenau", "rita", "paula", "accepted", ["active"], "on_track"),
    ("Data platform foundation", "Alpenblick Hotels", "sam", "peter", "accepted", ["on_hold"], "at_risk"),
    ("Intranet refresh", "Nordwind Logistics GmbH", "rita", "peter", "accepted", ["active", "completed"], "on_track"),
    ("Payroll integration", "Stadtwerke Falkenau", "sam", "paula", "accepted", [], "off_track"),
]

CLIENT_DETAILS = {
    "Nordwind Logistics GmbH": ("Logistics", "Third-party logistics, six warehouses in northern Germany."),
    "Alpenblick Hotels": ("Hospitality", "Family-run hotel group modernising its booking channels."),
    "Stadtwerke Falkenau": ("Utilities", "Municipal utility for water, power and the local bus network."),
}


def _client(name: str, owner: User) -> Client:
    client = Client.objects.filter(name__iexact=name).first()
    if client is None:
        industry, _background = CLIENT_DETAILS[name]
        client = Client.objects.create(
            name=name, industry=industry, website="https://example.com", account_owner=owner, status="active"
        )
    brief, _ = ClientBrief.objects.get_or_create(client=client)
    if not brief.is_filled:
        brief.background = CLIENT_DETAILS.get(name, ("", "An established client."))[1]
        brief.goals = "Faster processes, fewer manual steps, one source of truth."
        brief.politics = "IT and operations compete for budget; the CFO has the final word."
        brief.dos_and_donts = "Do send agendas a day ahead. Don't escalate past the project lead."
        brief.confidential_notes = "Budget for next year is not approved yet."
        brief.save()
    if not client.contacts.exists():
        boss = Contact.objects.create(
            client=client,
            name="Clara Vogt",
            title="CFO",
            email="clara.vogt@example.com",
            buying_role=BuyingRole.DECISION_MAKER,
            communication_style="Short e-mails with numbers; decides in the Monday meeting.",
        )
        Contact.objects.create(
            client=client,
            name="Jonas Brandt",
            title="Head of IT",
            email="jonas.brandt@example.com",
            buying_role=BuyingRole.CHAMPION,
            reports_to=boss,
            communication_style="Prefers calls; very hands-on.",
        )
        Contact.objects.create(
            client=client,
            name="Petra Lang",
            title="Head of Operations",
            email="petra.lang@example.com",
            buying_role=BuyingRole.BLOCKER,
            reports_to=boss,
            communication_style="Sceptical of change; involve her early.",
        )
    return client


def _sent_offer(title: str, client: Client, rep: User, reviewer: User, index: int) -> Offer:
    today = timezone.localdate()
    offer = Offer.objects.create(
        client=client,
        title=title,
        summary=f"{title}: analysis, implementation, roll-out and training.",
        value=Decimal(40000 + index * 12500),
        probability=70,
        expected_close=today - datetime.timedelta(days=3),
        desired_start=today + datetime.timedelta(days=14 + index * 7),
        desired_end=today + datetime.timedelta(days=120 + index * 14),
        owner=rep,
        status=OfferStatus.SENT,
        sent_at=timezone.now() - datetime.timedelta(days=10),
    )
    Commitment.objects.create(
        offer=offer,
        text="Go-live before the end of the quarter",
        due=today + datetime.timedelta(days=90),
        feasibility=Feasibility.RISKY,
        feasibility_note="Only with the client's test data in week 2.",
    )
    Commitment.objects.create(offer=offer, text="On-site training for 10 key users", feasibility=Feasibility.FEASIBLE)
    Risk.objects.create(
        offer=offer,
        title="Legacy interfaces are undocumented",
        category="technical",
        probability=4,
        impact=4,
        mitigation="Interface workshop in week 1.",
        owner=reviewer,
        created_by=reviewer,
    )
    Risk.objects.create(
        offer=offer,
        title="Key user availability during the summer",
        category="resource",
        probability=3,
        impact=2,
        mitigation="Plan the tests around the holidays.",
        created_by=rep,
    )
    FeasibilityReview.objects.create(
        offer=offer,
        reviewer=reviewer,
        requested_by=rep,
        status=ReviewStatus.COMPLETED,
        verdict="feasible_with_conditions",
        effort_days=Decimal(50 + index * 10),
        duration_weeks=Decimal(10 + index),
        notes="Feasible if the client provides test data early.",
        milestones=[
            {"name": "Design signed off", "due": (today + datetime.timedelta(days=40)).isoformat()},
            {"name": "User acceptance test", "due": (today + datetime.timedelta(days=80)).isoformat()},
            {"name": "Go-live", "due": (today + datetime.timedelta(days=100)).isoformat()},
        ],
        completed_at=timezone.now() - datetime.timedelta(days=12),
    )
    return offer


def seed(stdout=None) -> None:
    users = {
        user.username: user for user in User.objects.filter(username__in=["rita", "sam", "paula", "peter", "mona"])
    }
    if len(users) < 5:
        return  # accounts.demo makes them; nothing to hand off without them
    created = 0
    for index, (title, client_name, rep_name, pm_name, outcome, path, health) in enumerate(DEMOS):
        if Offer.objects.filter(title=title).exists():
            continue
        rep, pm = users[rep_name], users[pm_name] if pm_name else None
        reviewer = pm or users["paula"]
        client = _client(client_name, rep)
        offer = _sent_offer(title, client, rep, reviewer, index)
        handoff = offer_win(offer=offer, actor=rep, pm=pm)
        if pm is None:
            Handoff.objects.filter(pk=handoff.pk).update(pm=None)
            handoff.refresh_from_db()
        if outcome == "pending":
            # Old enough to show an SLA breach on the handoff list.
            Handoff.objects.filter(pk=handoff.pk).update(pending_since=timezone.now() - datetime.timedelta(days=5))
        elif outcome in ("returned", "resubmitted"):
            handoff_return(
                handoff=handoff,
                actor=pm,
                reason="The go-live commitment contradicts the review: 12 weeks are needed. "
                "Please renegotiate the date or reduce the scope, and add the data-migration risk.",
            )
            if outcome == "resubmitted":
                commitment = offer.commitments.get(text__startswith="Go-live")
                commitment.text = "Go-live within 14 weeks of the kickoff"
                commitment.save(update_fields=["text"])
                Risk.objects.create(
                    offer=offer,
                    title="Data migration quality",
                    category="technical",
                    probability=3,
                    impact=5,
                    mitigation="Trial migration in week 4.",
                    created_by=rep,
                )
                Offer.objects.filter(pk=offer.pk).update(value=offer.value + Decimal("8000"))
                handoff_resubmit(handoff=handoff, actor=rep)
        elif outcome == "accepted":
            project = handoff_accept(handoff=handoff, actor=pm)
            for status in path:
                project = project_update(project=project, actor=pm, data={"status": status}, version=project.version)
            if health and health != ProjectHealth.ON_TRACK:
                project = project_update(project=project, actor=pm, data={"health": health}, version=project.version)
            if project.status == ProjectStatus.ACTIVE:
                project = project_update(
                    project=project, actor=pm, data={"actual_effort_days": Decimal("12.5")}, version=project.version
                )
                meeting_schedule_kickoff(
                    project=project,
                    actor=pm,
                    data={
                        "title": f"Kickoff: {project.name}",
                        "starts_at": timezone.now() + datetime.timedelta(days=3),
                        "duration_minutes": 90,
                        "location": "Client HQ, room 2.01",
                        "attendees": [pm, rep],
                        "contacts": list(client.contacts.all()[:2]),
                        "notes": "Introductions, scope walk-through, risks, next steps.",
                    },
                )
        created += 1
    if stdout is not None:
        stdout.write(f"Handoffs and projects: {created} demo offers handed off ({len(DEMOS) - created} already there).")
