"""Feasibility reviews: the rep asks a PM, the PM answers (SPEC §3).

``review_request`` moves the offer draft → review, ``review_complete`` moves it
back review → draft with the answer. Both notify (``notifications.services.notify``,
the single hook the notification issue fills in) inside the transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.activity import log_activity
from core.errors import TransitionNotAllowed
from core.i18n import deferred, later
from handoff.coverage import coverage_changes, coverage_of
from handoff.models import (
    Commitment,
    Feasibility,
    FeasibilityReview,
    Offer,
    OfferStatus,
    ReviewStatus,
    Risk,
    Verdict,
    in_sentence,
)
from handoff.services.offers import check_date, check_text_lengths, ensure_offer_owner, ensure_transition, lock_offer
from notifications.events import Event
from notifications.services import notify

MAX_EFFORT_DAYS = Decimal("100000")
MAX_DURATION_WEEKS = Decimal("520")
MAX_MILESTONES = 50
MAX_MILESTONE_NAME = 200
MAX_MARK_NOTE = 500


@transaction.atomic
def review_request(*, offer: Offer, actor: Any, reviewer: User | None) -> FeasibilityReview:
    """Ask a PM for a feasibility review: the offer goes draft → review."""
    offer = lock_offer(offer)
    ensure_offer_owner(actor, offer, doing="ask for its review")
    ensure_transition(offer, OfferStatus.REVIEW, doing="sent for review")
    if reviewer is None or not reviewer.is_active or not reviewer.is_pm:
        raise ValidationError({"reviewer": _("Choose a project manager (a user with the pm role).")})
    if reviewer.pk in (actor.pk, offer.owner_id):  # four eyes (SPEC §7.2), whatever roles they hold
        raise ValidationError({"reviewer": _("Ask another project manager: nobody reviews their own offer.")})
    try:
        with transaction.atomic():
            review = FeasibilityReview.objects.create(offer=offer, reviewer=reviewer, requested_by=actor)
    except IntegrityError:  # the one-open-review constraint: a concurrent request won
        raise TransitionNotAllowed(_("A review of this offer has already been requested."), code="review_open")
    offer.status = OfferStatus.REVIEW
    offer.save(update_fields=["status", "updated_at"])
    log_activity(
        actor=actor,
        verb="review_requested",
        target=offer,
        changes={"status": (OfferStatus.DRAFT, OfferStatus.REVIEW), "reviewer": (None, reviewer)},
    )
    notify(
        event=Event.REVIEW_REQUESTED,
        recipients=[reviewer],
        target=review,
        actor=actor,
        title=deferred(gettext_lazy("Feasibility review requested: %(title)s"), title=offer.title),
        body=deferred(
            gettext_lazy("%(rep)s asks you to review the offer “%(title)s” for %(client)s."),
            rep=str(actor),
            title=offer.title,
            client=str(offer.client),
        ),
    )
    return review


def _decimal(value: Any, field: str, maximum: Decimal, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        errors[field] = _("This field is required.")
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if not number.is_finite() or number < 0:
        errors[field] = _("Enter a number of 0 or more.")
    elif number > maximum:
        errors[field] = _("At most %(limit)s, please.") % {"limit": maximum}
    elif number != number.quantize(Decimal("0.1")):
        errors[field] = _("At most one decimal place.")
    return number


def _milestones(raw: Any, errors: dict[str, str]) -> list[dict[str, str | None]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        errors["milestones"] = _("A list of {name, due} milestones.")
        return []
    if len(raw) > MAX_MILESTONES:
        errors["milestones"] = _("At most %(limit)d milestones.") % {"limit": MAX_MILESTONES}
        return []
    milestones = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) - {"name", "due"}:
            errors["milestones"] = _("Milestone %(number)d: give a name and an optional due date, nothing else.") % {
                "number": number
            }
            return []
        name = str(item.get("name") or "").strip()
        due = item.get("due")
        if isinstance(due, str):
            try:
                parsed = parse_date(due) if due else None
            except ValueError:
                parsed = None
            if due and parsed is None:
                errors["milestones"] = _("Milestone %(number)d: the due date must be YYYY-MM-DD.") % {"number": number}
                return []
            due = parsed
        elif due is not None and not isinstance(due, datetime.date):
            errors["milestones"] = _("Milestone %(number)d: the due date must be YYYY-MM-DD.") % {"number": number}
            return []
        if not name:
            errors["milestones"] = _("Milestone %(number)d: give it a name.") % {"number": number}
            return []
        if len(name) > MAX_MILESTONE_NAME:
            errors["milestones"] = _("Milestone %(number)d: at most %(limit)d characters.") % {
                "number": number,
                "limit": MAX_MILESTONE_NAME,
            }
            return []
        date_errors: dict[str, str] = {}
        check_date(due, "due", date_errors)
        if date_errors:
            errors["milestones"] = _("Milestone %(number)d: %(error)s") % {
                "number": number,
                "error": date_errors["due"],
            }
            return []
        milestones.append({"name": name, "due": due.isoformat() if due else None})
    return milestones


def _marks(raw: Any, offer: Offer, errors: dict[str, str]) -> dict[int, tuple[str, str]]:
    """``[{commitment, mark, note}]`` → ``{commitment id: (mark, note)}`` for the offer's own commitments."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, list):
        errors["commitment_marks"] = _("A list of {commitment, mark, note}.")
        return {}
    own = set(Commitment.objects.filter(offer=offer).values_list("pk", flat=True))
    marks: dict[int, tuple[str, str]] = {}
    for item in raw:
        if not isinstance(item, dict):
            errors["commitment_marks"] = _("Each mark is {commitment, mark, note}.")
            return {}
        commitment = item.get("commitment")
        commitment = getattr(commitment, "pk", commitment)
        if isinstance(commitment, bool) or not isinstance(commitment, int) or commitment not in own:
            errors["commitment_marks"] = _("Commitment %(id)s is not one of this offer's commitments.") % {
                "id": commitment
            }
            return {}
        if commitment in marks:
            errors["commitment_marks"] = _("Commitment %(id)s is marked twice.") % {"id": commitment}
            return {}
        mark = item.get("mark")
        if mark not in Feasibility.values:
            errors["commitment_marks"] = _("“%(mark)s” is not a mark; choose one of %(choices)s.") % {
                "mark": mark,
                "choices": ", ".join(Feasibility.values),
            }
            return {}
        note = str(item.get("note") or "").strip()
        if len(note) > MAX_MARK_NOTE:
            errors["commitment_marks"] = _("A note on a mark has at most %(limit)d characters.") % {
                "limit": MAX_MARK_NOTE
            }
            return {}
        marks[commitment] = (mark, note)
    return marks


@transaction.atomic
def review_complete(
    *,
    review: FeasibilityReview,
    actor: Any,
    verdict: str,
    effort_days: Any,
    duration_weeks: Any,
    notes: str = "",
    milestones: list[dict[str, Any]] | None = None,
    commitment_marks: list[dict[str, Any]] | None = None,
) -> FeasibilityReview:
    """The PM's answer: verdict, effort, duration, notes, milestones and a mark per commitment; review → draft."""
    offer = lock_offer(review.offer_id)
    review = FeasibilityReview.objects.select_for_update().select_related("reviewer").get(pk=review.pk)
    if review.reviewer_id != getattr(actor, "pk", None) or not actor.is_pm:
        raise PermissionDenied(
            _("Only %(reviewer)s, who was asked, can complete this review.") % {"reviewer": review.reviewer}
        )
    if review.status != ReviewStatus.REQUESTED:
        raise TransitionNotAllowed(
            _("This review is %(status)s, it cannot be completed again.") % {"status": in_sentence(review.status)},
            status=review.status,
        )
    ensure_transition(offer, OfferStatus.DRAFT, doing="returned from review")

    errors: dict[str, str] = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose one of %(choices)s.") % {"choices": ", ".join(Verdict.values)}
    effort = _decimal(effort_days, "effort_days", MAX_EFFORT_DAYS, errors)
    duration = _decimal(duration_weeks, "duration_weeks", MAX_DURATION_WEEKS, errors)
    notes = (notes or "").strip()
    if verdict in (Verdict.FEASIBLE_WITH_CONDITIONS, Verdict.NOT_FEASIBLE) and not notes:
        errors["notes"] = _("Say which conditions apply or why it is not feasible.")
    clean_milestones = _milestones(milestones, errors)
    marks = _marks(commitment_marks, offer, errors)
    if errors:
        raise ValidationError(errors)

    review.status = ReviewStatus.COMPLETED
    review.verdict = verdict
    review.effort_days = effort
    review.duration_weeks = duration
    review.notes = notes
    review.milestones = clean_milestones
    review.completed_at = timezone.now()
    check_text_lengths(review)
    review.save()

    # The marks are the latest review's: a commitment it left unmarked loses an older mark.
    commitments = list(Commitment.objects.filter(offer=offer))
    for commitment in commitments:
        commitment.feasibility, commitment.feasibility_note = marks.get(commitment.pk, ("", ""))
    Commitment.objects.bulk_update(commitments, ["feasibility", "feasibility_note"])
    # What the PM saw: every commitment on the form counts as marked (SPEC §7.1).
    review.covered = coverage_of(
        offer, commitments, list(Risk.objects.filter(offer=offer)), [c.pk for c in commitments]
    )
    review.covered_at = review.completed_at
    review.change_notified_at = None
    review.save(update_fields=["covered", "covered_at", "change_notified_at"])

    offer.status = OfferStatus.DRAFT
    offer.save(update_fields=["status", "updated_at"])
    log_activity(
        actor=actor,
        verb="review_completed",
        target=offer,
        changes={
            "status": (OfferStatus.REVIEW, OfferStatus.DRAFT),
            "verdict": (None, verdict),
            "effort_days": (None, effort),
            "duration_weeks": (None, duration),
            **{f"mark on “{c.text[:60]}”": (None, c.feasibility) for c in commitments if c.feasibility},
        },
        message=notes,
    )
    notify(
        event=Event.REVIEW_COMPLETED,
        recipients=[offer.owner],
        target=review,
        actor=actor,
        title=deferred(gettext_lazy("Feasibility review completed: %(title)s"), title=offer.title),
        body=deferred(
            gettext_lazy("%(pm)s answered: %(verdict)s, %(effort)s person-days over %(duration)s weeks."),
            pm=str(actor),
            verdict=Verdict(review.verdict).label,
            effort=later(number_format, effort),
            duration=later(number_format, duration),
        ),
    )
    return review


# --- Re-confirming a stale review (SPEC §7.1) ---------------------------------------------------
def _confirm_marks(raw: Any, offer: Offer) -> set[int]:
    """The ids of ``offer``'s commitments the PM marks; a ``ValidationError`` on ``commitments`` otherwise."""
    if raw in (None, ""):
        return set()
    if not isinstance(raw, (list, tuple, set)):
        raise ValidationError({"commitments": _("A list of commitment ids of this offer.")})
    own = set(Commitment.objects.filter(offer=offer).values_list("pk", flat=True))
    marks: set[int] = set()
    for item in raw:
        pk = getattr(item, "pk", item)
        if isinstance(pk, bool) or not isinstance(pk, int) or pk not in own:
            raise ValidationError(
                {"commitments": _("Commitment %(id)s is not one of this offer's commitments.") % {"id": pk}}
            )
        if pk in marks:
            raise ValidationError({"commitments": _("Commitment %(id)s is marked twice.") % {"id": pk}})
        marks.add(pk)
    return marks


@transaction.atomic
def review_confirm(*, review: FeasibilityReview, actor: Any, commitments: Any = None) -> FeasibilityReview:
    """The reviewing PM confirms a stale review after seeing the changes: it covers the offer as it is now.

    ``commitments``: ids of the offer's commitments the PM marks (those added since the review
    stay unmet readiness items until marked). Refused unless the review is the offer's latest
    completed one, the offer a draft, and something changed or waits for a mark.
    """
    offer = lock_offer(review.offer_id)
    review = FeasibilityReview.objects.select_for_update().select_related("reviewer").get(pk=review.pk)
    if review.reviewer_id != getattr(actor, "pk", None) or not getattr(actor, "is_pm", False):
        raise PermissionDenied(
            _("Only %(reviewer)s, who reviewed the offer, can confirm the review.") % {"reviewer": review.reviewer}
        )
    if offer.owner_id == actor.pk:  # four eyes (SPEC §7.2): nobody confirms a review of their own offer
        raise TransitionNotAllowed(_("Nobody confirms the review of their own offer."), code="four_eyes")
    latest = (
        FeasibilityReview.objects.filter(offer=offer, status=ReviewStatus.COMPLETED)
        .order_by("-completed_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if review.status != ReviewStatus.COMPLETED or review.pk != latest:
        raise TransitionNotAllowed(
            _("Only the offer's latest completed review can be confirmed."), code="review_not_latest"
        )
    if offer.status != OfferStatus.DRAFT:
        raise TransitionNotAllowed(
            _("A review can be confirmed only while the offer is a draft (this one is %(status)s).")
            % {"status": in_sentence(offer.status)},
            status=offer.status,
        )
    marks = _confirm_marks(commitments, offer)
    current = list(Commitment.objects.filter(offer=offer))
    risks = list(Risk.objects.filter(offer=offer))
    covered = review.covered or coverage_of(offer, current, risks, [c.pk for c in current])
    was_marked = set(covered.get("marked", []))
    ids = {c.pk for c in current}
    marked = (was_marked & ids) | marks
    now = coverage_of(offer, current, risks, sorted(marked))
    changes = coverage_changes(covered, now)
    if not changes and not (ids - was_marked):
        raise TransitionNotAllowed(
            _("The review covers the offer as it is: there is nothing to confirm."), code="review_current"
        )

    review.covered = now
    review.covered_at = timezone.now()
    review.change_notified_at = None
    review.save(update_fields=["covered", "covered_at", "change_notified_at"])
    log_activity(
        actor=actor,
        verb="review_confirmed",
        target=offer,
        changes={
            **{f"since the review ({number})": (None, change.text) for number, change in enumerate(changes, 1)},
            **{f"mark on “{c.text[:60]}”": (None, "marked") for c in current if c.pk in marks},
        },
        message=_("%(reviewer)s confirmed the review for the offer as it is now.") % {"reviewer": actor},
    )
    return review
