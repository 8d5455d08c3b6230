"""Every write to an offer and its commitments: create, edit, send, lose, withdraw (SPEC §3).

One function per change: ``@transaction.atomic``, the offer row locked, illegal
moves refused with ``TransitionNotAllowed`` (the ``OFFER_TRANSITIONS`` table),
bad input with Django's ``ValidationError``, a foreign offer with
``PermissionDenied``, and an activity-log row for the offer's timeline.

What may change when:
- the offer's fields and its commitments while it is ``draft`` or ``review``
  (a sent offer is what the client holds; it changes only by a new offer),
  and a won offer while the PM has returned its handoff for fixing: the rep
  fixes it, then resubmits, and the new snapshot shows what changed;
- the risk register while the offer is open (``handoff.services.risks``);
- ``win`` is ``handoff.services.handoffs.offer_win``.

Only ``offer_update`` bumps the offer's ``version``: it guards the editable
fields against a silent overwrite; state changes are guarded by the lock and
the transition table instead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clients.models import BuyingRole, Client, ClientBrief
from core.activity import apply_changes, log_activity
from core.errors import NotReady, TransitionNotAllowed
from core.versioning import bump_version, lock_for_edit
from handoff.coverage import COVERED_FIELDS, review_status
from handoff.models import (
    OFFER_TRANSITIONS,
    OPEN_OFFER_STATUSES,
    Commitment,
    FeasibilityReview,
    Handoff,
    Offer,
    OfferStatus,
    ReviewStatus,
    Verdict,
    in_sentence,
)
from handoff.services.handoffs import offer_returned_for_fixing
from handoff.services.review_changes import review_note_change

# An offer above a billion is a typing error, not a deal.
MAX_OFFER_VALUE = Decimal("1000000000.00")
# Dates outside this window are typing errors too (a year 20250, a year 1925).
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
EDITABLE_STATUSES = (OfferStatus.DRAFT, OfferStatus.REVIEW)
MAX_REASON_LENGTH = 1000

# Who may do what to an offer, one whole sentence per action (the callers name the action).
OWNER_ONLY = {
    "edit it": gettext_lazy("Only the offer's owner (%(owner)s) can edit it."),
    "send it": gettext_lazy("Only the offer's owner (%(owner)s) can send it."),
    "ask for its review": gettext_lazy("Only the offer's owner (%(owner)s) can ask for its review."),
    "mark it lost": gettext_lazy("Only the offer's owner (%(owner)s) can mark it lost."),
    "withdraw it": gettext_lazy("Only the offer's owner (%(owner)s) can withdraw it."),
    "add commitments": gettext_lazy("Only the offer's owner (%(owner)s) can add commitments."),
    "remove commitments": gettext_lazy("Only the offer's owner (%(owner)s) can remove commitments."),
}
# The status moves an offer refuses, by what the caller tried (``%(status)s`` is the current status).
NOT_ALLOWED = {
    "sent": gettext_lazy("A %(status)s offer cannot be sent."),
    "sent for review": gettext_lazy("A %(status)s offer cannot be sent for review."),
    "returned from review": gettext_lazy("A %(status)s offer cannot be returned from review."),
    "lost": gettext_lazy("A %(status)s offer cannot be lost."),
    "withdrawn": gettext_lazy("A %(status)s offer cannot be withdrawn."),
}


# --- Who may do what (also used by pages to show only the buttons that work) ------
def is_offer_owner(user: Any, offer: Offer) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and offer.owner_id == user.pk and user.is_sales


def offer_is_editable(offer: Offer) -> bool:
    """Draft or in review; or won, with its handoff returned by the PM for fixing before a resubmit."""
    if offer.status in EDITABLE_STATUSES:
        return True
    if offer.status != OfferStatus.WON:
        return False
    # A page asks several times (edit, commitments, risks): one query per offer instance.
    if not hasattr(offer, "_returned_for_fixing"):
        offer._returned_for_fixing = offer_returned_for_fixing(offer)
    return offer._returned_for_fixing


def can_edit_offer(user: Any, offer: Offer) -> bool:
    return is_offer_owner(user, offer) and offer_is_editable(offer)


def can_attach_documents(user: Any, offer: Offer) -> bool:
    """The owner attaches documents while the offer is open, or returned for fixing after the win (SPEC §7.4)."""
    return is_offer_owner(user, offer) and (offer.status in OPEN_OFFER_STATUSES or offer_is_editable(offer))


def can_move_offer(user: Any, offer: Offer, target: str) -> bool:
    return is_offer_owner(user, offer) and target in OFFER_TRANSITIONS[offer.status]


def ensure_offer_owner(user: Any, offer: Offer, *, doing: str) -> None:
    if not is_offer_owner(user, offer):
        message = OWNER_ONLY.get(doing) or gettext_lazy("Only the offer's owner (%(owner)s) can do this.")
        raise PermissionDenied(message % {"owner": offer.owner})


def ensure_transition(offer: Offer, target: str, *, doing: str) -> None:
    if target not in OFFER_TRANSITIONS[offer.status]:
        raise TransitionNotAllowed(
            (NOT_ALLOWED.get(doing) or gettext_lazy("A %(status)s offer cannot be changed this way."))
            % {"status": in_sentence(offer.status)},
            status=offer.status,
        )


def ensure_editable(offer: Offer) -> None:
    """Refuse a change of ``offer`` (locked by the caller) unless ``offer_is_editable``.

    For a won offer the handoff row is locked too, so a resubmit running at the
    same moment waits for the fix and snapshots it.
    """
    if offer.status in EDITABLE_STATUSES:
        return
    if offer.status == OfferStatus.WON:
        list(Handoff.objects.select_for_update().filter(offer_id=offer.pk).values_list("pk", flat=True))
        if offer_returned_for_fixing(offer):
            return
        raise TransitionNotAllowed(
            _("A won offer can be changed only while the PM has returned its handoff for fixing."),
            status=offer.status,
        )
    raise TransitionNotAllowed(
        _("A %(status)s offer can no longer be changed.") % {"status": in_sentence(offer.status)},
        status=offer.status,
    )


def lock_offer(offer: Offer | int) -> Offer:
    pk = offer if isinstance(offer, int) else offer.pk
    return Offer.objects.select_for_update().select_related("owner").get(pk=pk)


# --- Input checks shared by create and edit -----------------------------------------
def check_text_lengths(instance: models.Model) -> None:
    """Django enforces ``max_length`` of a TextField only in forms; the services enforce it everywhere."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.TextField) and field.max_length:
            value = getattr(instance, field.attname) or ""
            if len(value) > field.max_length:
                errors[field.name] = _("At most %(limit)d characters, please (this one has %(length)d).") % {
                    "limit": field.max_length,
                    "length": len(value),
                }
    if errors:
        raise ValidationError(errors)


def check_date(value: datetime.date | None, field: str, errors: dict[str, str]) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        errors.setdefault(
            field,
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": f"{EARLIEST_DATE:%Y}", "last": f"{LATEST_DATE:%Y}"},
        )


def clean_offer(offer: Offer) -> None:
    errors: dict[str, str] = {}
    offer.title = (offer.title or "").strip()
    offer.summary = (offer.summary or "").strip()
    if not offer.title:
        errors["title"] = _("Give the offer a title.")
    if offer.value is not None and offer.value > MAX_OFFER_VALUE:
        errors["value"] = _("The value may be at most %(limit)s.") % {"limit": f"{MAX_OFFER_VALUE:,.2f}"}
    for field in ("expected_close", "desired_start", "desired_end"):
        check_date(getattr(offer, field), field, errors)
    if offer.desired_start and offer.desired_end and offer.desired_end < offer.desired_start:
        errors.setdefault("desired_end", _("The desired end must not be before the desired start."))
    if errors:
        raise ValidationError(errors)
    check_text_lengths(offer)
    # Field validators (value ≥ 0, probability 0-100, lengths, choices); the
    # table's check constraints back them up and the checks above word them.
    offer.full_clean(exclude=["client", "owner", "no_risks_signed_off_by"], validate_constraints=False)


# --- Offers ------------------------------------------------------------------------
@transaction.atomic
def offer_create(
    *,
    actor: Any,
    client: Client,
    title: str,
    summary: str = "",
    value: Decimal | None = None,
    probability: int = 50,
    expected_close: datetime.date | None = None,
    desired_start: datetime.date | None = None,
    desired_end: datetime.date | None = None,
) -> Offer:
    """A new draft offer owned by the rep who creates it (any client, not only the rep's accounts)."""
    if not getattr(actor, "is_sales", False):
        raise PermissionDenied(_("Only sales reps create offers."))
    offer = Offer(
        client=client,
        owner=actor,
        title=title,
        summary=summary,
        value=value,
        probability=probability,
        expected_close=expected_close,
        desired_start=desired_start,
        desired_end=desired_end,
    )
    clean_offer(offer)
    offer.save()
    log_activity(
        actor=actor,
        verb="offer_created",
        target=offer,
        changes={field: (None, getattr(offer, field)) for field in ("client", "status", *Offer.EDITABLE_FIELDS)},
    )
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, actor: Any, version: int | None, data: dict[str, Any]) -> Offer:
    """Edit the offer's fields; ``version`` is the one the editor read (``StaleVersion`` when it moved on)."""
    current = lock_offer(offer)
    ensure_offer_owner(actor, current, doing="edit it")
    ensure_editable(current)
    current = lock_for_edit(Offer.objects.select_related("owner"), pk=current.pk, expected_version=version)
    changes = apply_changes(current, data, Offer.EDITABLE_FIELDS)
    clean_offer(current)
    # clean_offer strips text: compare again so whitespace alone is not a change.
    changes = {field: (old, getattr(current, field)) for field, (old, _new) in changes.items()}
    changes = {field: (old, new) for field, (old, new) in changes.items() if old != new}
    if not changes:
        return current
    bump_version(current)
    current.save()
    log_activity(actor=actor, verb="offer_updated", target=current, changes=changes)
    if changes.keys() & set(COVERED_FIELDS):
        review_note_change(offer=current, actor=actor)
    return current


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: str
    met: bool
    hint: str = ""
    url: str = ""
    # The commitment an item of key ``commitment`` is about.
    commitment: int | None = None

    SHORT = {
        "review": gettext_lazy("PM review"),
        "risks": gettext_lazy("risk assessment"),
        "brief": gettext_lazy("client brief"),
        "decision_maker": gettext_lazy("decision maker"),
        "commercials": gettext_lazy("value and dates"),
        "commitment": gettext_lazy("commitment marked by the PM"),
    }

    @property
    def short(self) -> str:
        return str(self.SHORT.get(self.key, self.key))


def _client_url(offer: Offer, anchor: str = "") -> str:
    return reverse("clients:detail", args=[offer.client_id]) + anchor


def offer_readiness(*, offer: Offer) -> list[ReadinessItem]:
    """The send checklist (SPEC §3), every item with whether it is met and how to fix it.

    Uses what ``handoff.selectors.offer_detail`` prefetched (reviews, risks,
    the brief, the decision makers) and queries only for what is missing.
    """
    detail_url = reverse("handoff:offer_detail", args=[offer.pk])

    coverage = review_status(offer)
    open_review = coverage.open_review
    latest = coverage.review
    # Stale even while a new review is requested: that one has not answered yet.
    stale = bool(coverage.changes)
    review_met = latest is not None and latest.verdict != Verdict.NOT_FEASIBLE and not stale
    if review_met:
        review_hint = _("%(reviewer)s: %(verdict)s.") % {
            "reviewer": latest.reviewer,
            "verdict": in_sentence(latest.verdict),
        }
    elif open_review is not None:
        review_hint = _("Waiting for %(reviewer)s's answer.") % {"reviewer": open_review.reviewer}
    elif stale:
        review_hint = _("%(reviewer)s's review is stale, the offer changed since: %(changes)s.") % {
            "reviewer": latest.reviewer,
            "changes": "; ".join(coverage.change_texts),
        }
    elif latest is not None:
        review_hint = _("The last review found the offer not feasible: change it and ask again.")
    else:
        review_hint = _("Ask a PM for a feasibility review.")

    risks = offer.risks.all()
    risks_met = bool(len(risks)) or offer.no_risks_signed_off_at is not None
    if len(risks):
        risks_hint = ngettext("%(count)d risk recorded.", "%(count)d risks recorded.", len(risks)) % {
            "count": len(risks)
        }
    elif risks_met:
        risks_hint = _("“No significant risks” signed off.")
    else:
        risks_hint = _("Add a risk or sign off “no significant risks”.")

    try:
        brief: ClientBrief | None = offer.client.brief
    except ClientBrief.DoesNotExist:
        brief = None
    brief_met = brief is not None and brief.is_filled

    if hasattr(offer.client, "decision_makers"):
        has_decision_maker = bool(offer.client.decision_makers)
    else:
        has_decision_maker = offer.client.contacts.filter(buying_role=BuyingRole.DECISION_MAKER).exists()

    missing = [
        label
        for field, label in (
            ("value", _("value")),
            ("expected_close", _("expected close date")),
            ("desired_start", _("desired start")),
            ("desired_end", _("desired end")),
        )
        if getattr(offer, field) is None
    ]

    return [
        ReadinessItem(
            "review",
            _("A PM completed a feasibility review that is not “not feasible”"),
            review_met,
            review_hint,
            f"{detail_url}#review",
        ),
        ReadinessItem(
            "risks",
            _("Risks assessed (a risk register or “no significant risks”)"),
            risks_met,
            risks_hint,
            f"{detail_url}#risks",
        ),
        ReadinessItem(
            "brief",
            _("The client brief is filled in"),
            brief_met,
            "" if brief_met else _("Fill in the client's brief."),
            _client_url(offer, "#brief"),
        ),
        ReadinessItem(
            "decision_maker",
            _("A contact of the client is a decision maker"),
            has_decision_maker,
            "" if has_decision_maker else _("Add the decision maker to the client's contacts."),
            _client_url(offer, "#contacts"),
        ),
        ReadinessItem(
            "commercials",
            _("Value, expected close date and desired start and end are filled in"),
            not missing,
            _("Missing: %(fields)s.") % {"fields": ", ".join(missing)} if missing else "",
            reverse("handoff:offer_edit", args=[offer.pk]),
        ),
        # A commitment added after the review is a promise no PM has looked at (SPEC §7.1).
        *(
            ReadinessItem(
                "commitment",
                _("The PM marked the commitment “%(text)s”") % {"text": commitment.text},
                False,
                _("Added after %(reviewer)s's review: the PM marks it when re-confirming, or ask for a new review.")
                % {"reviewer": latest.reviewer},
                f"{detail_url}#review",
                commitment.pk,
            )
            for commitment in (coverage.unmarked if open_review is None else [])
        ),
    ]


def offer_is_ready(*, offer: Offer) -> bool:
    return all(item.met for item in offer_readiness(offer=offer))


@transaction.atomic
def offer_send(*, offer: Offer, actor: Any) -> Offer:
    """Draft → sent, only when every readiness item is met (``NotReady`` lists those that are not)."""
    offer = lock_offer(offer)
    ensure_offer_owner(actor, offer, doing="send it")
    ensure_transition(offer, OfferStatus.SENT, doing="sent")
    unmet = [item for item in offer_readiness(offer=offer) if not item.met]
    if unmet:
        coverage = review_status(offer)
        stale = bool(coverage.changes)
        message = _("The offer is not ready to send: %(items)s.") % {"items": "; ".join(item.label for item in unmet)}
        if stale:
            changed = _("Changed since the review: %(changes)s.") % {"changes": "; ".join(coverage.change_texts)}
            message = f"{message} {changed}"
        raise NotReady(
            message,
            unmet=list(dict.fromkeys(item.key for item in unmet)),
            review_state=coverage.state,
            # Field by field, item by item: "value 10,000 → 30,000", "commitment added: “…”".
            review_changes=coverage.change_texts if stale else [],
            review_change_details=[change.as_dict() for change in coverage.changes] if stale else [],
            unmarked_commitments=[item.commitment for item in unmet if item.key == "commitment"],
        )
    offer.status = OfferStatus.SENT
    offer.sent_at = timezone.now()
    offer.save(update_fields=["status", "sent_at", "updated_at"])
    log_activity(actor=actor, verb="offer_sent", target=offer, changes={"status": (OfferStatus.DRAFT, offer.status)})
    return offer


def _offer_close(*, offer: Offer, actor: Any, reason: str, target: str, verb: str, doing: str) -> Offer:
    offer = lock_offer(offer)
    ensure_offer_owner(actor, offer, doing=doing)
    ensure_transition(offer, target, doing=verb.removeprefix("offer_"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": _("At most %(limit)d characters, please.") % {"limit": MAX_REASON_LENGTH}})
    before = offer.status
    # An open review request dies with the offer.
    for review in FeasibilityReview.objects.select_for_update().filter(offer=offer, status=ReviewStatus.REQUESTED):
        review.status = ReviewStatus.CANCELLED
        review.save(update_fields=["status"])
        log_activity(
            actor=actor,
            verb="review_cancelled",
            target=offer,
            changes={"review": (ReviewStatus.REQUESTED, ReviewStatus.CANCELLED)},
            message=f"Review request to {review.reviewer} cancelled",
        )
    offer.status = target
    offer.close_reason = reason
    offer.closed_at = timezone.now()
    offer.save(update_fields=["status", "close_reason", "closed_at", "updated_at"])
    log_activity(actor=actor, verb=verb, target=offer, changes={"status": (before, target)}, message=reason)
    return offer


@transaction.atomic
def offer_lose(*, offer: Offer, actor: Any, reason: str) -> Offer:
    """Any open status → lost, with the reason the client gave."""
    return _offer_close(
        offer=offer, actor=actor, reason=reason, target=OfferStatus.LOST, verb="offer_lost", doing="mark it lost"
    )


@transaction.atomic
def offer_withdraw(*, offer: Offer, actor: Any, reason: str) -> Offer:
    """Any open status → withdrawn, with the reason we pulled out."""
    return _offer_close(
        offer=offer,
        actor=actor,
        reason=reason,
        target=OfferStatus.WITHDRAWN,
        verb="offer_withdrawn",
        doing="withdraw it",
    )


# --- Commitments -----------------------------------------------------------------
@transaction.atomic
def commitment_add(*, offer: Offer, actor: Any, text: str, due: datetime.date | None = None) -> Commitment:
    offer = lock_offer(offer)
    ensure_offer_owner(actor, offer, doing="add commitments")
    ensure_editable(offer)
    commitment = Commitment(offer=offer, text=(text or "").strip(), due=due)
    errors: dict[str, str] = {}
    if not commitment.text:
        errors["text"] = _("Write down what was promised.")
    check_date(due, "due", errors)
    if errors:
        raise ValidationError(errors)
    commitment.full_clean(exclude=["offer"])
    commitment.save()
    log_activity(
        actor=actor,
        verb="commitment_added",
        target=offer,
        changes={"commitment": (None, commitment.text), **({"due": (None, due)} if due else {})},
    )
    review_note_change(offer=offer, actor=actor)
    return commitment


@transaction.atomic
def commitment_remove(*, commitment: Commitment, actor: Any) -> None:
    offer = lock_offer(commitment.offer_id)
    ensure_offer_owner(actor, offer, doing="remove commitments")
    ensure_editable(offer)
    commitment = Commitment.objects.filter(pk=commitment.pk, offer=offer).first()
    if commitment is None:  # removed by a double click or a colleague: nothing left to do
        return
    text = commitment.text
    commitment.delete()
    log_activity(actor=actor, verb="commitment_removed", target=offer, changes={"commitment": (text, None)})
    review_note_change(offer=offer, actor=actor)
