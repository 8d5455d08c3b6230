"""The offer's risk assessment: the risk register, or the signed-off "no significant risks" (SPEC §3).

Who: the offer's owner, or a PM who reviews (or reviewed) the offer (SPEC §2).
When: the register while the offer is open, so what is learnt after sending
still reaches the handoff; the sign-off while the offer is being prepared.
The sign-off is possible only with an empty register, and adding a risk
clears it: the two assessments never contradict each other.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.activity import apply_changes, log_activity
from core.errors import TransitionNotAllowed
from handoff.models import OPEN_OFFER_STATUSES, Offer, OfferStatus, ReviewStatus, Risk, in_sentence
from handoff.services.offers import (
    EDITABLE_STATUSES,
    check_text_lengths,
    ensure_editable,
    is_offer_owner,
    lock_offer,
    offer_is_editable,
)
from handoff.services.review_changes import review_note_change

RISK_FIELDS = ("title", "category", "probability", "impact", "mitigation", "owner")


def reviews_offer(user: Any, offer: Offer) -> bool:
    """Whether ``user`` is a PM asked to review ``offer`` (uses prefetched reviews when there are any)."""
    if not getattr(user, "is_authenticated", False) or not user.is_pm:
        return False
    return any(
        review.reviewer_id == user.pk and review.status != ReviewStatus.CANCELLED for review in offer.reviews.all()
    )


def can_manage_risks(user: Any, offer: Offer) -> bool:
    open_for_risks = offer.status in OPEN_OFFER_STATUSES or offer_is_editable(offer)
    return open_for_risks and (is_offer_owner(user, offer) or reviews_offer(user, offer))


def can_sign_off_no_risks(user: Any, offer: Offer) -> bool:
    return offer.status in EDITABLE_STATUSES and (is_offer_owner(user, offer) or reviews_offer(user, offer))


def _ensure_may_manage(actor: Any, offer: Offer) -> None:
    if not (is_offer_owner(actor, offer) or reviews_offer(actor, offer)):
        raise PermissionDenied(_("Only the offer's owner or a PM reviewing it can change its risks."))
    if offer.status == OfferStatus.WON:
        ensure_editable(offer)  # open again while its handoff is returned for fixing
    elif offer.status not in OPEN_OFFER_STATUSES:
        raise TransitionNotAllowed(
            _("The risks of a %(status)s offer can no longer be changed.") % {"status": in_sentence(offer.status)},
            status=offer.status,
        )


def _clean_risk(risk: Risk) -> None:
    risk.title = (risk.title or "").strip()
    risk.mitigation = (risk.mitigation or "").strip()
    if not risk.title:
        raise ValidationError({"title": _("Name the risk.")})
    if risk.owner_id is not None and not User.objects.filter(pk=risk.owner_id, is_active=True).exists():
        raise ValidationError({"owner": _("Choose an active user as the risk's owner.")})
    check_text_lengths(risk)
    risk.full_clean(exclude=["offer", "owner", "created_by"], validate_constraints=False)


def _clear_sign_off(offer: Offer, actor: Any) -> None:
    if offer.no_risks_signed_off_at is None:
        return
    before = offer.no_risks_signed_off_by
    offer.no_risks_signed_off_by = None
    offer.no_risks_signed_off_at = None
    offer.save(update_fields=["no_risks_signed_off_by", "no_risks_signed_off_at", "updated_at"])
    log_activity(
        actor=actor,
        verb="no_risks_sign_off_cleared",
        target=offer,
        changes={"no_risks_signed_off_by": (before, None)},
        message="A risk was recorded, so the “no significant risks” sign-off no longer holds.",
    )


def _risk_summary(risk: Risk) -> str:
    return f"{risk.title} ({risk.category}, {risk.probability}x{risk.impact}={risk.score})"


@transaction.atomic
def risk_add(
    *,
    offer: Offer,
    actor: Any,
    title: str,
    category: str,
    probability: int,
    impact: int,
    mitigation: str = "",
    owner: Any = None,
) -> Risk:
    offer = lock_offer(offer)
    _ensure_may_manage(actor, offer)
    risk = Risk(
        offer=offer,
        title=title,
        category=category,
        probability=probability,
        impact=impact,
        mitigation=mitigation,
        owner=owner,
        created_by=actor,
    )
    _clean_risk(risk)
    risk.save()
    log_activity(actor=actor, verb="risk_added", target=offer, changes={"risk": (None, _risk_summary(risk))})
    _clear_sign_off(offer, actor)
    review_note_change(offer=offer, actor=actor)
    return risk


@transaction.atomic
def risk_update(*, risk: Risk, actor: Any, data: dict[str, Any]) -> Risk:
    offer = lock_offer(risk.offer_id)
    _ensure_may_manage(actor, offer)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    before = _risk_summary(risk)
    changes = apply_changes(risk, data, RISK_FIELDS)
    _clean_risk(risk)
    if not changes:
        return risk
    risk.save()
    log_activity(
        actor=actor,
        verb="risk_updated",
        target=offer,
        changes={f"risk.{field}": change for field, change in changes.items()},
        message=before,
    )
    review_note_change(offer=offer, actor=actor)
    return risk


@transaction.atomic
def risk_remove(*, risk: Risk, actor: Any) -> None:
    offer = lock_offer(risk.offer_id)
    _ensure_may_manage(actor, offer)
    risk = Risk.objects.filter(pk=risk.pk, offer=offer).first()
    if risk is None:  # already gone: a double click or a colleague
        return
    summary = _risk_summary(risk)
    risk.delete()
    log_activity(actor=actor, verb="risk_removed", target=offer, changes={"risk": (summary, None)})
    review_note_change(offer=offer, actor=actor)


@transaction.atomic
def offer_sign_off_no_risks(*, offer: Offer, actor: Any) -> Offer:
    """Record who assessed the offer as carrying no significant risks, and when."""
    offer = lock_offer(offer)
    if not (is_offer_owner(actor, offer) or reviews_offer(actor, offer)):
        raise PermissionDenied(_("Only the offer's owner or a PM reviewing it can sign off its risks."))
    if offer.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            _("The risk assessment of a %(status)s offer can no longer be signed off.")
            % {"status": in_sentence(offer.status)},
            status=offer.status,
        )
    if offer.no_risks_signed_off_at is not None:
        raise TransitionNotAllowed(
            _("%(person)s already signed off “no significant risks”.") % {"person": offer.no_risks_signed_off_by},
            code="already_signed_off",
        )
    if offer.risks.exists():
        raise TransitionNotAllowed(
            _("The offer has recorded risks: remove them first if there really are no significant risks."),
            code="risks_recorded",
        )
    offer.no_risks_signed_off_by = actor
    offer.no_risks_signed_off_at = timezone.now()
    offer.save(update_fields=["no_risks_signed_off_by", "no_risks_signed_off_at", "updated_at"])
    log_activity(
        actor=actor, verb="no_risks_signed_off", target=offer, changes={"no_risks_signed_off_by": (None, actor)}
    )
    return offer


@transaction.atomic
def offer_withdraw_no_risks_sign_off(*, offer: Offer, actor: Any) -> Offer:
    offer = lock_offer(offer)
    if not (is_offer_owner(actor, offer) or reviews_offer(actor, offer)):
        raise PermissionDenied(_("Only the offer's owner or a PM reviewing it can withdraw the risk sign-off."))
    if offer.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            _("The risk assessment of a %(status)s offer can no longer be changed.")
            % {"status": in_sentence(offer.status)},
            status=offer.status,
        )
    if offer.no_risks_signed_off_at is None:
        raise TransitionNotAllowed(_("There is no “no significant risks” sign-off to withdraw."), code="not_signed_off")
    before = offer.no_risks_signed_off_by
    offer.no_risks_signed_off_by = None
    offer.no_risks_signed_off_at = None
    offer.save(update_fields=["no_risks_signed_off_by", "no_risks_signed_off_at", "updated_at"])
    log_activity(
        actor=actor,
        verb="no_risks_sign_off_withdrawn",
        target=offer,
        changes={"no_risks_signed_off_by": (before, None)},
    )
    return offer
