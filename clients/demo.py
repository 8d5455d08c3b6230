"""Demo clients with org charts and briefs, owned by the demo reps rita and sam (accounts.demo).

Idempotent: a client that exists (by name, any case) is left as it is. New ones
are made through the services, so their timelines show who did what.
"""

from __future__ import annotations

import unicodedata

from accounts.models import User
from clients.models import BuyingRole, Client, ClientStatus
from clients.services import brief_update, client_create, contact_create

DM, INF, CH, US, BL, OT = (
    BuyingRole.DECISION_MAKER,
    BuyingRole.INFLUENCER,
    BuyingRole.CHAMPION,
    BuyingRole.USER,
    BuyingRole.BLOCKER,
    BuyingRole.OTHER,
)

# Each contact: (key, name, title, buying role, reports to (key), communication style).
DEMO_CLIENTS = [
    {
        "name": "Nordwind Logistics GmbH",
        "industry": "Logistics",
        "website": "https://nordwind-logistics.example",
        "owner": "rita",
        "status": ClientStatus.ACTIVE,
        "contacts": [
            (
                "ceo",
                "Henrike Albers",
                "Managing Director",
                DM,
                None,
                "Wants the one-page summary first, numbers second. Prefers a call over e-mail; never before 9:00.",
            ),
            (
                "cio",
                "Jonas Petersen",
                "Head of IT",
                INF,
                "ceo",
                "Technical and thorough; send the architecture diagram ahead of any meeting.",
            ),
            (
                "ops",
                "Mira Schulte",
                "Head of Warehouse Operations",
                CH,
                "ceo",
                "Our champion. Informal, uses first names, answers on Teams within minutes.",
            ),
            (
                "lead",
                "Tobias Krüger",
                "IT Team Lead, Integration",
                US,
                "cio",
                "Hands-on; happiest in a working session with real data.",
            ),
            (
                "proc",
                "Dr. Sabine Vogt",
                "Procurement",
                BL,
                "ceo",
                "Formal, by e-mail only, everything in writing. Pushes hard on payment terms.",
            ),
        ],
        "brief": {
            "background": "Regional logistics group, 14 warehouses in northern Germany, 2 300 employees. "
            "Runs a 15-year-old in-house warehouse system that nobody wants to touch.",
            "goals": "Real-time stock visibility across all sites by the next peak season; cut picking errors by half.",
            "expectations": "A phased roll-out, one pilot warehouse first. Weekly status by e-mail to the MD.",
            "politics": "IT and Operations disagree on who owns the new system. Mira (Ops) drives it; "
            "Jonas (IT) fears losing control. Keep both in every steering meeting.",
            "dos_and_donts": "Do bring warehouse floor examples. Don't say 'replace' about the old system: "
            "say 'extend'. Don't schedule anything in November (peak).",
            "confidential_notes": "Budget approved up to 480k; the MD hinted 10 % more is possible for "
            "a guaranteed go-live before 1 October. Procurement was burned by a vendor in 2022.",
        },
    },
    {
        "name": "Stadtwerke Falkenau",
        "industry": "Utilities",
        "website": "https://stadtwerke-falkenau.example",
        "owner": "rita",
        "status": ClientStatus.ACTIVE,
        "contacts": [
            (
                "board",
                "Klaus Degenhardt",
                "Technical Director",
                DM,
                None,
                "Old school: letters and printed agendas. Address as Herr Degenhardt.",
            ),
            (
                "digital",
                "Anja Roth",
                "Head of Digitalisation",
                CH,
                "board",
                "Energetic, fast decisions, prefers short video calls.",
            ),
            (
                "it",
                "Peter Hahn",
                "IT Security Officer",
                BL,
                "digital",
                "Blocks anything cloud without a data-processing agreement; send documents early.",
            ),
            (
                "user",
                "Lena Fischer",
                "Customer Service Lead",
                US,
                "digital",
                "Cares about her team's workload; show the screens, not the slides.",
            ),
        ],
        "brief": {
            "background": "Municipal utility serving 85 000 households with power, water and district heating.",
            "goals": "A customer self-service portal (meter readings, instalments, moves) to relieve the call centre.",
            "expectations": "Public-sector procurement rules; on-premise hosting or a German data centre.",
            "politics": "The city council watches the budget closely; an election is due next spring.",
            "dos_and_donts": "Do mention other municipal references. Don't promise dates before the council vote.",
            "confidential_notes": "Anja is applying for the CIO role at the city; a visible success matters to her.",
        },
    },
    {
        "name": "Helix Pharma AG",
        "industry": "Pharmaceuticals",
        "website": "https://helix-pharma.example",
        "owner": "sam",
        "status": ClientStatus.PROSPECT,
        "contacts": [
            (
                "cfo",
                "Dr. Marta Lindqvist",
                "CFO",
                DM,
                None,
                "Precise and numbers-driven. Send a business case with ranges, not a single figure.",
            ),
            (
                "qa",
                "Rafael Ortiz",
                "Head of Quality Assurance",
                INF,
                "cfo",
                "Everything must be GxP-validated; speaks in regulations. Formal e-mail.",
            ),
            (
                "lab",
                "Yuki Tanaka",
                "Lab Operations Manager",
                CH,
                "qa",
                "Pragmatic and friendly; happy to demo to her team on short notice.",
            ),
            ("tech", "Ben Adler", "Lab Technician", US, "lab", ""),
        ],
        "brief": {
            "background": "Mid-size generics manufacturer with two production sites (Basel, Lyon).",
            "goals": "Replace paper batch records with an electronic batch record system.",
            "expectations": "Validation documentation delivered with the software; a fixed price for the pilot.",
            "politics": "QA has a veto on every system touching production.",
            "dos_and_donts": "Do involve QA from the first workshop. Don't use the word 'agile' with Rafael.",
            "confidential_notes": "",
        },
    },
    {
        "name": "Kaufmann & Söhne Möbel",
        "industry": "Retail",
        "website": "https://kaufmann-moebel.example",
        "owner": "sam",
        "status": ClientStatus.ACTIVE,
        "contacts": [
            (
                "owner",
                "Georg Kaufmann",
                "Owner and CEO",
                DM,
                None,
                "Family business, decides on trust. Visit in person; he remembers who came.",
            ),
            (
                "ecom",
                "Julia Kaufmann",
                "Head of E-Commerce",
                DM,
                "owner",
                "The owner's daughter; modern, direct, Slack and short messages.",
            ),
            (
                "fin",
                "Werner Brandt",
                "Head of Finance",
                BL,
                "owner",
                "Sceptical of IT spend; show payback period in months.",
            ),
            ("shop", "Sven Ludwig", "Web Shop Manager", US, "ecom", "Detail-oriented; send tickets, not calls."),
            ("agency", "Eva Martens", "Marketing Agency (external)", OT, "ecom", ""),
        ],
        "brief": {
            "background": "Furniture retailer, 9 stores and a web shop that brings 30 % of revenue.",
            "goals": "Click-and-collect and live store stock in the web shop before the spring sale.",
            "expectations": "Small increments every two weeks; Julia wants to see progress live.",
            "politics": "Generational change: Julia pushes digital, Werner guards the old ways and the money.",
            "dos_and_donts": "Do include Werner early with a cost view. Don't go around Georg.",
            "confidential_notes": "Georg plans to hand over to Julia within two years.",
        },
    },
    {
        "name": "Alpenblick Hotels",
        "industry": "Hospitality",
        "website": "https://alpenblick-hotels.example",
        "owner": "rita",
        "status": ClientStatus.FORMER,
        "contacts": [
            ("gm", "Franziska Moser", "General Manager", DM, None, "Warm, talks in stories; lunch meetings work best."),
            ("rev", "Luca Bianchi", "Revenue Manager", INF, "gm", "Lives in spreadsheets; send the raw data."),
            ("front", "Nina Berger", "Front Office Manager", US, "gm", ""),
        ],
        "brief": {
            "background": "Three family-run hotels in Tyrol; we built their booking engine in 2023.",
            "goals": "Currently none: the contract ended after the hotels joined a chain with its own systems.",
            "expectations": "",
            "politics": "The new chain's central IT decides now; Franziska still recommends us.",
            "dos_and_donts": "Do keep in touch before the winter season. Don't pitch anything that competes with the chain.",
            "confidential_notes": "",
        },
    },
]


def _email(name: str, website: str) -> str:
    last = unicodedata.normalize("NFKD", name.split()[-1].lower()).encode("ascii", "ignore").decode()
    return f"{last}@{website.split('//')[1]}"


def seed(stdout=None) -> list[Client]:
    owners = {username: User.objects.get(username=username) for username in ("rita", "sam")}
    clients: list[Client] = []
    created = 0
    for spec in DEMO_CLIENTS:
        existing = Client.objects.filter(name__iexact=spec["name"]).first()
        if existing is not None:
            clients.append(existing)
            continue
        owner = owners[spec["owner"]]
        client = client_create(
            actor=owner,
            name=spec["name"],
            industry=spec["industry"],
            website=spec["website"],
            status=spec["status"],
        )
        people = {}
        for key, name, title, role, reports_to, style in spec["contacts"]:
            people[key] = contact_create(
                actor=owner,
                client=client,
                name=name,
                title=title,
                email=_email(name, spec["website"]),
                buying_role=role,
                reports_to=people[reports_to] if reports_to else None,
                communication_style=style,
            )
        brief_update(actor=owner, client=client, version=1, **spec["brief"])
        clients.append(client)
        created += 1
    if stdout is not None:
        stdout.write(f"Demo clients: {len(clients)} ({created} new), with org charts and briefs.")
    return clients
