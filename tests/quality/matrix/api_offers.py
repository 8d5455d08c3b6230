"""API: offers, commitments, risks and reviews. The owner moves own offers; the reviewing PM adds risks and
completes the review; everyone signed in reads."""

from handoff.models import Offer
from tests.quality.matrix.base import row
from tests.quality.matrix.offers import _dates

READ = "anon 200 200 200 200 200"
OWNER = "anon W 403 403 403 403"
OWNER_OR_REVIEWER = "anon W 403 W 403 403"


def _offer(world):
    return {
        "client": world.id("client"),
        "title": "Matrix API offer",
        "summary": "Through the API.",
        "value": "1000.00",
        "probability": 40,
        **_dates(),
    }


def _version(world):
    return Offer.objects.get(pk=world.id("offer_draft")).version


RISK = {"title": "Matrix API risk", "category": "budget", "probability": 2, "impact": 2, "mitigation": ""}

ROWS = [
    row("GET", "offer-list", expect=READ),
    row("GET", "offer-list", query="status=draft", expect=READ, note="filtered"),
    row("POST", "offer-list", data=_offer, expect="anon W W 403 403 403"),
    row("GET", "offer-detail", "offer_draft", expect=READ),
    row("GET", "offer-detail", 999999, expect="anon 404 404 404 404 404", note="no such offer"),
    row(
        "PATCH",
        "offer-detail",
        "offer_draft",
        data=lambda w: {"title": "Renamed through the API", "version": _version(w)},
        expect=OWNER,
    ),
    row(
        "POST",
        "offer-request-review",
        "offer_draft",
        data=lambda w: {"reviewer": w.users["other_pm"].pk},
        expect=OWNER,
    ),
    row("POST", "offer-send", "offer_draft", expect=OWNER),
    row("POST", "offer-lose", "offer_sent", data={"reason": "Too expensive."}, expect=OWNER),
    row("POST", "offer-withdraw", "offer_sent", data={"reason": "No capacity."}, expect=OWNER),
    row("POST", "offer-sign-off-no-risks", "offer_review", expect=OWNER_OR_REVIEWER),
    row("DELETE", "offer-sign-off-no-risks", "offer_signed_off", expect=OWNER_OR_REVIEWER),
    row("POST", "offer-win", "offer_sent", data={}, expect=OWNER),
    row("GET", "commitment-list", expect=READ),
    row(
        "POST",
        "commitment-list",
        data=lambda w: {"offer": w.id("offer_draft"), "text": "Matrix API promise"},
        expect=OWNER,
    ),
    row("GET", "commitment-detail", "commitment", expect=READ),
    row("DELETE", "commitment-detail", "commitment", expect=OWNER),
    row("GET", "risk-list", expect=READ),
    row("POST", "risk-list", data=lambda w: {"offer": w.id("offer_draft"), **RISK}, expect=OWNER_OR_REVIEWER),
    row("GET", "risk-detail", "risk", expect=READ),
    row("PATCH", "risk-detail", "risk", data={"impact": 5}, expect=OWNER_OR_REVIEWER),
    row("DELETE", "risk-detail", "risk", expect=OWNER_OR_REVIEWER),
    row("GET", "review-list", expect=READ),
    row("GET", "review-detail", "review", expect=READ),
    row(
        "POST",
        "review-complete",
        "review",
        data={"verdict": "feasible", "effort_days": "30", "duration_weeks": "6", "notes": "Fine."},
        expect="anon 403 403 W 403 403",
    ),
    row(
        "POST",
        "review-confirm",
        "review_stale",
        data=lambda w: {"commitments": [w.id("commitment_unmarked")]},
        expect="anon 403 403 W 403 403",
    ),
    row(
        "POST",
        "review-confirm",
        "review_current",
        data={"commitments": []},
        expect="anon 403 403 409 403 403",
        note="nothing changed since the review",
    ),
    row(
        "POST",
        "review-confirm",
        "review_stale",
        data=lambda w: {"commitments": [w.id("commitment")]},
        expect="anon 403 403 400 403 403",
        note="a commitment of another offer",
    ),
]
