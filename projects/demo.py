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
from documents.demo import attach_pdf
from handoff.models import (
    Commitment,
    Feasibility,
    FeasibilityReview,
    Handoff,
    HandoffStatus,
    Offer,
    OfferStatus,
    ReviewStatus,
    Risk,
)
from handoff.services.handoffs import handoff_accept, handoff_resubmit, handoff_return, offer_win
from handoff.services.offers import commitment_add, commitment_remove, offer_update
from handoff.services.risks import risk_add
from projects.models import Project, ProjectHealth, ProjectStatus
from projects.services.projects import meeting_schedule_kickoff, project_update

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

# When the demo deals happened, in days before today: the offer was drafted, won (the handoff created),
# accepted by the PM and (for the finished one) completed. The services stamp "now"; without this, the
# sales cycle and the time to accept would all be 0.0 days. The pending ones wait for 5 days (an SLA breach).
TIMELINES = {
    "Warehouse scanning roll-out": {"drafted": 48, "won": 5},
    "Customer portal relaunch": {"drafted": 35, "won": 3},
    "Field service app": {"drafted": 62, "won": 8},
    "Unassigned: shop-floor dashboards": {"drafted": 27, "won": 5},
    "ERP migration phase 1": {"drafted": 75, "won": 30, "accepted": 28, "completed": None},
    "Data platform foundation": {"drafted": 110, "won": 60, "accepted": 56, "completed": None},
    "Intranet refresh": {"drafted": 190, "won": 150, "accepted": 149, "completed": 10},
    "Payroll integration": {"drafted": 40, "won": 12, "accepted": 9, "completed": None},
}

CLIENT_DETAILS = {
    "Nordwind Logistics GmbH": ("Logistics", "Third-party logistics, six warehouses in northern Germany."),
    "Alpenblick Hotels": ("Hospitality", "Family-run hotel group modernising its booking channels."),
    "Stadtwerke Falkenau": ("Utilities", "Municipal utility for water, power and the local bus network."),
}


def _backdate(
    handoff: Handoff, *, drafted: int, won: int, accepted: int | None = None, completed: int | None = None
) -> None:
    """Move a deal's timestamps back to ``TIMELINES`` (demo data only: no service sets a past time)."""
    now = timezone.now()

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days, hours=days % 5)

    Offer.objects.filter(pk=handoff.offer_id).update(
        created_at=ago(drafted), sent_at=ago(won + min(10, (drafted - won) // 2)), closed_at=ago(won)
    )
    FeasibilityReview.objects.filter(offer_id=handoff.offer_id).update(completed_at=ago(won + 3))
    if accepted is None:
        if handoff.status == HandoffStatus.PENDING and not handoff.return_count:
            Handoff.objects.filter(pk=handoff.pk).update(created_at=ago(won), pending_since=ago(won))
        else:
            Handoff.objects.filter(pk=handoff.pk).update(created_at=ago(won))
        return
    Handoff.objects.filter(pk=handoff.pk).update(
        created_at=ago(won), pending_since=ago(won), decided_at=ago(accepted), accepted_at=ago(accepted)
    )
    Project.objects.filter(handoff_id=handoff.pk).update(
        created_at=ago(accepted), completed_at=ago(completed) if completed is not None else None
    )


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
        # The papers the client signed: frozen into the snapshot by the win (SPEC §7.4).
        attach_pdf(
            actor=rep,
            kind="offer",
            parent=offer,
            file_name=f"Proposal - {title}.pdf",
            title=f"Proposal: {title}",
            lines=[f"Client: {client.name}", f"Value: {offer.value} EUR", offer.summary],
        )
        attach_pdf(
            actor=rep,
            kind="offer",
            parent=offer,
            file_name="Signed contract.pdf",
            title="Signed contract",
            lines=[f"Contract between {client.name} and us", "Signed by both parties."],
        )
        handoff = offer_win(offer=offer, actor=rep, pm=pm)
        if pm is None:
            Handoff.objects.filter(pk=handoff.pk).update(pm=None)
            handoff.refresh_from_db()
        if outcome == "pending":
            pass  # _backdate makes it old enough to show an SLA breach on the handoff list.
        elif outcome in ("returned", "resubmitted"):
            handoff_return(
                handoff=handoff,
                actor=pm,
                reason="The go-live commitment contradicts the review: 12 weeks are needed. "
                "Please renegotiate the date or reduce the scope, and add the data-migration risk.",
            )
            if outcome == "resubmitted":
                # The rep fixes the returned offer through the offer services, as on its page.
                offer = Offer.objects.get(pk=offer.pk)
                commitment_remove(commitment=offer.commitments.get(text__startswith="Go-live"), actor=rep)
                commitment_add(offer=offer, actor=rep, text="Go-live within 14 weeks of the kickoff")
                risk_add(
                    offer=offer,
                    actor=rep,
                    title="Data migration quality",
                    category="technical",
                    probability=3,
                    impact=5,
                    mitigation="Trial migration in week 4.",
                )
                offer_update(
                    offer=offer, actor=rep, version=offer.version, data={"value": offer.value + Decimal("8000")}
                )
                handoff_resubmit(handoff=handoff, actor=rep)
        elif outcome == "accepted":
            project = handoff_accept(handoff=handoff, actor=pm)
            for status in path:
                data: dict[str, object] = {"status": status}
                if status == ProjectStatus.COMPLETED:
                    # Completing asks for the actual effort: a little over the review's estimate, as it often is.
                    data["actual_effort_days"] = (offer.reviews.get().effort_days * Decimal("1.15")).quantize(
                        Decimal("0.1")
                    )
                project = project_update(project=project, actor=pm, data=data, version=project.version)
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
        _backdate(Handoff.objects.get(pk=handoff.pk), **TIMELINES[title])
        created += 1
    if stdout is not None:
        stdout.write(f"Handoffs and projects: {created} demo offers handed off ({len(DEMOS) - created} already there).")
    seed_changes_and_deliverables(stdout=stdout)
    seed_project_risks(stdout=stdout)
    seed_issues(users, stdout)
    seed_pulses_and_meetings(users, stdout)
    seed_follow_ups_and_lessons(users, stdout)
    seed_client_link(stdout)


# --- Project risks (SPEC §7.3) -------------------------------------------------------------------
def seed_project_risks(stdout=None) -> None:
    """Risks that lived after the sale: on the ERP project the legacy-interface risk was re-scored down and
    mitigated, the key-user risk occurred, and a new risk was found; on the data platform one was closed.

    Idempotent: a project whose PM already touched its risks (one is no longer open, or one was added) is left
    alone.
    """
    from projects.models import Project, RiskStatus
    from projects.services.risks import project_risk_add, project_risk_set_status, project_risk_update

    changed = 0
    for name in ("ERP migration phase 1", "Data platform foundation"):
        project = Project.objects.filter(name=name).select_related("pm").first()
        if project is None or project.status in ("completed", "cancelled"):
            continue
        if (
            project.risks.exclude(status=RiskStatus.OPEN).exists()
            or project.risks.filter(created_by__isnull=False).exists()
        ):
            continue
        pm = project.pm
        risks = {risk.title: risk for risk in project.risks.all()}
        legacy = risks.get("Legacy interfaces are undocumented")
        key_user = risks.get("Key user availability during the summer")
        if name == "ERP migration phase 1":
            if legacy is not None:
                project_risk_update(
                    risk=legacy,
                    actor=pm,
                    data={"probability": 2, "mitigation": "Interface workshop held; 9 of 11 interfaces documented."},
                )
                project_risk_set_status(
                    risk=legacy, actor=pm, status=RiskStatus.MITIGATED, reason="The workshop covered the main ones."
                )
            if key_user is not None:
                project_risk_set_status(
                    risk=key_user,
                    actor=pm,
                    status=RiskStatus.OCCURRED,
                    reason="Two key users are away in August; the tests moved to September.",
                )
            project_risk_add(
                project=project,
                actor=pm,
                title="Night-shift staff cannot attend the training",
                category="resource",
                probability=3,
                impact=3,
                mitigation="An extra training day (change request).",
                owner=pm,
            )
        elif key_user is not None:
            project_risk_set_status(
                risk=key_user, actor=pm, status=RiskStatus.CLOSED, reason="The project is on hold over the summer."
            )
        changed += 1
    if stdout is not None:
        stdout.write(f"Project risks: {changed} demo projects with risks that moved since the sale.")


# --- Client issues -------------------------------------------------------------------------------
# project title (or None: an account-level issue of the client), client, title, severity, reported through,
# who logs it, assignees, the statuses it moves through, comments (author, text).
DEMO_ISSUES = [
    (
        "ERP migration phase 1",
        "Stadtwerke Falkenau",
        "Invoices from the old system show the wrong VAT rate",
        "critical",
        "client",
        "paula",
        ["paula", "peter"],
        ["in_progress"],
        [
            ("paula", "Reproduced with the March export: the 7 % rate is mapped to 19 %."),
            ("rita", "Clara Vogt called me about it twice; I promised an update by Friday."),
        ],
    ),
    (
        "ERP migration phase 1",
        "Stadtwerke Falkenau",
        "Training dates clash with the billing run",
        "medium",
        "sales",
        "rita",
        ["rita"],
        [],
        [],
    ),
    (
        "Payroll integration",
        "Stadtwerke Falkenau",
        "Payslips of part-time staff are rounded down",
        "high",
        "client",
        "sam",
        ["paula", "sam"],
        ["in_progress"],
        [("paula", "The rounding rule comes from the legacy payroll table; fix planned for the next sprint.")],
    ),
    (
        "Data platform foundation",
        "Alpenblick Hotels",
        "Nightly import fails on weekend bookings",
        "high",
        "pm",
        "peter",
        ["peter"],
        ["in_progress", "resolved"],
        [("peter", "Time-zone bug in the booking export; fixed and deployed, waiting for the client to confirm.")],
    ),
    (
        "Intranet refresh",
        "Nordwind Logistics GmbH",
        "Search does not find PDF attachments",
        "low",
        "client",
        "peter",
        ["peter"],
        ["resolved", "closed"],
        [("rita", "Jonas Brandt confirmed it works now. Closing.")],
    ),
    (
        None,
        "Nordwind Logistics GmbH",
        "New invoice address not used on offers",
        "low",
        "sales",
        "rita",
        ["rita", "mona"],
        [],
        [("mona", "Accounting has the new address since May; please update the client record too.")],
    ),
]


def seed_issues(users: dict[str, User], stdout=None) -> None:
    """Client issues across severities and statuses, with assignees and comments, through the services."""
    from projects.models import ClientIssue, Project
    from projects.services.issues import issue_comment_add, issue_create, issue_transition

    created = 0
    for project_title, client_name, title, severity, channel, author, assignees, path, comments in DEMO_ISSUES:
        client = Client.objects.filter(name__iexact=client_name).first()
        if client is None or ClientIssue.objects.filter(client=client, title=title).exists():
            continue
        project = Project.objects.filter(client=client, name=project_title).first() if project_title else None
        if project_title and project is None:
            continue
        actor = users[author]
        issue = issue_create(
            actor=actor,
            client=client,
            data={
                "title": title,
                "description": f"{title}. Reported on {timezone.localdate():%d %b %Y}; the client expects an answer this week.",
                "severity": severity,
                "reported_through": channel,
                "project": project,
                "assignees": [users[name] for name in assignees],
            },
        )
        for status in path:
            issue = issue_transition(issue=issue, actor=users[assignees[0]], status=status)
        for comment_author, text in comments:
            issue_comment_add(issue=issue, actor=users[comment_author], body=text)
        created += 1
    if stdout is not None:
        stdout.write(f"Client issues: {created} logged.")


# --- Change requests, deliverables and commitments (issue 5) -----------------------------------------
def seed_changes_and_deliverables(stdout=None) -> None:
    """On the active demo project: an approved change with two signatures, one waiting for the PM's, a
    rejected one; deliverables in every status (one overdue); commitments at risk and broken for the reps.

    Idempotent: a project that already has change requests is left alone.
    """
    from projects.models import CommitmentStatus, Project
    from projects.services.changes import change_request_approve, change_request_raise, change_request_reject
    from projects.services.deliverables import (
        commitment_set_status,
        deliverable_add,
        deliverable_decide,
        deliverable_submit,
    )

    today = timezone.localdate()
    erp = Project.objects.filter(name="ERP migration phase 1").select_related("pm", "sales_liaison", "client").first()
    if erp is not None and not erp.change_requests.exists():
        pm, rep = erp.pm, erp.sales_liaison
        contacts = {contact.name: contact for contact in erp.client.contacts.all()}
        cfo = contacts.get("Clara Vogt") or next(iter(contacts.values()))
        it = contacts.get("Jonas Brandt") or cfo
        fleet = change_request_raise(
            project=erp,
            actor=pm,
            data={
                "title": "Interface to the fleet management system",
                "description": "The client wants vehicle data in the ERP from day one; not in the sold scope.",
                "cost_impact": Decimal("8500.00"),
                "schedule_impact_days": 14,
            },
        )
        change_request_approve(change_request=fleet, actor=pm, comment="Two more weeks of interface work.")
        change_request_approve(change_request=fleet, actor=rep, comment="Agreed with Clara Vogt on the phone.")
        training = change_request_raise(
            project=erp,
            actor=rep,
            data={
                "title": "Extra training day for the night shift",
                "description": "The night shift cannot attend the planned sessions.",
                "cost_impact": Decimal("1200.00"),
                "schedule_impact_days": 0,
            },
        )
        change_request_approve(change_request=training, actor=rep, comment="The client asked for it in writing.")
        export = change_request_raise(
            project=erp,
            actor=pm,
            data={
                "title": "Drop the legacy report export",
                "description": "Nobody uses the old export; dropping it saves a week.",
                "cost_impact": Decimal("-3000.00"),
                "schedule_impact_days": -5,
            },
        )
        change_request_reject(
            change_request=export, actor=rep, comment="The controller still relies on it at year end."
        )
        deliverables = {item.name: item for item in erp.deliverables.all()}
        design = deliverables.get("Design signed off")
        if design is not None:
            deliverable_submit(deliverable=design, actor=pm)
            deliverable_decide(deliverable=design, actor=pm, decision="accepted", contact=cfo)
        uat = deliverables.get("User acceptance test")
        if uat is not None:
            deliverable_submit(deliverable=uat, actor=pm)
            deliverable_decide(
                deliverable=uat,
                actor=rep,
                decision="rejected",
                contact=it,
                reason="Twelve test cases fail on the warehouse interface; fix and resubmit.",
            )
        spec = deliverable_add(
            project=erp, actor=pm, name="Interface specification", due=today + datetime.timedelta(days=10)
        )
        deliverable_submit(deliverable=spec, actor=pm)
        deliverable_add(project=erp, actor=pm, name="Data migration dry run", due=today - datetime.timedelta(days=6))
        for commitment in erp.commitments.all():
            if commitment.text.startswith("Go-live"):
                commitment_set_status(commitment=commitment, actor=pm, status=CommitmentStatus.AT_RISK)
            else:
                commitment_set_status(commitment=commitment, actor=pm, status=CommitmentStatus.KEPT)
        if stdout is not None:
            stdout.write("Change requests, deliverables and commitments: added to ERP migration phase 1.")
    platform = Project.objects.filter(name="Data platform foundation").select_related("pm").first()
    if platform is not None and not platform.commitments.exclude(status=CommitmentStatus.OPEN).exists():
        for commitment in platform.commitments.all():
            status = CommitmentStatus.BROKEN if commitment.text.startswith("Go-live") else CommitmentStatus.RENEGOTIATED
            commitment_set_status(commitment=commitment, actor=platform.pm, status=status)


# --- Client pulse and meetings (issue 5, part D) ------------------------------------------------------
# project title → pulses, oldest first: (mood, urgency, satisfaction, note). One week apart, the last one today.
DEMO_PULSES = {
    "ERP migration phase 1": [
        (4, 2, 5, "Good start; the CFO likes the weekly updates."),
        (4, 3, 4, ""),
        (3, 4, 4, "Worried about the VAT mapping."),
        (2, 5, 2, "Clara Vogt is upset: invoices went out with the wrong VAT rate."),
        (3, 4, 3, "Calmer after the fix plan; still watching closely."),
    ],
    "Data platform foundation": [
        (4, 2, 5, ""),
        (3, 3, 4, "The hold frustrates the operations team."),
        (3, 3, 3, ""),
        (2, 4, 3, "They ask when we restart; budget approval still pending on their side."),
    ],
    "Intranet refresh": [
        (4, 2, 3, ""),
        (5, 2, 4, "Very happy with the new search."),
        (5, 1, 5, "Go-live went smoothly."),
    ],
    "Payroll integration": [
        (3, 2, 4, ""),
        (3, 4, 2, "Rounding issue on part-time payslips raised."),
    ],
}


def seed_pulses_and_meetings(users: dict[str, User], stdout=None) -> None:
    """A pulse history per project (one of them low), and a weekly status meeting with notes, decisions and
    action items (one overdue) plus a past steering meeting on each open project; through the services."""
    from projects.models import ClientPulse, Meeting, MeetingKind, Project
    from projects.services.meetings import action_item_add, action_item_set_done, meeting_create, meeting_update_notes
    from projects.services.pulses import pulse_record

    now = timezone.now()
    pulses = meetings = 0
    for project in Project.objects.filter(name__in=DEMO_PULSES).select_related("pm", "sales_liaison", "client"):
        if ClientPulse.objects.filter(project=project).exists():
            continue
        history = DEMO_PULSES[project.name]
        for index, (mood, urgency, satisfaction, note) in enumerate(history):
            actor = project.sales_liaison if index % 2 else project.pm
            pulse = pulse_record(
                project=project, actor=actor, mood=mood, urgency=urgency, satisfaction=satisfaction, note=note
            )
            # Spread the history over the past weeks, the last one today.
            when = now - datetime.timedelta(days=7 * (len(history) - 1 - index), hours=index)
            ClientPulse.objects.filter(pk=pulse.pk).update(recorded_at=when)
            pulses += 1
    for project in Project.objects.filter(name__in=DEMO_PULSES).exclude(status__in=["completed", "cancelled"]):
        if Meeting.objects.filter(project=project, kind=MeetingKind.REGULAR).exists():
            continue
        pm, rep = project.pm, project.sales_liaison
        contacts = list(project.client.contacts.order_by("name")[:2])
        first = timezone.localtime(now - datetime.timedelta(days=21)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        weekly = meeting_create(
            project=project,
            actor=pm,
            data={
                "title": f"Weekly status: {project.name}",
                "starts_at": first,
                "duration_minutes": 45,
                "location": "Video call",
                "recurrence": "weekly",
                "attendees": [pm, rep],
                "contacts": contacts,
                "notes": "",
            },
        )
        meeting_update_notes(
            meeting=weekly,
            actor=pm,
            data={
                "notes": "Progress since last week, open issues, next steps.\n"
                "The client asked for a short written summary after each call.",
                "decisions": "Status calls stay weekly until go-live.\nTest data arrives in week 2.",
            },
        )
        overdue = action_item_add(
            meeting=weekly,
            actor=pm,
            text="Send the client the updated project plan",
            owner=rep,
            due=first.date() + datetime.timedelta(days=7),
        )
        action_item_add(
            meeting=weekly,
            actor=pm,
            text="Book the training room for the key users",
            owner=pm,
            due=timezone.localdate() + datetime.timedelta(days=10),
        )
        done = action_item_add(
            meeting=weekly, actor=pm, text="Share the test-data template", owner=pm, due=first.date()
        )
        action_item_set_done(item=done, actor=pm, done=True)
        assert overdue.pk
        steering = meeting_create(
            project=project,
            actor=pm,
            data={
                "title": f"Steering committee: {project.name}",
                "starts_at": first + datetime.timedelta(days=11, hours=4),
                "duration_minutes": 60,
                "location": "Client HQ",
                "attendees": [pm, rep, users["mona"]],
                "contacts": contacts[:1],
            },
        )
        meeting_update_notes(
            meeting=steering,
            actor=pm,
            data={
                "notes": "Budget and scope review with the client's management.",
                "decisions": "No scope changes before the first milestone.",
            },
        )
        meetings += 2
    if stdout is not None:
        stdout.write(f"Client pulses and meetings: {pulses} pulses, {meetings} meetings added.")


# --- Follow-up opportunities and lessons learned ------------------------------------------------------
# project title, who raises, title, description, estimated value, what the account owner does (None: open).
DEMO_FOLLOW_UPS = [
    (
        "ERP migration phase 1",
        "paula",
        "Smart-meter data integration",
        "Their metering team asked whether the new ERP could take the smart-meter readings directly.",
        Decimal("65000"),
        None,
    ),
    (
        "Data platform foundation",
        "sam",
        "Revenue management dashboards",
        "The revenue manager wants occupancy and rate dashboards on the new platform once it is live.",
        Decimal("38000"),
        None,
    ),
    (
        "Intranet refresh",
        "peter",
        "Employee mobile app",
        "Drivers and warehouse staff have no desk: they asked for the intranet news and shift plans on their phones.",
        Decimal("42000"),
        "convert",
    ),
    (
        "Intranet refresh",
        "peter",
        "Second-level support contract",
        "Their IT asked who answers the intranet tickets after go-live.",
        Decimal("9000"),
        "dismiss",
    ),
]
DEMO_LESSONS = [
    (
        "Intranet refresh",
        "peter",
        "Works councils must approve every tool that shows staff data: put their sign-off into the plan "
        "from the start, it took four weeks here.",
    ),
    (
        "Intranet refresh",
        "rita",
        "Jonas Brandt decides on the technology, but Clara Vogt only signs after a reference call. "
        "Offer one before the final price, not after.",
    ),
]


def seed_follow_ups_and_lessons(users: dict[str, User], stdout=None) -> None:
    """Follow-ups open, converted and dismissed, and the lessons of the completed project (idempotent)."""
    from projects.models import FollowUp, LessonLearned, Project
    from projects.services.followups import follow_up_convert, follow_up_dismiss, follow_up_raise
    from projects.services.lessons import lesson_add

    projects = {project.name: project for project in Project.objects.select_related("client__account_owner")}
    raised = lessons = 0
    for project_name, raiser, title, description, value, decision in DEMO_FOLLOW_UPS:
        project = projects.get(project_name)
        if project is None or FollowUp.objects.filter(project=project, title=title).exists():
            continue
        follow_up = follow_up_raise(
            project=project, actor=users[raiser], title=title, description=description, estimated_value=value
        )
        owner = project.client.account_owner
        if decision == "convert" and owner is not None and owner.is_sales:
            follow_up_convert(follow_up=follow_up, actor=owner)
        elif decision == "dismiss" and owner is not None:
            follow_up_dismiss(
                follow_up=follow_up, actor=owner, reason="Their parent company runs second-level support for them."
            )
        raised += 1
    for project_name, author, text in DEMO_LESSONS:
        project = projects.get(project_name)
        if project is None or project.status != ProjectStatus.COMPLETED:
            continue
        if LessonLearned.objects.filter(project=project, text=text).exists():
            continue
        lesson_add(project=project, actor=users[author], text=text)
        lessons += 1
    if stdout is not None:
        stdout.write(f"Follow-ups and lessons learned: {raised} follow-ups raised, {lessons} lessons recorded.")


# --- The client takes part (SPEC §7.5) -----------------------------------------------------------
def seed_client_link(stdout=None) -> None:
    """An active client link for the CFO of the ERP project; its URL is printed on every run.

    The token is derived from the SECRET_KEY (``demo_token``), so a rerun finds the same link and
    revives it when it expired or was revoked.
    """
    from projects.models import ClientLink, Project
    from projects.services.client_links import client_link_issue, demo_token, hash_token, link_url

    erp = Project.objects.filter(name="ERP migration phase 1").select_related("pm", "client").first()
    contact = erp and (erp.client.contacts.filter(name="Clara Vogt").first() or erp.client.contacts.first())
    if erp is None or contact is None:
        return
    token = demo_token()
    link = ClientLink.objects.filter(token_hash=hash_token(token)).first()
    if link is None:
        client_link_issue(actor=erp.pm, project=erp, contact=contact, expires_in_days=90, token=token)
    elif not link.is_active:
        ClientLink.objects.filter(pk=link.pk).update(
            revoked_at=None, revoked_by=None, expires_at=timezone.now() + datetime.timedelta(days=90)
        )
    if stdout is not None:
        stdout.write(f"Client link for {contact.name} on {erp.name} (no login needed): {link_url(token)}")
