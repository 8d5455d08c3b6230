"""The handoff from sales to a PM (SPEC §3 "Handoff and projects"): win, accept, return, resubmit, reassign.

Every function is the one door for its state change: one transaction, the row
locked, illegal moves refused with ``TransitionNotAllowed`` (409 in the API, a
message in the UI), wrong roles with ``PermissionDenied`` (403), bad input with
``ValidationError`` (400), an activity-log row and the notifications of the event.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from accounts.roles import Role
from core.activity import log_activity
from core.errors import FourEyes, TransitionNotAllowed
from core.i18n import deferred
from core.versioning import bump_version
from documents.services import documents_freeze
from handoff.models import (
    Commitment,
    Handoff,
    HandoffSnapshot,
    HandoffStatus,
    Offer,
    OfferStatus,
    ReviewStatus,
    Risk,
    in_sentence,
)
from handoff.snapshots import build_snapshot
from notifications.events import Event
from notifications.services import notify

RETURN_REASON_MAX = 2000


# --- Who may do what (the services enforce it; templates use it to show buttons) ------------
def _has_role(user: Any, role: Role) -> bool:
    return bool(user and user.is_authenticated and user.has_role(role))


def can_win(user: Any, offer: Offer) -> bool:
    return bool(user and user.is_authenticated and offer.owner_id == user.pk and offer.status == OfferStatus.SENT)


def is_offer_owner_of(user: Any, handoff: Handoff) -> bool:
    """Four eyes (SPEC §7.2): the offer's owner never decides its handoff, whatever roles they hold."""
    return bool(user and user.is_authenticated and handoff.offer.owner_id == user.pk)


def can_decide(user: Any, handoff: Handoff) -> bool:
    """Accept or return: a PM, the assigned one or any PM while unassigned; never the offer's owner."""
    return _has_role(user, Role.PM) and handoff.pm_id in (None, user.pk) and not is_offer_owner_of(user, handoff)


def can_resubmit(user: Any, handoff: Handoff) -> bool:
    return bool(user and user.is_authenticated and handoff.offer.owner_id == user.pk)


def can_reassign(user: Any) -> bool:
    return _has_role(user, Role.MANAGER)


def offer_returned_for_fixing(offer: Offer) -> bool:
    """A won offer whose handoff the PM returned: its owner fixes it (fields, commitments, risks) and resubmits."""
    if offer.status != OfferStatus.WON:
        return False
    if Offer.handoff.is_cached(offer):  # loaded with the offer (the offer page): no query
        handoff = getattr(offer, "handoff", None)
        return handoff is not None and handoff.status == HandoffStatus.RETURNED
    return Handoff.objects.filter(offer_id=offer.pk, status=HandoffStatus.RETURNED).exists()


def handoff_actions(user: Any, handoff: Handoff) -> dict[str, bool]:
    """The buttons ``user`` gets on ``handoff`` in its current status."""
    pending = handoff.status == HandoffStatus.PENDING
    return {
        "accept": pending and can_decide(user, handoff),
        "return": pending and can_decide(user, handoff),
        "resubmit": handoff.status == HandoffStatus.RETURNED and can_resubmit(user, handoff),
        "reassign": handoff.status in (HandoffStatus.PENDING, HandoffStatus.RETURNED) and can_reassign(user),
    }


# Who may decide a handoff, one whole sentence per action.
ROLE_REQUIRED = {
    "accept a handoff": gettext_lazy("Only a user with the project manager role can accept a handoff."),
    "return a handoff": gettext_lazy("Only a user with the project manager role can return a handoff."),
    "reassign a handoff": gettext_lazy("Only a user with the manager role can reassign a handoff."),
}


def _require_role(user: Any, role: Role, doing: str) -> None:
    if not _has_role(user, role):
        raise PermissionDenied(
            str(ROLE_REQUIRED.get(doing) or "")
            or gettext("Only a user with the %(role)s role can do this.") % {"role": role.label.lower()}
        )


def validate_pm(pm: Any, *, field: str = "pm", not_user_id: int | None = None) -> User:
    """``pm`` must be an active user holding the pm role (400 otherwise).

    ``not_user_id`` is the person the PM must not be (four eyes, SPEC §7.2): the
    offer's owner for a handoff, the sales liaison for a project.
    """
    pk = getattr(pm, "pk", pm)
    user = User.objects.with_role(Role.PM).filter(pk=pk).first() if pk is not None else None
    if user is None:
        raise ValidationError({field: gettext("Choose an active user with the project manager role.")})
    if not_user_id is not None and user.pk == not_user_id:
        raise ValidationError(
            {
                field: gettext(
                    "Choose another project manager: the person who sold the offer cannot also "
                    "take it over (four eyes)."
                )
            }
        )
    return user


FOUR_EYES = {
    "accept": gettext_lazy("You sold this offer, so another project manager must accept its handoff (four eyes)."),
    "return": gettext_lazy("You sold this offer, so another project manager must return its handoff (four eyes)."),
}


def four_eyes_refusal(*, doing: str) -> FourEyes:
    return FourEyes(str(FOUR_EYES[doing]))


def _pms_and_managers_for(handoff: Handoff) -> list[User]:
    pms = [handoff.pm] if handoff.pm_id else list(User.objects.with_role(Role.PM))
    managers = list(User.objects.with_role(Role.MANAGER))
    return list({user.pk: user for user in [*pms, *managers]}.values())


def _pm_recipients(handoff: Handoff) -> list[User]:
    return [handoff.pm] if handoff.pm_id else list(User.objects.with_role(Role.PM))


def _take_snapshot(*, handoff: Handoff, offer: Offer, actor: Any) -> HandoffSnapshot:
    # The papers sold with the offer (its own and its client's) freeze with it (SPEC §7.4).
    documents_freeze(offer=offer)
    last = handoff.snapshots.order_by("-version").values_list("version", flat=True).first() or 0
    return HandoffSnapshot.objects.create(
        handoff=handoff, version=last + 1, data=build_snapshot(offer), created_by=actor
    )


def _default_pm(offer: Offer) -> User | None:
    """The reviewer of the latest completed feasibility review, while they still hold the pm role."""
    review = (
        offer.reviews.filter(status=ReviewStatus.COMPLETED).order_by("-completed_at", "-id").only("reviewer_id").first()
    )
    if review is None or review.reviewer_id == offer.owner_id:  # never the offer's own owner (four eyes)
        return None
    return User.objects.with_role(Role.PM).filter(pk=review.reviewer_id).first()


# --- Win -------------------------------------------------------------------------------------
@transaction.atomic
def offer_win(*, offer: Offer, actor: Any, pm: Any = None) -> Handoff:
    """Sent → won, and in the same transaction the pending handoff and its snapshot v1."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(gettext("Only the offer's owner can mark it as won."))
    if offer.status != OfferStatus.SENT:
        raise TransitionNotAllowed(
            gettext("Only a sent offer can be won; this one is %(status)s.") % {"status": in_sentence(offer.status)},
        )
    assignee = validate_pm(pm, not_user_id=offer.owner_id) if pm not in (None, "") else _default_pm(offer)

    now = timezone.now()
    old_status = offer.status
    offer.status = OfferStatus.WON
    offer.closed_at = now
    bump_version(offer)
    offer.save(update_fields=["status", "closed_at", "version", "updated_at"])
    log_activity(actor=actor, verb="won", target=offer, changes={"status": (old_status, offer.status)})

    handoff = Handoff.objects.create(offer=offer, pm=assignee, pending_since=now)
    snapshot = _take_snapshot(handoff=handoff, offer=offer, actor=actor)
    log_activity(
        actor=actor,
        verb="created",
        target=handoff,
        changes={"status": (None, handoff.status), "pm": (None, assignee)},
        message=f"Snapshot v{snapshot.version} taken",
    )
    notify(
        event=Event.HANDOFF_PENDING,
        recipients=_pms_and_managers_for(handoff),
        target=handoff,
        actor=actor,
        title=deferred(gettext_lazy("Offer won: %(title)s is waiting for a PM"), title=offer.title),
        body=(
            deferred(
                gettext_lazy("%(rep)s won %(title)s for %(client)s. It is assigned to %(pm)s."),
                rep=actor.full_name,
                title=offer.title,
                client=offer.client.name,
                pm=assignee.full_name,
            )
            if assignee
            else deferred(
                gettext_lazy("%(rep)s won %(title)s for %(client)s. It is not assigned to a PM yet."),
                rep=actor.full_name,
                title=offer.title,
                client=offer.client.name,
            )
        ),
    )
    return handoff


# --- Accept ----------------------------------------------------------------------------------
NOT_PENDING = {
    "accepted": gettext_lazy("This handoff is %(status)s; only a pending handoff can be accepted."),
    "returned": gettext_lazy("This handoff is %(status)s; only a pending handoff can be returned."),
}


def _not_pending(handoff: Handoff, doing: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(NOT_PENDING[doing] % {"status": in_sentence(handoff.status)})


def _lock(handoff: Handoff) -> Handoff:
    return (
        Handoff.objects.select_for_update().select_related("offer", "offer__client", "offer__owner").get(pk=handoff.pk)
    )


def _already_accepted() -> TransitionNotAllowed:
    # The one refusal for a repeated or concurrent accept, whichever check catches it.
    return TransitionNotAllowed(
        NOT_PENDING["accepted"] % {"status": in_sentence(HandoffStatus.ACCEPTED)},
    )


def _decimal(value: Any) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


def _date(value: Any):
    from django.utils.dateparse import parse_date

    return parse_date(value) if value else None


@transaction.atomic
def handoff_accept(*, handoff: Handoff, actor: Any):
    """Pending → accepted, creating exactly one project from the latest snapshot."""
    from projects.models import Deliverable, Project, ProjectCommitment, ProjectRisk

    _require_role(actor, Role.PM, "accept a handoff")
    handoff = _lock(handoff)
    if handoff.status == HandoffStatus.ACCEPTED:
        raise _already_accepted()
    if handoff.status != HandoffStatus.PENDING:
        raise _not_pending(handoff, "accepted")
    if is_offer_owner_of(actor, handoff):
        raise four_eyes_refusal(doing="accept")
    if not can_decide(actor, handoff):
        raise PermissionDenied(gettext("This handoff is assigned to another PM."))

    offer = handoff.offer
    snapshot = handoff.snapshots.order_by("-version").first()
    data = snapshot.data
    sold = data.get("offer", {})
    review = data.get("review") or {}
    try:
        # The unique one-to-one on Project.handoff is the last word on "exactly one".
        with transaction.atomic():
            project = Project.objects.create(
                handoff=handoff,
                snapshot=snapshot,
                offer=offer,
                client=offer.client,
                name=offer.title,
                pm=actor,
                sales_liaison=offer.owner,
                budget=_decimal(sold.get("value")) or offer.value or Decimal("0"),
                planned_start=_date(sold.get("desired_start")),
                planned_end=_date(sold.get("desired_end")),
                estimated_effort_days=_decimal(review.get("effort_days")),
            )
    except IntegrityError:
        raise _already_accepted()

    commitments = data.get("commitments", [])
    live_commitments = set(
        Commitment.objects.filter(pk__in=[item["id"] for item in commitments]).values_list("pk", flat=True)
    )
    ProjectCommitment.objects.bulk_create(
        ProjectCommitment(
            project=project,
            source_id=item["id"] if item["id"] in live_commitments else None,
            text=item["text"],
            due=_date(item.get("due")),
            feasibility=item.get("feasibility") or "",
        )
        for item in commitments
    )
    risks = data.get("risks", [])
    live_risks = set(Risk.objects.filter(pk__in=[item["id"] for item in risks]).values_list("pk", flat=True))
    owners = set(
        User.objects.filter(pk__in=[item.get("owner_id") for item in risks if item.get("owner_id")]).values_list(
            "pk", flat=True
        )
    )
    ProjectRisk.objects.bulk_create(
        ProjectRisk(
            project=project,
            source_id=item["id"] if item["id"] in live_risks else None,
            title=item["title"],
            category=item["category"],
            probability=item["probability"],
            impact=item["impact"],
            # What was sold stays beside the PM's re-scoring (SPEC §7.3).
            sold_probability=item["probability"],
            sold_impact=item["impact"],
            mitigation=item.get("mitigation", ""),
            owner_id=item.get("owner_id") if item.get("owner_id") in owners else None,
        )
        for item in risks
    )
    Deliverable.objects.bulk_create(
        Deliverable(project=project, name=item["name"][:200], due=_date(item.get("due")))
        for item in review.get("milestones", [])
        if item.get("name")
    )

    now = timezone.now()
    old_pm = handoff.pm
    handoff.status = HandoffStatus.ACCEPTED
    handoff.pm = actor
    handoff.accepted_at = now
    handoff.accepted_by = actor
    handoff.decided_at = now
    handoff.save(update_fields=["status", "pm", "accepted_at", "accepted_by", "decided_at"])
    changes = {"status": (HandoffStatus.PENDING, HandoffStatus.ACCEPTED)}
    if old_pm != actor:
        changes["pm"] = (old_pm, actor)
    log_activity(actor=actor, verb="accepted", target=handoff, changes=changes, message=f"Project {project.name}")
    log_activity(
        actor=actor,
        verb="created",
        target=project,
        message=f"Accepted from the handoff (snapshot v{snapshot.version})",
    )
    notify(
        event=Event.HANDOFF_ACCEPTED,
        recipients=[offer.owner],
        target=handoff,
        actor=actor,
        title=deferred(gettext_lazy("Handoff accepted: %(title)s"), title=offer.title),
        body=deferred(
            gettext_lazy("%(pm)s accepted the handoff of %(title)s; the project %(project)s is set up."),
            pm=actor.full_name,
            title=offer.title,
            project=project.name,
        ),
    )
    return project


# --- Return and resubmit --------------------------------------------------------------------
def clean_reason(reason: Any) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else str(reason).strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the handoff goes back to sales.")})
    if len(reason) > RETURN_REASON_MAX:
        raise ValidationError(
            {"reason": gettext("Keep the reason under %(limit)d characters.") % {"limit": RETURN_REASON_MAX}}
        )
    return reason


@transaction.atomic
def handoff_return(*, handoff: Handoff, actor: Any, reason: str) -> Handoff:
    """Pending → returned to the rep, with the reason the offer needs fixing."""
    _require_role(actor, Role.PM, "return a handoff")
    reason = clean_reason(reason)
    handoff = _lock(handoff)
    if handoff.status != HandoffStatus.PENDING:
        raise _not_pending(handoff, "returned")
    if is_offer_owner_of(actor, handoff):
        raise four_eyes_refusal(doing="return")
    if not can_decide(actor, handoff):
        raise PermissionDenied(gettext("This handoff is assigned to another PM."))
    handoff.status = HandoffStatus.RETURNED
    handoff.return_reason = reason
    handoff.return_count += 1
    handoff.decided_at = timezone.now()
    handoff.save(update_fields=["status", "return_reason", "return_count", "decided_at"])
    log_activity(
        actor=actor,
        verb="returned",
        target=handoff,
        changes={"status": (HandoffStatus.PENDING, HandoffStatus.RETURNED)},
        message=reason,
    )
    notify(
        event=Event.HANDOFF_RETURNED,
        recipients=[handoff.offer.owner],
        target=handoff,
        actor=actor,
        title=deferred(gettext_lazy("Handoff returned: %(title)s"), title=handoff.offer.title),
        body=deferred(
            gettext_lazy("%(pm)s returned the handoff of %(title)s: %(reason)s"),
            pm=actor.full_name,
            title=handoff.offer.title,
            reason=reason,
        ),
    )
    return handoff


@transaction.atomic
def handoff_resubmit(*, handoff: Handoff, actor: Any) -> Handoff:
    """Returned → pending again, with a new snapshot version of the (fixed) offer."""
    handoff = _lock(handoff)
    if not can_resubmit(actor, handoff):
        raise PermissionDenied(gettext("Only the offer's owner can resubmit its handoff."))
    if handoff.status != HandoffStatus.RETURNED:
        raise TransitionNotAllowed(
            gettext("This handoff is %(status)s; only a returned handoff can be resubmitted.")
            % {"status": in_sentence(handoff.status)}
        )
    snapshot = _take_snapshot(handoff=handoff, offer=handoff.offer, actor=actor)
    handoff.status = HandoffStatus.PENDING
    handoff.pending_since = timezone.now()
    handoff.reminded_at = None
    handoff.escalated_at = None
    handoff.save(update_fields=["status", "pending_since", "reminded_at", "escalated_at"])
    log_activity(
        actor=actor,
        verb="resubmitted",
        target=handoff,
        changes={"status": (HandoffStatus.RETURNED, HandoffStatus.PENDING)},
        message=f"Snapshot v{snapshot.version} taken",
    )
    notify(
        event=Event.HANDOFF_RESUBMITTED,
        recipients=_pm_recipients(handoff),
        target=handoff,
        actor=actor,
        title=deferred(gettext_lazy("Handoff resubmitted: %(title)s"), title=handoff.offer.title),
        body=deferred(
            gettext_lazy("%(rep)s resubmitted %(title)s (version %(version)s)."),
            rep=actor.full_name,
            title=handoff.offer.title,
            version=snapshot.version,
        ),
    )
    return handoff


# --- Reassign ---------------------------------------------------------------------------------
@transaction.atomic
def handoff_reassign(*, handoff: Handoff, actor: Any, pm: Any) -> Handoff:
    """A manager hands a pending or returned handoff to another PM."""
    _require_role(actor, Role.MANAGER, "reassign a handoff")
    handoff = _lock(handoff)
    new_pm = validate_pm(pm, not_user_id=handoff.offer.owner_id)
    if handoff.status not in (HandoffStatus.PENDING, HandoffStatus.RETURNED):
        raise TransitionNotAllowed(
            gettext("This handoff is %(status)s; only a pending or returned handoff can be reassigned.")
            % {"status": in_sentence(handoff.status)}
        )
    if handoff.pm_id == new_pm.pk:
        return handoff
    old_pm = handoff.pm
    handoff.pm = new_pm
    # A new PM gets a new SLA period: the clock, the reminder and the escalation start over.
    # (The SLA notifications are keyed by ``pending_since``: without moving it, the managers'
    # escalation of the new period would collide with the old one's and be dropped.)
    if handoff.status == HandoffStatus.PENDING:
        handoff.pending_since = timezone.now()
    handoff.reminded_at = None
    handoff.escalated_at = None
    handoff.save(update_fields=["pm", "pending_since", "reminded_at", "escalated_at"])
    log_activity(actor=actor, verb="reassigned", target=handoff, changes={"pm": (old_pm, new_pm)})
    notify(
        event=Event.HANDOFF_REASSIGNED,
        recipients=[new_pm],
        target=handoff,
        actor=actor,
        title=deferred(gettext_lazy("Handoff assigned to you: %(title)s"), title=handoff.offer.title),
        body=deferred(
            gettext_lazy("%(manager)s assigned the handoff of %(title)s to you."),
            manager=actor.full_name,
            title=handoff.offer.title,
        ),
    )
    return handoff
