"""The seeded world every matrix cell runs against (seeded once per test module).

One client (``client``) owned by the rep, with a brief whose confidential notes
carry ``SECRET_NOTES``; offers of the rep in every status; a review assigned to
the PM; a pending and a returned handoff assigned to the PM; a project owned by
the PM with the rep as sales liaison and every after-handoff record. A second
client (``other_client``) belongs to the other rep, with its own secret, and no
PM ever touched it. Every persona has notifications of their own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clients.models import BuyingRole
from documents.pdf import simple_pdf
from documents.services import document_upload
from handoff.models import Offer, OfferStatus
from handoff.services.handoffs import handoff_accept, handoff_return, offer_win
from notifications.events import Event
from notifications.models import Notification
from notifications.services import notify
from projects.models import (
    ActionItem,
    ChangeRequest,
    ClientIssue,
    ClientPulse,
    Deliverable,
    DeliverableStatus,
    FollowUp,
    IssueComment,
    LessonLearned,
    Meeting,
    MeetingKind,
    MeetingRecurrence,
    Project,
    ProjectStatus,
)
from tests.factories import (
    ClientBriefFactory,
    ClientFactory,
    CommitmentFactory,
    ContactFactory,
    OfferFactory,
    RiskFactory,
    UserFactory,
)
from tests.handoff.offer_factories import completed_review, offer_in_review

ANONYMOUS = "anon"
PERSONAS = ("anon", "rep", "other_rep", "pm", "other_pm", "manager")
SECRET_NOTES = "MATRIX-SECRET-of-the-reps-client"
OTHER_SECRET_NOTES = "MATRIX-SECRET-of-the-other-reps-client"


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def id(self, key: str) -> int:
        return self.objects[key].pk

    def user(self, persona: str):
        return self.users.get(persona)


def _ready_offer(*, client, owner, reviewer, title: str, status: str = OfferStatus.DRAFT):
    """An offer of ``owner`` meeting every readiness item: reviewed by ``reviewer``, one risk, one commitment."""
    offer = OfferFactory(client=client, owner=owner, title=title, status=status, value=Decimal("48000.00"))
    CommitmentFactory(offer=offer, text=f"{title}: go-live before 1 March")
    RiskFactory(offer=offer, title=f"{title}: legacy interfaces")
    completed_review(offer, reviewer, verdict="feasible_with_conditions")
    return offer


def _document(owner, offer, name: str, *, confidential: bool = False):
    return document_upload(
        actor=owner,
        kind="offer",
        parent=offer,
        file=SimpleUploadedFile(name, simple_pdf(name)),
        name=name,
        confidential=confidential,
    )


def seed_world() -> World:
    world = World()
    users = world.users
    users["rep"] = UserFactory(username="mx_rep", first_name="Rita", last_name="Rep", roles=["sales"])
    users["other_rep"] = UserFactory(username="mx_other_rep", first_name="Otto", last_name="Other", roles=["sales"])
    users["pm"] = UserFactory(username="mx_pm", first_name="Paula", last_name="Pm", roles=["pm"])
    users["other_pm"] = UserFactory(username="mx_other_pm", first_name="Peter", last_name="Planner", roles=["pm"])
    users["manager"] = UserFactory(username="mx_manager", first_name="Mona", last_name="Boss", roles=["manager"])
    rep, other_rep, pm = users["rep"], users["other_rep"], users["pm"]
    objects = world.objects

    # --- Clients, briefs, contacts -----------------------------------------------------------
    client = ClientFactory(name="Matrix Manufacturing", account_owner=rep, brief=None)
    ClientBriefFactory(
        client=client,
        background="Family-owned manufacturer, 400 staff.",
        goals="One ERP for both plants.",
        politics="The CFO and the plant manager disagree.",
        confidential_notes=SECRET_NOTES,
    )
    ceo = ContactFactory(client=client, name="Carla Ceo", buying_role=BuyingRole.DECISION_MAKER)
    objects["contact"] = ContactFactory(client=client, name="Ivan It", buying_role=BuyingRole.CHAMPION, reports_to=ceo)
    objects["decision_maker"] = ceo
    objects["client"] = client
    other_client = ClientFactory(name="Other Rep Industries", account_owner=other_rep, brief=None)
    ClientBriefFactory(
        client=other_client, background="The other rep's account.", confidential_notes=OTHER_SECRET_NOTES
    )
    objects["other_contact"] = ContactFactory(
        client=other_client, name="Olga Other", buying_role=BuyingRole.DECISION_MAKER
    )
    objects["other_client"] = other_client

    # --- Offers in every status ---------------------------------------------------------------
    draft = _ready_offer(client=client, owner=rep, reviewer=pm, title="Ready draft")
    objects["offer_draft"] = draft
    objects["commitment"] = draft.commitments.get()
    objects["risk"] = draft.risks.get()
    in_review, review = offer_in_review(rep, pm, client=client, title="Offer in review")
    CommitmentFactory(offer=in_review, text="On-site training for 10 people")
    objects["offer_review"], objects["review"] = in_review, review
    objects["offer_sent"] = _ready_offer(client=client, owner=rep, reviewer=pm, title="Sent offer", status="sent")
    objects["document"] = _document(rep, objects["offer_sent"], "Proposal.pdf")
    objects["document_confidential"] = _document(rep, objects["offer_sent"], "Margin.pdf", confidential=True)
    signed = OfferFactory(
        client=client,
        owner=rep,
        title="Signed off: no significant risks",
        no_risks_signed_off_by=rep,
        no_risks_signed_off_at=timezone.now(),
    )
    completed_review(signed, pm)
    objects["offer_signed_off"] = signed
    # Changed since the PM's review (SPEC §7.1): the value moved and a commitment was added.
    stale = _ready_offer(client=client, owner=rep, reviewer=pm, title="Changed since the review")
    Offer.objects.filter(pk=stale.pk).update(value=Decimal("96000.00"))
    objects["commitment_unmarked"] = CommitmentFactory(offer=stale, text="Changed: a second training day")
    objects["offer_stale"] = stale
    objects["review_stale"] = stale.reviews.get()
    objects["review_current"] = draft.reviews.get()
    objects["offer_lost"] = OfferFactory(client=client, owner=rep, title="Lost offer", status=OfferStatus.LOST)
    objects["other_offer"] = OfferFactory(client=other_client, owner=other_rep, title="The other rep's draft")

    # --- Handoffs: pending, returned, accepted (the project) ----------------------------------
    won = _ready_offer(client=client, owner=rep, reviewer=pm, title="Won, pending", status="sent")
    objects["document_frozen"] = _document(rep, won, "Signed contract.pdf")  # frozen by the win below
    objects["handoff_pending"] = offer_win(offer=won, actor=rep, pm=pm)
    objects["offer_won"] = won
    returned = _ready_offer(client=client, owner=rep, reviewer=pm, title="Won, returned", status="sent")
    objects["handoff_returned"] = handoff_return(
        handoff=offer_win(offer=returned, actor=rep, pm=pm), actor=pm, reason="The budget line is missing."
    )
    sold = _ready_offer(client=client, owner=rep, reviewer=pm, title="Won, accepted", status="sent")
    project = handoff_accept(handoff=offer_win(offer=sold, actor=rep, pm=pm), actor=pm)
    objects["project"] = project
    objects["project_commitment"] = project.commitments.order_by("pk").first()
    objects["project_risk"] = project.risks.order_by("pk").first()
    finished = _ready_offer(client=client, owner=rep, reviewer=pm, title="Won, delivered", status="sent")
    done = handoff_accept(handoff=offer_win(offer=finished, actor=rep, pm=pm), actor=pm)
    Project.objects.filter(pk=done.pk).update(status=ProjectStatus.COMPLETED, completed_at=timezone.now())
    objects["project_done"] = done
    objects["handoff_accepted"] = project.handoff

    # --- After the handoff ------------------------------------------------------------------------
    today = timezone.localdate()
    objects["change_request"] = ChangeRequest.objects.create(
        project=project,
        title="Add a second plant",
        description="Roll out to the Linz plant as well.",
        cost_impact=Decimal("8000.00"),
        schedule_impact_days=20,
        raised_by=pm,
    )
    objects["deliverable"] = Deliverable.objects.create(project=project, name="Design document", due=today)
    objects["deliverable_submitted"] = Deliverable.objects.create(
        project=project,
        name="Pilot plant live",
        due=today + datetime.timedelta(days=30),
        status=DeliverableStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    issue = ClientIssue.objects.create(
        client=client, project=project, title="Invoices print twice", description="Since Monday.", created_by=rep
    )
    issue.assignees.add(pm)
    objects["issue"] = issue
    objects["issue_comment"] = IssueComment.objects.create(issue=issue, author=rep, body="The client called again.")
    objects["follow_up"] = FollowUp.objects.create(
        project=project,
        title="Warehouse module",
        description="The client asked about a warehouse module.",
        estimated_value=Decimal("15000.00"),
        raised_by=pm,
    )
    objects["pulse"] = ClientPulse.objects.create(
        project=project, mood=4, urgency=2, satisfaction=4, note="Happy so far.", recorded_by=rep
    )
    meeting = Meeting.objects.create(
        project=project,
        kind=MeetingKind.REGULAR,
        recurrence=MeetingRecurrence.WEEKLY,
        title="Weekly status",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        created_by=pm,
    )
    meeting.attendees.add(pm, rep)
    objects["meeting"] = meeting
    objects["action_item"] = ActionItem.objects.create(
        meeting=meeting, text="Send the interface list", owner=rep, due=today + datetime.timedelta(days=7)
    )
    objects["lesson"] = LessonLearned.objects.create(
        project=project, client=client, text="Ask for the legacy documentation before signing.", author=pm
    )
    from projects.services.client_links import client_link_issue

    objects["client_link"], _token = client_link_issue(actor=pm, project=project, contact=ceo)

    # --- Notifications: everyone has their own -------------------------------------------------
    notify(event=Event.FOLLOW_UP_RAISED, recipients=[other_rep], target=other_client, title="For the other rep")
    notify(event=Event.HANDOFF_REASSIGNED, recipients=[users["other_pm"]], target=other_client, title="Other PM")
    for persona, user in users.items():
        own = Notification.objects.filter(recipient=user, channel="in_app").order_by("pk").first()
        assert own is not None, f"the world has no notification for {persona}"
        objects[f"notification_{persona}"] = own
    return world
