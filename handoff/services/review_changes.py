"""Telling the reviewing PM that the reviewed offer changed (SPEC §7.1).

Every service that changes what a review covers (the offer's value, scope
summary and desired dates, its commitments, its risks) calls
``review_note_change`` last, inside its transaction. The PM hears it once per
coverage, not once per keystroke: the review records when it was told
(``change_notified_at``, cleared when the PM re-confirms), and the
notification key carries the coverage's time, so a second call notifies
nobody twice even if two edits race.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.i18n import deferred, later
from handoff.coverage import coverage_changes, coverage_of
from handoff.models import Commitment, FeasibilityReview, Offer, OfferStatus, ReviewStatus, Risk
from notifications.events import Event
from notifications.services import notify


def change_notice_key(review: FeasibilityReview) -> str:
    stamp = review.covered_at or review.completed_at
    return f"reviewed-offer-changed:{review.pk}:{stamp.timestamp() if stamp else 0}"


def review_note_change(*, offer: Offer, actor: Any) -> FeasibilityReview | None:
    """After a change of ``offer`` (locked by the caller): notify the PM whose review it made stale, once."""
    # Only a draft waits for sending; an offer in review gets a new answer, a sent one no edits.
    if offer.status != OfferStatus.DRAFT:
        return None
    review = (
        FeasibilityReview.objects.select_for_update()
        .select_related("reviewer")
        .filter(offer_id=offer.pk, status=ReviewStatus.COMPLETED)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if review is None or review.covered is None or review.change_notified_at is not None:
        return None
    now = coverage_of(
        offer,
        list(Commitment.objects.filter(offer_id=offer.pk)),
        list(Risk.objects.filter(offer_id=offer.pk)),
        review.covered.get("marked", []),
    )
    changes = coverage_changes(review.covered, now)
    if not changes:
        return None
    review.change_notified_at = timezone.now()
    review.save(update_fields=["change_notified_at"])
    notify(
        event=Event.REVIEWED_OFFER_CHANGED,
        recipients=[review.reviewer],
        target=review,
        actor=actor,
        title=deferred(gettext_lazy("Reviewed offer changed: %(title)s"), title=offer.title),
        body=deferred(
            gettext_lazy(
                "%(actor)s changed the offer “%(title)s” since your review: %(changes)s. Re-confirm it or wait for a new request."
            ),
            actor=str(actor),
            title=offer.title,
            # The changes are worded in the reader's language too: listed again under it.
            changes=later(lambda: "; ".join(change.text for change in coverage_changes(review.covered, now))),
        ),
        url=reverse("handoff:offer_detail", args=[offer.pk]) + "#review",
        key=change_notice_key(review),
    )
    return review
