"""Demo offers in every open and closed status (won ones come from the handoff part), through the services.

Idempotent: an offer whose title exists is left alone. Offers are made for
the clients that ``clients.demo`` creates, looked up by name; a client that
is missing is created here with a brief and a decision maker, so the demo
also works on its own. Everything goes through the services, so the
timelines and the readiness checklists are real.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from clients.models import BuyingRole, Client
from core.errors import DomainError
from documents.demo import attach_pdf
from handoff.models import Commitment, Offer
from handoff.services import offers as offer_services
from handoff.services import reviews as review_services
from handoff.services import risks as risk_services

# Used when clients.demo did not create the client: (industry, decision maker, brief background).
FALLBACK_CLIENTS: dict[str, tuple[str, str, str]] = {
    "Nordwind Logistics GmbH": (
        "Logistics",
        "Karin Albers",
        "Third-party logistics, six warehouses in northern Germany, growing by acquisition.",
    ),
    "Stadtwerke Falkenau": (
        "Utilities",
        "Jonas Weber",
        "Municipal utility; every purchase above a threshold goes to the supervisory board.",
    ),
    "Helix Pharma AG": (
        "Pharmaceuticals",
        "Dr. Amira Haddad",
        "Mid-size pharma company; validated systems, long approval cycles.",
    ),
    "Alpenblick Hotels": (
        "Hospitality",
        "Lena Hofer",
        "Family-run hotel group modernising its booking channels.",
    ),
    "Kaufmann & Söhne Möbel": (
        "Furniture",
        "Petra Kaufmann",
        "Family-owned furniture maker with two plants; the founder's family decides.",
    ),
}


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _client(name: str, rep: User, stdout: Any) -> Client | None:
    client = Client.objects.filter(name__iexact=name).first()
    if client is not None:
        return client
    if name not in FALLBACK_CLIENTS:
        if stdout is not None:
            stdout.write(f"  (skipped offers for {name}: no such client)")
        return None
    from clients import services as client_services

    industry, decision_maker, background = FALLBACK_CLIENTS[name]
    client = client_services.client_create(actor=rep, name=name, industry=industry, account_owner=rep)
    client_services.contact_create(
        actor=rep, client=client, name=decision_maker, title="Managing director", buying_role=BuyingRole.DECISION_MAKER
    )
    client_services.brief_update(actor=rep, client=client, version=1, background=background)
    return client


# title, client, rep, value, probability, target status, reviewer, verdict
DEMO_OFFERS: list[dict[str, Any]] = [
    {
        "title": "Warehouse management roll-out",
        "client": "Nordwind Logistics GmbH",
        "rep": "rita",
        "value": Decimal("184000.00"),
        "probability": 70,
        "status": "sent",
        "reviewer": "paula",
        "verdict": "feasible",
        "commitments": [
            ("Go-live in the main warehouse before the peak season", 120),
            ("On-site training for 12 shift leads", 100),
        ],
        "risks": [
            ("Scanner hardware delivery times", "resource", 3, 4, "Order the devices at signature."),
            ("Interfaces to the legacy ERP undocumented", "technical", 4, 3, "Two-day interface workshop in week 1."),
        ],
    },
    {
        "title": "Guest app redesign",
        "client": "Alpenblick Hotels",
        "rep": "rita",
        "value": Decimal("96000.00"),
        "probability": 50,
        "status": "returned",  # draft with a completed review: back from review, waiting on the rep
        "reviewer": "peter",
        "verdict": "feasible_with_conditions",
        "commitments": [("Accessible (WCAG 2.1 AA) guest app", 150)],
        "risks": [("Client design approvals are slow", "client", 4, 2, "Fixed weekly design review.")],
    },
    {
        # Changed after the PM's review (SPEC §7.1): the review is stale until Paula re-confirms it.
        "title": "Fleet telematics dashboard",
        "client": "Nordwind Logistics GmbH",
        "rep": "rita",
        "value": Decimal("64000.00"),
        "probability": 60,
        "status": "stale",
        "reviewer": "paula",
        "verdict": "feasible",
        "commitments": [("Dashboard live for the spring tenders", 110)],
        "risks": [("Telematics vendor API rate limits", "technical", 3, 3, "Cache the positions per minute.")],
        "after_review": {"value": Decimal("89000.00"), "commitment": ("Driver app in German and Polish", 140)},
    },
    {
        "title": "Smart meter roll-out pilot",
        "client": "Stadtwerke Falkenau",
        "rep": "sam",
        "value": Decimal("58000.00"),
        "probability": 40,
        "status": "review",
        "reviewer": "peter",
        "commitments": [("Pilot with 500 meters in one district", 90)],
        "risks": [("Meter data quality unknown", "technical", 3, 3, "Data assessment before the pilot starts.")],
    },
    {
        "title": "Shop-floor data platform",
        "client": "Kaufmann & Söhne Möbel",
        "rep": "rita",
        "value": None,
        "probability": 30,
        "status": "draft",
        "commitments": [],
        "risks": [],
    },
    {
        "title": "Lab sample tracking",
        "client": "Helix Pharma AG",
        "rep": "sam",
        "value": Decimal("72000.00"),
        "probability": 20,
        "status": "lost",
        "reason": "The client chose an off-the-shelf product.",
        "commitments": [("Integration with the laboratory information system", 120)],
        "risks": [("Validation effort underestimated", "legal", 4, 4, "Involve QA from day one.")],
    },
    {
        "title": "Legacy intranet support extension",
        "client": "Helix Pharma AG",
        "rep": "sam",
        "value": Decimal("18000.00"),
        "probability": 60,
        "status": "withdrawn",
        "reason": "We stop supporting the old platform; offered a migration instead.",
        "commitments": [],
        "risks": [],
        "no_risks": True,
    },
    {
        "title": "Route optimisation add-on",
        "client": "Nordwind Logistics GmbH",
        "rep": "sam",
        "value": Decimal("42000.00"),
        "probability": 65,
        "status": "sent",
        "reviewer": "paula",
        "verdict": "feasible",
        "commitments": [("Live for the winter timetable", 80)],
        "risks": [],
        "no_risks": True,
    },
]


def _review(offer: Offer, rep: User, spec: dict[str, Any], users: dict[str, User], complete: bool) -> None:
    reviewer = users[spec["reviewer"]]
    review = review_services.review_request(offer=offer, actor=rep, reviewer=reviewer)
    if not complete:
        return
    commitments = list(Commitment.objects.filter(offer=offer))
    marks = [
        {
            "commitment": c.pk,
            "mark": "feasible" if i == 0 else "risky",
            "note": "" if i == 0 else "Tight, plan a buffer.",
        }
        for i, c in enumerate(commitments)
    ]
    conditional = spec["verdict"] != "feasible"
    review_services.review_complete(
        review=review,
        actor=reviewer,
        verdict=spec["verdict"],
        effort_days=Decimal("120.0") if offer.value and offer.value > 100000 else Decimal("45.0"),
        duration_weeks=Decimal("16.0") if offer.value and offer.value > 100000 else Decimal("8.0"),
        notes="Feasible if the client names a product owner with decision rights." if conditional else "",
        milestones=[
            {"name": "Kickoff", "due": _day(50).isoformat()},
            {"name": "Pilot live", "due": _day(95).isoformat()},
            {"name": "Go-live", "due": _day(130).isoformat()},
        ],
        commitment_marks=marks,
    )


def seed(stdout: Any = None) -> list[Offer]:
    users = {user.username: user for user in User.objects.filter(username__in=["rita", "sam", "paula", "peter"])}
    if len(users) < 4:
        if stdout is not None:
            stdout.write("  (skipped demo offers: the demo users are missing)")
        return []
    created: list[Offer] = []
    for spec in DEMO_OFFERS:
        if Offer.objects.filter(title=spec["title"]).exists():
            continue
        rep = users[spec["rep"]]
        client = _client(spec["client"], rep, stdout)
        if client is None:
            continue
        offer = offer_services.offer_create(
            actor=rep,
            client=client,
            title=spec["title"],
            summary=f"{spec['title']} for {client.name}: analysis, implementation, roll-out and hypercare.",
            value=spec["value"],
            probability=spec["probability"],
            expected_close=_day(30),
            desired_start=_day(45),
            desired_end=_day(160),
        )
        for text, due_in in spec["commitments"]:
            offer_services.commitment_add(offer=offer, actor=rep, text=text, due=_day(due_in))
        for title, category, probability, impact, mitigation in spec["risks"]:
            risk_services.risk_add(
                offer=offer,
                actor=rep,
                title=title,
                category=category,
                probability=probability,
                impact=impact,
                mitigation=mitigation,
                owner=rep,
            )
        if spec.get("no_risks"):
            risk_services.offer_sign_off_no_risks(offer=offer, actor=rep)
        attach_pdf(
            actor=rep,
            kind="offer",
            parent=offer,
            file_name="Proposal.pdf",
            title=f"Proposal: {offer.title}",
            lines=[f"Client: {client.name}", f"Value: {offer.value} EUR", offer.summary],
        )
        status = spec["status"]
        if spec.get("reviewer"):
            _review(offer, rep, spec, users, complete=status != "review")
        if after := spec.get("after_review"):
            offer = offer_services.offer_update(
                offer=offer, actor=rep, version=Offer.objects.get(pk=offer.pk).version, data={"value": after["value"]}
            )
            text, due_in = after["commitment"]
            offer_services.commitment_add(offer=offer, actor=rep, text=text, due=_day(due_in))
        try:
            if status == "sent":
                offer_services.offer_send(offer=offer, actor=rep)
            elif status == "lost":
                offer_services.offer_lose(offer=offer, actor=rep, reason=spec["reason"])
            elif status == "withdrawn":
                offer_services.offer_withdraw(offer=offer, actor=rep, reason=spec["reason"])
        except DomainError as error:
            if stdout is not None:
                stdout.write(f"  (offer “{offer.title}” stays a draft: {error.message})")
        created.append(offer)
    if stdout is not None:
        stdout.write(f"Demo offers: {len(created)} created, {Offer.objects.count()} in total.")
    return created
