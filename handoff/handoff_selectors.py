"""Permission-scoped reads of handoffs and their snapshots (who sees which handoff, SPEC §2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.roles import Role
from handoff.models import Handoff, HandoffSnapshot, HandoffStatus


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
