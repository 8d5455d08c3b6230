"""What a completed feasibility review covered, and what changed since (SPEC §7.1).

A review covers the offer **as the PM saw it**: its value, scope summary,
desired start and end, its commitments and its risks (``coverage_of``, stored
in ``FeasibilityReview.covered`` by ``review_complete`` and ``review_confirm``).
Any later change to one of those makes the review stale; probability and
expected close are the rep's forecast and never do.

A commitment is *marked* when the PM saw it in the review or marked it when
re-confirming; one added later stays an unmet readiness item until marked.

Everything here reads what ``handoff.selectors`` prefetched (reviews,
commitments, risks) and runs no query of its own, so lists stay flat. Stored
values are plain JSON (decimals as strings, dates ISO 8601). A completed review
written without ``covered`` (only bulk seeds do that) counts as current.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import format_money
from handoff.models import FeasibilityReview, Offer, ReviewStatus

COVERAGE_SCHEMA = 1
COVERED_FIELDS = ("value", "summary", "desired_start", "desired_end")
FIELD_LABELS = {
    "value": gettext_lazy("value"),
    "summary": gettext_lazy("scope summary"),
    "desired_start": gettext_lazy("desired start"),
    "desired_end": gettext_lazy("desired end"),
}
RISK_FIELDS = ("title", "category", "probability", "impact", "mitigation")
RISK_LABELS = {
    "title": gettext_lazy("title"),
    "category": gettext_lazy("category"),
    "probability": gettext_lazy("probability"),
    "impact": gettext_lazy("impact"),
    "mitigation": gettext_lazy("mitigation"),
}


class ChangeKind(models.TextChoices):
    FIELD = "field", gettext_lazy("Field")
    COMMITMENT = "commitment", gettext_lazy("Commitment")
    RISK = "risk", gettext_lazy("Risk")


class ReviewState:
    NONE = "none"
    REQUESTED = "requested"
    CURRENT = "current"
    STALE = "stale"
    CHOICES = (NONE, REQUESTED, CURRENT, STALE)


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value.quantize(decimal.Decimal("0.01")))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def commitment_entry(commitment: Any) -> dict[str, Any]:
    return {"id": commitment.pk, "text": commitment.text, "due": _plain(commitment.due)}


def risk_entry(risk: Any) -> dict[str, Any]:
    return {"id": risk.pk, **{name: _plain(getattr(risk, name)) for name in RISK_FIELDS}}


def coverage_of(offer: Any, commitments: list[Any], risks: list[Any], marked: list[int]) -> dict[str, Any]:
    """The JSON a review stores about what it covered.

    Reads plain attributes only, so the migration that backfills old reviews can use it too.
    """
    return {
        "schema": COVERAGE_SCHEMA,
        "version": getattr(offer, "version", None),
        **{name: _plain(getattr(offer, name)) for name in COVERED_FIELDS},
        "commitments": sorted((commitment_entry(c) for c in commitments), key=lambda c: c["id"]),
        "risks": sorted((risk_entry(r) for r in risks), key=lambda r: r["id"]),
        "marked": sorted(set(marked)),
    }


def current_coverage(offer: Offer, *, marked: list[int]) -> dict[str, Any]:
    return coverage_of(offer, list(offer.commitments.all()), list(offer.risks.all()), marked)


# --- Telling what changed ----------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One difference between what the review covered and the offer now.

    ``kind``: ``field`` (then ``field`` names it), ``commitment`` or ``risk``
    (then ``change`` is ``added | removed | changed`` and ``id`` the item's).
    ``before``/``after`` are the JSON values (a field) or the item's text.
    """

    kind: str
    text: str
    field: str = ""
    change: str = "changed"
    id: int | None = None
    before: Any = None
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "field": self.field,
            "change": self.change,
            "id": self.id,
            "before": self.before,
            "after": self.after,
            "text": self.text,
        }


def _show(name: str, value: Any) -> str:
    if value in (None, ""):
        return _("not set")
    if name == "value":
        return format_money(value)
    if name in ("desired_start", "desired_end"):
        return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    return f"“{Truncator(str(value)).chars(60)}”"


def _risk_text(entry: dict[str, Any]) -> str:
    return _("“%(title)s” (probability %(probability)s, impact %(impact)s)") % entry


def _risk_value(name: str, value: Any) -> str:
    return _show(name, value) if name in ("title", "mitigation") else str(value)


def _item_changes(kind: str, before: list[dict], after: list[dict]) -> list[Change]:
    old = {item["id"]: item for item in before}
    new = {item["id"]: item for item in after}
    describe = (lambda e: f"“{e['text']}”") if kind == "commitment" else _risk_text
    changes: list[Change] = []
    for pk in sorted(old.keys() | new.keys()):
        was, now = old.get(pk), new.get(pk)
        if was == now:
            continue
        if was is None:
            added = _("commitment added: %(what)s") if kind == "commitment" else _("risk added: %(what)s")
            text = added % {"what": describe(now)}
            changes.append(Change(kind, text, change="added", id=pk, after=describe(now)))
        elif now is None:
            removed = _("commitment removed: %(what)s") if kind == "commitment" else _("risk removed: %(what)s")
            text = removed % {"what": describe(was)}
            changes.append(Change(kind, text, change="removed", id=pk, before=describe(was)))
        else:
            if kind == "commitment":
                parts = [
                    _("%(before)s → %(after)s") % {"before": describe(was), "after": describe(now)}
                    if was["text"] != now["text"]
                    else describe(now)
                ]
                if was.get("due") != now.get("due"):
                    parts.append(
                        _("due %(before)s → %(after)s")
                        % {"before": was.get("due") or _("not set"), "after": now.get("due") or _("not set")}
                    )
            else:
                parts = [_risk_text(was)] + [
                    _("%(field)s %(before)s → %(after)s")
                    % {
                        "field": RISK_LABELS[name],
                        "before": _risk_value(name, was.get(name)),
                        "after": _risk_value(name, now.get(name)),
                    }
                    for name in RISK_FIELDS
                    if was.get(name) != now.get(name)
                ]
            changed = _("commitment changed: %(what)s") if kind == "commitment" else _("risk changed: %(what)s")
            text = changed % {"what": ", ".join(parts)}
            changes.append(Change(kind, text, change="changed", id=pk, before=describe(was), after=describe(now)))
    return changes


def coverage_changes(covered: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    """Field by field, then item by item: what differs between two coverages (marks aside)."""
    changes = []
    for name in COVERED_FIELDS:
        before, after = covered.get(name), now.get(name)
        if before != after:
            text = _("%(field)s %(before)s → %(after)s") % {
                "field": FIELD_LABELS[name],
                "before": _show(name, before),
                "after": _show(name, after),
            }
            changes.append(Change("field", text, field=name, before=before, after=after))
    changes += _item_changes("commitment", covered.get("commitments", []), now.get("commitments", []))
    changes += _item_changes("risk", covered.get("risks", []), now.get("risks", []))
    return changes


# --- The offer's review state ----------------------------------------------------------------
@dataclass
class ReviewCoverage:
    """The offer's ``review_state`` with its latest completed review and what changed since."""

    state: str
    review: FeasibilityReview | None = None
    open_review: FeasibilityReview | None = None
    changes: list[Change] = field(default_factory=list)
    # Commitments of the offer the PM has not marked (added after the review).
    unmarked: list[Any] = field(default_factory=list)

    @property
    def change_texts(self) -> list[str]:
        return [change.text for change in self.changes]

    @property
    def confirmable(self) -> bool:
        """The reviewing PM has something to re-confirm: changes, or commitments to mark."""
        return self.review is not None and self.open_review is None and bool(self.changes or self.unmarked)


def latest_completed(offer: Offer) -> FeasibilityReview | None:
    completed = [r for r in offer.reviews.all() if r.status == ReviewStatus.COMPLETED]
    return max(completed, key=lambda r: (r.completed_at or r.requested_at, r.pk), default=None)


def review_status(offer: Offer) -> ReviewCoverage:
    """``none | requested | current | stale`` for ``offer`` (from what was prefetched; cached on the instance)."""
    cached = getattr(offer, "_review_status", None)
    if cached is not None:
        return cached
    open_review = next((r for r in offer.reviews.all() if r.status == ReviewStatus.REQUESTED), None)
    review = latest_completed(offer)
    result = ReviewCoverage(ReviewState.NONE, review=review, open_review=open_review)
    if review is not None and review.covered is not None:
        marked = set(review.covered.get("marked", []))
        now = current_coverage(offer, marked=sorted(marked))
        result.changes = coverage_changes(review.covered, now)
        result.unmarked = [c for c in offer.commitments.all() if c.pk not in marked]
    if open_review is not None:
        result.state = ReviewState.REQUESTED
    elif review is not None:
        result.state = ReviewState.STALE if result.changes else ReviewState.CURRENT
    offer._review_status = result
    return result


def forget_review_status(offer: Offer) -> None:
    offer.__dict__.pop("_review_status", None)
