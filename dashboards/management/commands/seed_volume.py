"""Bulk data for benchmarks: ``manage.py seed_volume --offers 100000``.

Builds users (20 reps, 10 PMs, a manager and a superuser), clients (one per 20
offers) with three contacts and a brief each, offers in every status spread
over two years, and in proportion their commitments, risks, feasibility
reviews, handoffs (each with one small snapshot, and an activity row per
return, as ``handoff_return`` writes them), projects with their commitments,
risks and deliverables.

Rows bypass the services on purpose (no notifications, no activity for every
step): this is volume for measuring, not a history anyone acted out. On
PostgreSQL they go in with COPY, ids drawn from each table's sequence first so
that children can point at their parents; elsewhere with ``bulk_create``.

Running it again adds the same amount on top (new clients, the same users)
and says so; nothing existing is changed.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import random
import secrets
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from clients.models import BuyingRole, Client, ClientBrief, ClientStatus, Contact
from core.models import Activity
from handoff.models import (
    Commitment,
    FeasibilityReview,
    Handoff,
    HandoffSnapshot,
    HandoffStatus,
    Offer,
    OfferStatus,
    ReviewStatus,
    Risk,
    RiskCategory,
    Verdict,
)
from projects.models import (
    ChangeRequest,
    ClientIssue,
    ClientPulse,
    CommitmentStatus,
    Deliverable,
    DeliverableStatus,
    FollowUp,
    Project,
    ProjectCommitment,
    ProjectHealth,
    ProjectRisk,
    ProjectStatus,
    RiskStatus,
)

BATCH = 5000
PASSWORD = "handoff-demo"  # noqa: S105 - benchmark users on a throw-away database
REPS, PMS = 20, 10
OFFERS_PER_CLIENT = 20
DAY = datetime.timedelta(days=1)
RUNNING = (ProjectStatus.PLANNING, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)

WORDS = (
    "ERP roll-out",
    "CRM migration",
    "Data platform",
    "Shop relaunch",
    "Cloud move",
    "Reporting suite",
    "Mobile app",
    "Security audit",
    "Integration hub",
    "Support contract",
    "Training programme",
    "Warehouse automation",
)
INDUSTRIES = ("Manufacturing", "Retail", "Logistics", "Finance", "Health", "Public sector", "Energy", "Media")
RETURN_REASONS = (
    "Effort estimate missing for the interfaces",
    "Commitments not confirmed with the client",
    "Start date unrealistic",
    "Scope unclear: which sites are included?",
    "Budget does not cover the data migration",
    "Key contact missing",
)
RISK_TITLES = (
    "Legacy interfaces undocumented",
    "Key user availability",
    "Tight go-live date",
    "Budget approval pending",
    "Data quality unknown",
    "Subcontractor capacity",
    "Licensing terms unclear",
)
SEEDED = (
    Client,
    ClientBrief,
    Contact,
    Offer,
    Commitment,
    Risk,
    FeasibilityReview,
    Handoff,
    HandoffSnapshot,
    Activity,
    Project,
    ProjectCommitment,
    ProjectRisk,
    Deliverable,
    ChangeRequest,
    ClientIssue,
    ClientPulse,
    FollowUp,
)
COMMITMENTS = ("Go-live before the end of the quarter", "On-site training for 10 people", "Weekly status report")


@contextlib.contextmanager
def explicit_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the dates we give (auto_now/auto_now_add would overwrite them with now)."""
    saved = []
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            saved.append((field, field.auto_now, field.auto_now_add))
            field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of attnames) and set each row's ``id``.

    Columns a row leaves out get the field's default. PostgreSQL: ids from the
    table's sequence, then one COPY (an order of magnitude faster than
    bulk_create's parameter binding). Other databases: bulk_create.
    """
    if not rows:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    attnames = {field.attname for field in fields}
    # Callable defaults (uuid4, dict, list, now) are called for every row; the others once.
    per_row = {field.attname: field for field in fields if field.has_default() and callable(field.default)}
    constant = {field.attname: field.get_default() for field in fields if field.attname not in per_row}

    def default(name: str) -> Any:
        return per_row[name].get_default() if name in per_row else constant[name]

    if connection.vendor != "postgresql":
        objects = [model(**{name: row[name] if name in row else default(name) for name in attnames}) for row in rows]
        with explicit_timestamps(model):
            model.objects.bulk_create(objects, batch_size=BATCH)
        for row, instance in zip(rows, objects, strict=True):
            row["id"] = instance.pk
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        for row, (new_id,) in zip(rows, cursor.fetchall(), strict=True):
            row["id"] = new_id
        json_columns = {field.attname for field in fields if isinstance(field, models.JSONField)}
        names = ["id", *(field.attname for field in fields)]
        quoted = ", ".join(connection.ops.quote_name(field.column) for field in model._meta.concrete_fields)
        # Concrete fields start with the primary key, the same order as ``names``.
        assert model._meta.concrete_fields[0].primary_key
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for name in names:
                    value = row[name] if name in row else default(name)
                    if name in json_columns:
                        value = json.dumps(value)
                    values.append(value)
                copy.write_row(values)


class Command(BaseCommand):
    help = "Bulk benchmark data: --offers N offers with clients, risks, reviews, handoffs and projects in proportion."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--offers", type=int, required=True, help="How many offers to add (1 to 5 000 000)")
        parser.add_argument("--seed", type=int, default=None, help="Random seed (reproducible data)")

    def handle(self, *args: Any, offers: int, seed: int | None, **options: Any) -> None:
        if not 1 <= offers <= 5_000_000:
            raise CommandError("--offers must be between 1 and 5 000 000.")
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.now = timezone.now()
        existing = Offer.objects.count()
        if existing:
            self.stdout.write(f"{existing} offers are already there: adding {offers} on top (volume users reused).")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                self.fast_postgresql_session()
            counts = self.build(offers)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in SEEDED:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Added {summary} in {elapsed:.1f} s."))

    def fast_postgresql_session(self) -> None:
        """Bulk data for a benchmark database: no waiting for the WAL flush, and no per-row foreign-key triggers.

        Every foreign key the command writes points at a row it has just
        inserted or at a user it looked up, so the deferred checks (a third of
        the run time at commit) prove nothing here. Turning them off needs a
        superuser (``session_replication_role``); other roles keep the checks.
        """
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute("SET LOCAL session_replication_role TO replica")
            else:
                self.stdout.write("Not a superuser: foreign keys are checked row by row at commit (slower).")

    # --- Building ------------------------------------------------------------------------------
    def build(self, offer_count: int) -> dict[str, int]:
        reps, pms = self.users()
        clients, contacts = self.clients(max(1, offer_count // OFFERS_PER_CLIENT), reps)
        offers = self.offers(offer_count, clients, reps)
        commitments = self.commitments(offers)
        risks = self.risks(offers)
        reviews = self.reviews(offers, pms)
        handoffs, returns = self.handoffs(offers, reviews, pms)
        projects, project_rows = self.projects(handoffs, offers, reviews, commitments)
        after = self.after_handoff(projects)
        return {
            "clients": len(clients),
            "contacts": contacts,
            "offers": len(offers),
            "commitments": sum(len(items) for items in commitments.values()),
            "risks": risks,
            "reviews": len(reviews),
            "handoffs": len(handoffs),
            "returns": returns,
            "projects": len(projects),
            "project commitments, risks and deliverables": project_rows,
            **after,
        }

    def after_handoff(self, projects: list[dict[str, Any]]) -> dict[str, int]:
        """Change requests, client issues, pulses and follow-ups of the projects, dated after their start."""
        rng = self.rng
        changes, issues, pulses, follow_ups = [], [], [], []
        for project in projects:
            start, pm, rep = project["created_at"], project["pm_id"], project["sales_liaison_id"]
            span = max((self.now - start).total_seconds(), 60.0)

            def later(start=start, span=span) -> datetime.datetime:
                return start + datetime.timedelta(seconds=rng.uniform(0, span))

            for _ in range(rng.choice((0, 0, 1, 2))):
                decided = rng.random() < 0.7
                raised = later()
                changes.append(
                    {
                        "project_id": project["id"],
                        "title": rng.choice(("Extra report", "Second site", "Descoped interface", "Data migration")),
                        "description": "",
                        "cost_impact": Decimal(rng.randint(-200, 2000)) * 50,
                        "schedule_impact_days": rng.randint(-5, 30),
                        "status": rng.choice(("approved", "rejected")) if decided else "proposed",
                        "raised_by_id": pm,
                        "raised_at": raised,
                        "decided_at": min(raised + DAY * rng.uniform(1, 14), self.now) if decided else None,
                        "decision_comment": "",
                    }
                )
            for _ in range(rng.choice((0, 1, 1, 2))):
                status = rng.choices(("open", "in_progress", "resolved", "closed"), weights=(2, 2, 2, 4))[0]
                created = later()
                issues.append(
                    {
                        "client_id": project["client_id"],
                        "project_id": project["id"],
                        "title": rng.choice(
                            ("Login fails for some users", "Invoice wrong", "Report slow", "Data missing")
                        ),
                        "description": "",
                        "severity": rng.choices(("low", "medium", "high", "critical"), weights=(4, 4, 2, 1))[0],
                        "reported_through": rng.choice(("sales", "pm", "client")),
                        "status": status,
                        "created_by_id": rng.choice((pm, rep)),
                        "created_at": created,
                        "updated_at": created,
                        "resolved_at": created + DAY if status in ("resolved", "closed") else None,
                        "closed_at": created + 2 * DAY if status == "closed" else None,
                    }
                )
            for _ in range(rng.choice((0, 1, 2, 3))):
                pulses.append(
                    {
                        "project_id": project["id"],
                        "mood": rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 4, 5, 3))[0],
                        "urgency": rng.randint(1, 5),
                        "satisfaction": rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 4, 5, 3))[0],
                        "note": "",
                        "recorded_by_id": rng.choice((pm, rep)),
                        "recorded_at": later(),
                    }
                )
            if rng.random() < 0.25:
                status = rng.choices(("open", "dismissed", "converted"), weights=(3, 2, 0))[0]
                raised = later()
                follow_ups.append(
                    {
                        "project_id": project["id"],
                        "title": "Follow-up: phase two",
                        "description": "",
                        "estimated_value": Decimal(rng.randint(1, 400)) * 250,
                        "status": status,
                        "raised_by_id": pm,
                        "raised_at": raised,
                        "decided_by_id": rep if status != "open" else None,
                        "decided_at": raised + DAY if status != "open" else None,
                        "dismiss_reason": "Client has no budget this year" if status == "dismissed" else "",
                    }
                )
        insert(ChangeRequest, changes)
        insert(ClientIssue, issues)
        insert(ClientPulse, pulses)
        insert(FollowUp, follow_ups)
        return {
            "change requests": len(changes),
            "client issues": len(issues),
            "pulses": len(pulses),
            "follow-ups": len(follow_ups),
        }

    def users(self) -> tuple[list[int], list[int]]:
        password = make_password(PASSWORD)
        groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}

        def ensure(username: str, first: str, last: str, role: str) -> int:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                    "password": password,
                },
            )
            if created:
                user.groups.add(groups[role])
            return user.pk

        reps = [ensure(f"vol_rep{index:02d}", "Rep", f"{index:02d}", Role.SALES) for index in range(1, REPS + 1)]
        pms = [ensure(f"vol_pm{index:02d}", "PM", f"{index:02d}", Role.PM) for index in range(1, PMS + 1)]
        ensure("vol_manager", "Manager", "Volume", Role.MANAGER)
        if not User.objects.filter(username="vol_admin").exists():
            User.objects.create_superuser("vol_admin", "vol_admin@example.com", PASSWORD, first_name="Admin")
        return reps, pms

    def ago(self, most: float, least: float = 0.0) -> datetime.datetime:
        return self.now - DAY * self.rng.uniform(least, most)

    def clients(self, count: int, reps: list[int]) -> tuple[list[dict[str, Any]], int]:
        # Not from the seeded generator: a second run with the same seed must not repeat the names.
        tag = secrets.token_hex(3)
        rng = self.rng
        clients = []
        for index in range(count):
            created = self.ago(800, 730)
            clients.append(
                {
                    "name": f"Volume client {tag}-{index:06d}",
                    "industry": rng.choice(INDUSTRIES),
                    "website": "https://example.com",
                    "account_owner_id": rng.choice(reps),
                    "status": rng.choices(ClientStatus.values, weights=(2, 7, 1))[0],
                    "created_at": created,
                    "updated_at": created,
                }
            )
        insert(Client, clients)
        insert(
            ClientBrief,
            [
                {
                    "client_id": client["id"],
                    "background": f"{client['industry']} company; long-standing relationship.",
                    "goals": "Modernise core processes.",
                    "politics": "IT and purchasing decide together.",
                    "updated_at": client["created_at"],
                }
                for client in clients
            ],
        )
        deciders = [
            {
                "client_id": client["id"],
                "name": f"Decider {index}",
                "title": "CIO",
                "email": f"cio{index}@example.com",
                "buying_role": BuyingRole.DECISION_MAKER.value,
                "created_at": client["created_at"],
            }
            for index, client in enumerate(clients)
        ]
        insert(Contact, deciders)
        others = [
            {
                "client_id": decider["client_id"],
                "name": f"{role.label} {index}",
                "title": "Head of department",
                "email": f"{role.value}{index}@example.com",
                "buying_role": role.value,
                "reports_to_id": decider["id"],
                "communication_style": "Prefers short e-mails.",
                "created_at": decider["created_at"],
            }
            for index, decider in enumerate(deciders)
            for role in (BuyingRole.CHAMPION, BuyingRole.USER)
        ]
        insert(Contact, others)
        return clients, len(deciders) + len(others)

    def offers(self, count: int, clients: list[dict[str, Any]], reps: list[int]) -> list[dict[str, Any]]:
        rng = self.rng
        statuses = OfferStatus.values
        young, old = (35, 15, 35, 8, 5, 2), (3, 1, 6, 45, 35, 10)
        offers = []
        for index in range(count):
            client = rng.choice(clients)
            created = self.ago(730)
            status = rng.choices(statuses, weights=young if (self.now - created).days < 60 else old)[0]
            sent_at = closed_at = None
            if status in (OfferStatus.SENT, OfferStatus.WON, OfferStatus.LOST):
                sent_at = min(created + DAY * rng.uniform(2, 30), self.now)
            if status in (OfferStatus.WON, OfferStatus.LOST, OfferStatus.WITHDRAWN):
                closed_at = min((sent_at or created) + DAY * rng.uniform(3, 90), self.now)
            start = (created + DAY * rng.randint(30, 120)).date()
            offers.append(
                {
                    "client_id": client["id"],
                    "owner_id": client["account_owner_id"] if rng.random() < 0.8 else rng.choice(reps),
                    "title": f"{rng.choice(WORDS)} {index}",
                    "summary": "Analysis, implementation and roll-out.",
                    "value": Decimal(rng.randint(20, 5000) * 100),
                    "probability": rng.randrange(10, 95, 5),
                    "expected_close": (created + DAY * rng.randint(20, 90)).date(),
                    "desired_start": start,
                    "desired_end": start + DAY * rng.randint(30, 300),
                    "status": status,
                    "close_reason": "Price" if status in (OfferStatus.LOST, OfferStatus.WITHDRAWN) else "",
                    "created_at": created,
                    "updated_at": closed_at or sent_at or created,
                    "sent_at": sent_at,
                    "closed_at": closed_at,
                }
            )
        insert(Offer, offers)
        return offers

    def commitments(self, offers: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
        rng = self.rng
        by_offer: dict[int, list[dict[str, Any]]] = {}
        rows = []
        for offer in offers:
            items = [
                {
                    "offer_id": offer["id"],
                    "text": rng.choice(COMMITMENTS),
                    "due": offer["desired_end"],
                    "created_at": offer["created_at"],
                }
                for _ in range(rng.choice((0, 1, 1, 2)))
            ]
            if items:
                by_offer[offer["id"]] = items
                rows.extend(items)
        insert(Commitment, rows)
        return by_offer

    def risks(self, offers: list[dict[str, Any]]) -> int:
        rng = self.rng
        rows = [
            {
                "offer_id": offer["id"],
                "title": rng.choice(RISK_TITLES),
                "category": rng.choice(RiskCategory.values),
                "probability": rng.choices(range(1, 6), weights=(2, 4, 4, 2, 1))[0],
                "impact": rng.choices(range(1, 6), weights=(1, 3, 4, 3, 2))[0],
                "mitigation": "Workshop with the client in week 1.",
                "owner_id": offer["owner_id"],
                "created_by_id": offer["owner_id"],
                "created_at": offer["created_at"],
            }
            for offer in offers
            for _ in range(rng.choice((0, 1, 1, 2, 3)))
        ]
        insert(Risk, rows)
        return len(rows)

    def reviews(self, offers: list[dict[str, Any]], pms: list[int]) -> dict[int, dict[str, Any]]:
        rng = self.rng
        reviews: dict[int, dict[str, Any]] = {}
        for offer in offers:
            if offer["status"] == OfferStatus.DRAFT and rng.random() < 0.6:
                continue
            if offer["status"] in (OfferStatus.LOST, OfferStatus.WITHDRAWN) and rng.random() < 0.3:
                continue
            requested = min(offer["created_at"] + DAY * rng.uniform(0.5, 3), self.now)
            completed = offer["status"] != OfferStatus.REVIEW
            reviews[offer["id"]] = {
                "offer_id": offer["id"],
                "reviewer_id": rng.choice(pms),
                "requested_by_id": offer["owner_id"],
                "status": ReviewStatus.COMPLETED.value if completed else ReviewStatus.REQUESTED.value,
                "verdict": rng.choice((Verdict.FEASIBLE, Verdict.FEASIBLE, Verdict.FEASIBLE_WITH_CONDITIONS)).value
                if completed
                else "",
                "effort_days": Decimal(rng.randint(50, 2000)) / 10 if completed else None,
                "duration_weeks": Decimal(rng.randint(4, 52)) if completed else None,
                "notes": "Feasible with the usual team." if completed else "",
                "milestones": [{"name": "Design", "due": None}, {"name": "Go-live", "due": None}] if completed else [],
                "requested_at": requested,
                "completed_at": min(requested + DAY * rng.uniform(1, 5), self.now) if completed else None,
            }
        insert(FeasibilityReview, list(reviews.values()))
        return reviews

    def handoffs(
        self, offers: list[dict[str, Any]], reviews: dict[int, dict[str, Any]], pms: list[int]
    ) -> tuple[list[dict[str, Any]], int]:
        rng = self.rng
        handoffs, returns = [], []
        for offer in offers:
            if offer["status"] != OfferStatus.WON:
                continue
            won_at = offer["closed_at"]
            review = reviews.get(offer["id"])
            pm_id = review["reviewer_id"] if review and rng.random() < 0.8 else rng.choice(pms)
            recent = (self.now - won_at).days < 14
            # pending, accepted, returned
            status = rng.choices(HandoffStatus.values, weights=(50, 40, 10) if recent else (0.3, 96.7, 3))[0]
            return_count = rng.choices((0, 1, 2), weights=(85, 12, 3))[0]
            if status == HandoffStatus.RETURNED:
                return_count = max(return_count, 1)
            moment, reasons, became_pending = won_at, [], [won_at]
            for _ in range(return_count):
                moment = min(moment + DAY * rng.uniform(0.5, 4), self.now)
                reasons.append((moment, rng.choice(RETURN_REASONS)))
                moment = min(moment + DAY * rng.uniform(0.5, 3), self.now)
                became_pending.append(moment)
            accepted_at = decided_at = None
            pending_since = became_pending[-1]
            if status == HandoffStatus.ACCEPTED:
                accepted_at = decided_at = min(pending_since + DAY * rng.uniform(0.2, 6), self.now)
            elif status == HandoffStatus.RETURNED:
                decided_at, pending_since = reasons[-1][0], became_pending[-2]
            handoff = {
                "offer_id": offer["id"],
                "pm_id": pm_id,
                "status": status,
                "return_reason": reasons[-1][1] if reasons else "",
                "return_count": return_count,
                "created_at": won_at,
                "pending_since": pending_since,
                "decided_at": decided_at,
                "accepted_at": accepted_at,
                "accepted_by_id": pm_id if accepted_at else None,
                "_owner_id": offer["owner_id"],
                "_offer": offer,
            }
            handoffs.append(handoff)
            returns.extend((handoff, when, reason) for when, reason in reasons)
        insert(Handoff, handoffs)
        snapshots = [
            {
                "handoff_id": handoff["id"],
                "version": 1,
                "data": {
                    # As handoff/snapshots.py writes it: the pages format the sold amounts in it.
                    "currency": settings.CURRENCY,
                    "offer": {
                        "id": handoff["offer_id"],
                        "title": handoff["_offer"]["title"],
                        "value": str(handoff["_offer"]["value"]),
                    },
                    "commitments": [],
                    "risks": [],
                },
                "created_by_id": handoff["_owner_id"],
                "created_at": handoff["created_at"],
            }
            for handoff in handoffs
        ]
        insert(HandoffSnapshot, snapshots)
        for handoff, snapshot in zip(handoffs, snapshots, strict=True):
            handoff["_snapshot_id"] = snapshot["id"]
        handoff_type = ContentType.objects.get_for_model(Handoff).pk
        insert(
            Activity,
            [
                {
                    "actor_id": handoff["pm_id"],
                    "verb": "returned",
                    "target_type_id": handoff_type,
                    "target_id": handoff["id"],
                    "changes": {"status": [HandoffStatus.PENDING.value, HandoffStatus.RETURNED.value]},
                    "message": reason,
                    "created_at": when,
                }
                for handoff, when, reason in returns
            ],
        )
        return handoffs, len(returns)

    def projects(
        self,
        handoffs: list[dict[str, Any]],
        offers: list[dict[str, Any]],
        reviews: dict[int, dict[str, Any]],
        commitments: dict[int, list[dict[str, Any]]],
    ) -> tuple[list[dict[str, Any]], int]:
        rng = self.rng
        today = self.now.date()
        projects = []
        for handoff in handoffs:
            if handoff["status"] != HandoffStatus.ACCEPTED:
                continue
            offer = handoff["_offer"]
            review = reviews.get(offer["id"])
            estimate = review["effort_days"] if review else None
            accepted_at = handoff["accepted_at"]
            age = (self.now - accepted_at).days
            if age > 240:
                weights = (0, 10, 3, 80, 7)
            elif age > 60:
                weights = (5, 70, 8, 12, 5)
            else:
                weights = (60, 35, 3, 0, 2)
            status = rng.choices(ProjectStatus.values, weights=weights)[0]  # planning … cancelled
            completed_at, actual = None, Decimal("0")
            if status == ProjectStatus.COMPLETED:
                completed_at = min(accepted_at + DAY * rng.uniform(30, max(age, 31)), self.now)
                actual = ((estimate or Decimal(50)) * Decimal(str(round(rng.uniform(0.7, 1.6), 2)))).quantize(
                    Decimal("0.1")
                )
            elif status in (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD):
                actual = Decimal(rng.randint(0, 500)) / 10
            projects.append(
                {
                    "version": 1,
                    "handoff_id": handoff["id"],
                    "snapshot_id": handoff["_snapshot_id"],
                    "offer_id": offer["id"],
                    "client_id": offer["client_id"],
                    "name": offer["title"],
                    "pm_id": handoff["pm_id"],
                    "sales_liaison_id": offer["owner_id"],
                    "status": status,
                    "health": rng.choices(ProjectHealth.values, weights=(70, 20, 10))[0],
                    "budget": offer["value"],
                    "planned_start": offer["desired_start"],
                    "planned_end": offer["desired_end"],
                    "estimated_effort_days": estimate,
                    "actual_effort_days": actual,
                    "created_at": accepted_at,
                    "updated_at": completed_at or accepted_at,
                    "completed_at": completed_at,
                }
            )
        insert(Project, projects)
        project_commitments, project_risks, deliverables = [], [], []
        for project in projects:
            for commitment in commitments.get(project["offer_id"], ()):
                project_commitments.append(
                    {
                        "project_id": project["id"],
                        "source_id": commitment["id"],
                        "text": commitment["text"],
                        "due": commitment["due"],
                        "feasibility": "feasible",
                        "status": rng.choice(CommitmentStatus.values),
                        "updated_at": project["updated_at"],
                    }
                )
            running = project["status"] in RUNNING
            for _ in range(rng.choice((0, 1, 2))):
                # The same draws as before the risk statuses of SPEC §7.3, so the other figures stay put: most
                # risks of a running project are open, some were mitigated (re-scored down since the sale) or
                # occurred; the rest are closed with a reason.
                title, category = rng.choice(RISK_TITLES), rng.choice(RiskCategory.values)
                probability, impact = rng.randint(1, 5), rng.randint(1, 5)
                draw = rng.random() if running else 1.0
                risk_status = (
                    RiskStatus.OPEN
                    if draw < 0.5
                    else RiskStatus.MITIGATED
                    if draw < 0.6
                    else RiskStatus.OCCURRED
                    if draw < 0.7
                    else RiskStatus.CLOSED
                ).value
                project_risks.append(
                    {
                        "project_id": project["id"],
                        "title": title,
                        "category": category,
                        "probability": probability,
                        "impact": impact,
                        "sold_probability": min(5, probability + 1)
                        if risk_status == RiskStatus.MITIGATED
                        else probability,
                        "sold_impact": impact,
                        "mitigation": "",
                        "owner_id": project["pm_id"],
                        "status": risk_status,
                        "closed_reason": "No longer relevant." if risk_status == RiskStatus.CLOSED else "",
                        "closed_at": project["updated_at"] if risk_status == RiskStatus.CLOSED else None,
                        "created_at": project["created_at"],
                        "updated_at": project["updated_at"],
                    }
                )
            start = project["planned_start"] or project["created_at"].date()
            for step, name in enumerate(("Design", "Build", "Go-live"), start=1):
                due = start + DAY * (30 * step)
                if project["status"] == ProjectStatus.COMPLETED:
                    status = DeliverableStatus.ACCEPTED.value
                elif due < today - DAY * 20:
                    status = rng.choices(DeliverableStatus.values, weights=(1, 2, 6, 1))[0]
                else:
                    status = DeliverableStatus.PLANNED.value
                deliverables.append(
                    {
                        "project_id": project["id"],
                        "name": name,
                        "due": due,
                        "status": status,
                        "created_at": project["created_at"],
                    }
                )
        insert(ProjectCommitment, project_commitments)
        insert(ProjectRisk, project_risks)
        insert(Deliverable, deliverables)
        return projects, len(project_commitments) + len(project_risks) + len(deliverables)
