"""Reads of offers, reviews and the home page's work lists, scoped by the reader, with their joins.

Every authenticated user may read every offer (SPEC §2); writes are checked
by the services. Each function's number of queries is fixed: lists join
their foreign keys and prefetch their children, never one query per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from accounts.models import User
from accounts.roles import Role
from clients.models import BuyingRole, Client, Contact
from handoff.coverage import RISK_FIELDS as COVERED_RISK_FIELDS
from handoff.models import (
    OPEN_OFFER_STATUSES,
    Commitment,
    FeasibilityReview,
    Handoff,
    HandoffSnapshot,
    HandoffStatus,
    Offer,
    OfferStatus,
    ReviewStatus,
    Risk,
)
from handoff.services.offers import offer_readiness

# The sort keys of the list page and the API (``-`` for descending) → the columns.
OFFER_ORDERINGS: dict[str, str] = {
    "created": "created_at",
    "value": "value",
    "expected_close": "expected_close",
    "title": "title",
}
DEFAULT_OFFER_ORDERING = "-created"
NULLABLE_ORDERINGS = frozenset({"value", "expected_close"})
MAX_SEARCH_CLIENTS = 500


def offers_visible_to(user: Any) -> QuerySet[Offer]:
    if not getattr(user, "is_authenticated", False):
        return Offer.objects.none()
    return Offer.objects.all()


def order_offers(queryset: QuerySet[Offer], ordering: str | None) -> QuerySet[Offer]:
    ordering = ordering or DEFAULT_OFFER_ORDERING
    descending = ordering.startswith("-")
    column = OFFER_ORDERINGS.get(ordering.lstrip("-"))
    if column is None:
        column, descending = OFFER_ORDERINGS["created"], True
    # The id keeps pages stable. Empty values and dates come last whichever the
    # direction; columns that are never empty sort plainly, so an index serves them.
    if column not in NULLABLE_ORDERINGS:
        return queryset.order_by(f"-{column}", "-id") if descending else queryset.order_by(column, "id")
    if descending:
        return queryset.order_by(F(column).desc(nulls_last=True), "-id")
    return queryset.order_by(F(column).asc(nulls_last=True), "id")


def offer_list(
    *,
    user: Any,
    status: str | list[str] | None = None,
    owner: Any = None,
    client: Any = None,
    expected_close_after: datetime.date | None = None,
    expected_close_before: datetime.date | None = None,
    q: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Offer]:
    """Offers with their client and owner joined; paginate the result (one COUNT, one page query)."""
    queryset = offers_visible_to(user).select_related("client", "owner")
    if status:
        queryset = queryset.filter(status__in=[status] if isinstance(status, str) else status)
    if owner:
        queryset = queryset.filter(owner=owner)
    if client:
        queryset = queryset.filter(client=client)
    if expected_close_after:
        queryset = queryset.filter(expected_close__gte=expected_close_after)
    if expected_close_before:
        queryset = queryset.filter(expected_close__lte=expected_close_before)
    if q:
        queryset = search_offers(queryset, q)
    return order_offers(queryset, ordering)


def search_offers(queryset: QuerySet[Offer], q: str) -> QuerySet[Offer]:
    """Offers whose title or client's name contains ``q``."""
    # The matching clients first (their trigram index), then one OR the database can
    # serve with two indexes; an OR across the join would scan every offer.
    client_ids = list(Client.objects.filter(name__icontains=q).values_list("id", flat=True)[:MAX_SEARCH_CLIENTS])
    return queryset.filter(Q(title__icontains=q) | Q(client_id__in=client_ids))


def _decision_makers() -> Prefetch:
    return Prefetch(
        "client__contacts",
        queryset=Contact.objects.filter(buying_role=BuyingRole.DECISION_MAKER).only("id", "client_id", "name"),
        to_attr="decision_makers",
    )


def _readiness_prefetch(queryset: QuerySet[Offer], *, light: bool = False) -> QuerySet[Offer]:
    """What ``offer_readiness`` reads, loaded in a fixed number of queries.

    ``light``: only what the checklist needs (lists of many offers), not what the offer page shows.
    """
    if light:
        reviews = FeasibilityReview.objects.select_related("reviewer").defer("notes", "milestones")
        # What a review covered is compared with them (``handoff.coverage``).
        risks = Risk.objects.only("id", "offer_id", *COVERED_RISK_FIELDS)
        commitments = Commitment.objects.only("id", "offer_id", "text", "due")
        return queryset.select_related("client__brief").prefetch_related(
            Prefetch("reviews", queryset=reviews),
            Prefetch("risks", queryset=risks),
            Prefetch("commitments", queryset=commitments),
            _decision_makers(),
        )
    reviews = FeasibilityReview.objects.select_related("reviewer", "requested_by")
    risks = Risk.objects.select_related("owner", "created_by")
    return queryset.select_related("client__brief").prefetch_related(
        Prefetch("reviews", queryset=reviews), Prefetch("risks", queryset=risks), _decision_makers()
    )


def offer_detail(*, user: Any, pk: int) -> Offer:
    """One offer with everything its page shows; ``Http404`` when the user may not see it."""
    # The handoff and the follow-up the offer came from ride along in the offer's own query: the
    # page asks for both (its handoff slot, "returned for fixing", "from follow-up").
    queryset = _readiness_prefetch(
        offers_visible_to(user).select_related(
            "client", "client__account_owner", "owner", "no_risks_signed_off_by", "handoff", "follow_up__project"
        )
    ).prefetch_related("commitments")
    try:
        return queryset.get(pk=pk)
    except Offer.DoesNotExist:
        raise Http404("No such offer.")


def reviewer_choices() -> QuerySet[User]:
    """The users who may be asked for a feasibility review: active PMs."""
    return User.objects.with_role("pm").order_by("first_name", "last_name", "username")


def review_list(
    *,
    user: Any,
    offer: Any = None,
    reviewer: Any = None,
    status: str | None = None,
) -> QuerySet[FeasibilityReview]:
    if not getattr(user, "is_authenticated", False):
        return FeasibilityReview.objects.none()
    queryset = FeasibilityReview.objects.select_related("offer", "offer__client", "reviewer", "requested_by")
    if offer:
        queryset = queryset.filter(offer=offer)
    if reviewer:
        queryset = queryset.filter(reviewer=reviewer)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-requested_at", "-id")


def review_for_completion(*, user: Any, pk: int) -> FeasibilityReview:
    """The review with its offer's commitments, for the PM's answer form."""
    queryset = FeasibilityReview.objects.select_related(
        "offer", "offer__client", "offer__owner", "reviewer", "requested_by"
    ).prefetch_related("offer__commitments")
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such review.")
    try:
        return queryset.get(pk=pk)
    except FeasibilityReview.DoesNotExist:
        raise Http404("No such review.")


# --- Home page (each role's "what waits on me") ------------------------------------
# Each home list shows the most urgent few; the offer list has the rest.
HOME_LIMIT = 25


@dataclass
class RepHome:
    open_offers: list[Offer] = field(default_factory=list)
    returned_from_review: list[Offer] = field(default_factory=list)
    not_ready: list[tuple[Offer, list[Any]]] = field(default_factory=list)
    returned_handoffs: list[Handoff] = field(default_factory=list)


@dataclass
class PmHome:
    review_requests: list[FeasibilityReview] = field(default_factory=list)
    pending_handoffs: list[Handoff] = field(default_factory=list)


@dataclass
class PipelineRow:
    status: str
    label: str
    count: int = 0
    value: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")


def rep_home(*, user: Any) -> RepHome:
    """The rep's open offers, the drafts back from review, the drafts not ready to send, returned handoffs."""
    offers = list(
        _readiness_prefetch(
            Offer.objects.filter(owner=user, status__in=OPEN_OFFER_STATUSES).select_related("client"), light=True
        ).order_by(F("expected_close").asc(nulls_last=True), "-id")[:HOME_LIMIT]
    )
    home = RepHome(open_offers=offers)
    for offer in offers:
        if offer.status != OfferStatus.DRAFT:
            continue
        reviews = list(offer.reviews.all())
        completed = [r for r in reviews if r.status == ReviewStatus.COMPLETED]
        if completed:
            offer.latest_review = max(completed, key=lambda r: (r.completed_at, r.pk))
            home.returned_from_review.append(offer)
        gaps = [item for item in offer_readiness(offer=offer) if not item.met]
        if gaps:
            home.not_ready.append((offer, gaps))
    home.returned_handoffs = list(
        Handoff.objects.filter(status=HandoffStatus.RETURNED, offer__owner=user)
        .select_related("offer", "offer__client", "pm")
        .order_by("-decided_at", "-id")[:HOME_LIMIT]
    )
    return home


def pm_home(*, user: Any) -> PmHome:
    """The PM's open review requests, and pending handoffs assigned to them or to nobody (not of their own offers)."""
    return PmHome(
        review_requests=list(
            FeasibilityReview.objects.filter(reviewer=user, status=ReviewStatus.REQUESTED)
            .select_related("offer", "offer__client", "requested_by")
            .order_by("requested_at", "id")[:HOME_LIMIT]
        ),
        pending_handoffs=list(
            Handoff.objects.filter(Q(pm=user) | Q(pm__isnull=True), status=HandoffStatus.PENDING)
            .exclude(offer__owner=user)  # four eyes: never their own offer's handoff (SPEC §7.2)
            .select_related("offer", "offer__client", "offer__owner", "pm")
            .order_by("pending_since", "id")[:HOME_LIMIT]
        ),
    )


def pipeline_summary(*, user: Any) -> list[PipelineRow]:
    """Open offers by status: count, value and value weighted by probability (one query)."""
    rows = {status: PipelineRow(status=status, label=OfferStatus(status).label) for status in OPEN_OFFER_STATUSES}
    if not getattr(user, "is_authenticated", False):
        return list(rows.values())
    money = DecimalField(max_digits=20, decimal_places=2)
    aggregates = (
        Offer.objects.filter(status__in=OPEN_OFFER_STATUSES)
        .order_by()
        .values("status")
        .annotate(
            offer_count=Count("id"),
            total_value=Sum("value", output_field=money),
            weighted_total=Sum(F("value") * F("probability"), output_field=money),
        )
    )
    for aggregate in aggregates:
        row = rows[aggregate["status"]]
        row.count = aggregate["offer_count"]
        row.value = Decimal(aggregate["total_value"] or 0).quantize(Decimal("0.01"))
        row.weighted = (Decimal(aggregate["weighted_total"] or 0) / 100).quantize(Decimal("0.01"))
    return list(rows.values())


# --- Handoffs (who sees which handoff, SPEC §2) ---------------------------------------------
def handoffs_visible_to(user: Any) -> QuerySet[Handoff]:
    """Managers and PMs see every handoff, reps those of their own offers.

    PMs read every client and offer (SPEC §2), and a PM who loses a race to
    accept an unassigned handoff must learn that it was accepted (409), not
    that it vanished (404). Deciding stays with the assigned PM (``can_decide``).
    """
    handoffs = Handoff.objects.all()
    if not getattr(user, "is_authenticated", False):
        return handoffs.none()
    if user.has_role(Role.MANAGER) or user.has_role(Role.PM):
        return handoffs
    scope = Q(pk__in=[])
    if user.has_role(Role.SALES):
        scope |= Q(offer__owner=user)
    return handoffs.filter(scope)


def handoff_visible_to(user: Any, handoff: Handoff, *, offer_owner_id: int) -> bool:
    """``handoffs_visible_to(user)`` for one handoff already loaded (the offer page's): no query."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.MANAGER) or user.has_role(Role.PM):
        return True
    return user.has_role(Role.SALES) and offer_owner_id == user.pk


def handoff_list(*, user: Any, status: str = "", pm: str = "") -> QuerySet[Handoff]:
    handoffs = (
        handoffs_visible_to(user)
        .select_related("offer", "offer__client", "offer__owner", "pm", "project")
        .annotate(snapshot_count=Count("snapshots"))
        .order_by("-pending_since", "-id")
    )
    if status in HandoffStatus.values:
        handoffs = handoffs.filter(status=status)
    if pm == "none":
        handoffs = handoffs.filter(pm__isnull=True)
    elif pm.isdigit():
        handoffs = handoffs.filter(pm_id=int(pm))
    return handoffs


def handoff_get(*, user: Any, pk: int) -> Handoff:
    """The handoff if ``user`` may see it (``Handoff.DoesNotExist`` otherwise: a 404)."""
    return (
        handoffs_visible_to(user)
        .select_related("offer", "offer__client", "offer__owner", "pm", "accepted_by", "project", "project__pm")
        .get(pk=pk)
    )


def handoff_snapshots(handoff: Handoff) -> list[HandoffSnapshot]:
    """Every version, oldest first."""
    return list(handoff.snapshots.select_related("created_by").order_by("version"))


def pm_choices() -> QuerySet[User]:
    return User.objects.with_role(Role.PM).order_by("first_name", "last_name", "username").distinct()
