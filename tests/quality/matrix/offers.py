"""Offer pages: the owner (a sales rep) edits and moves own offers; the reviewing PM adds risks and completes
the review; managers and other users read only."""

import datetime

from django.utils import timezone

from handoff.models import Offer
from tests.quality.matrix.base import row

READ = "login 200 200 200 200 200"
OWNER_ONLY = "login W 403 403 403 403"
OWNER_OR_REVIEWER = "login W 403 W 403 403"


def _dates() -> dict[str, str]:
    today = timezone.localdate()
    return {
        "expected_close": (today + datetime.timedelta(days=20)).isoformat(),
        "desired_start": (today + datetime.timedelta(days=40)).isoformat(),
        "desired_end": (today + datetime.timedelta(days=100)).isoformat(),
    }


def _offer(world):
    return {
        "client": world.id("client"),
        "title": "Matrix new offer",
        "summary": "A second roll-out.",
        "value": "1000.00",
        "probability": 40,
        **_dates(),
    }


def _offer_edit(world):
    offer = Offer.objects.get(pk=world.id("offer_draft"))
    return {**_offer(world), "title": "Ready draft, renamed", "version": offer.version}


RISK = {"title": "Matrix risk", "category": "schedule", "probability": 2, "impact": 3, "mitigation": ""}


def _review(world):
    review = world.objects["review"]
    data = {
        "verdict": "feasible",
        "effort_days": "30",
        "duration_weeks": "6",
        "notes": "Fine.",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
    }
    for commitment in review.offer.commitments.all():
        data[f"mark_{commitment.pk}"] = "feasible"
    return data


ROWS = [
    row("GET", "handoff:offer_list", expect=READ),
    row("GET", "handoff:offer_list", query="status=open&q=Matrix", expect=READ, note="filtered"),
    row("GET", "handoff:offer_create", expect="login 200 200 403 403 403"),
    row("POST", "handoff:offer_create", data=_offer, expect="login W W 403 403 403"),
    row("GET", "handoff:offer_detail", "offer_draft", expect=READ),
    row("GET", "handoff:offer_detail", "other_offer", expect=READ),
    # The client page's offers (loaded there with hx-get): everyone signed in reads.
    row("GET", "handoff:client_offers_panel", "client", expect=READ),
    row("GET", "handoff:client_offers_panel", 999999, expect="login 404 404 404 404 404", note="no such client"),
    row("GET", "handoff:offer_detail", 999999, expect="login 404 404 404 404 404", note="no such offer"),
    row("GET", "handoff:offer_edit", "offer_draft", expect="login 200 403 403 403 403"),
    row("POST", "handoff:offer_edit", "offer_draft", data=_offer_edit, expect=OWNER_ONLY),
    row("POST", "handoff:commitment_add", "offer_draft", data={"text": "Matrix promise"}, expect=OWNER_ONLY),
    row("POST", "handoff:commitment_remove", "commitment", expect=OWNER_ONLY),
    row("POST", "handoff:risk_add", "offer_draft", data=RISK, expect=OWNER_OR_REVIEWER),
    row("GET", "handoff:risk_edit", "risk", expect="login 200 403 200 403 403"),
    row("POST", "handoff:risk_edit", "risk", data=RISK, expect=OWNER_OR_REVIEWER),
    row("POST", "handoff:risk_remove", "risk", expect=OWNER_OR_REVIEWER),
    row("POST", "handoff:offer_sign_off", "offer_review", expect=OWNER_OR_REVIEWER),
    row("POST", "handoff:offer_sign_off_withdraw", "offer_signed_off", expect=OWNER_OR_REVIEWER),
    row("GET", "handoff:review_request", "offer_draft", expect="login 200 403 403 403 403"),
    row(
        "POST",
        "handoff:review_request",
        "offer_draft",
        data=lambda w: {"reviewer": w.users["other_pm"].pk},
        expect=OWNER_ONLY,
    ),
    row("POST", "handoff:offer_send", "offer_draft", expect=OWNER_ONLY),
    row("GET", "handoff:offer_lose", "offer_sent", expect="login 200 403 403 403 403"),
    row("POST", "handoff:offer_lose", "offer_sent", data={"reason": "Too expensive."}, expect=OWNER_ONLY),
    row("GET", "handoff:offer_withdraw", "offer_sent", expect="login 200 403 403 403 403"),
    row("POST", "handoff:offer_withdraw", "offer_sent", data={"reason": "No capacity."}, expect=OWNER_ONLY),
    row("GET", "handoff:review_complete", "review", expect="login 403 403 200 403 403"),
    row("POST", "handoff:review_complete", "review", data=_review, expect="login 403 403 W 403 403"),
    # Re-confirming a stale review (SPEC §7.1): only the reviewing PM.
    row("GET", "handoff:review_confirm", "review_stale", expect="login 403 403 200 403 403"),
    row(
        "POST",
        "handoff:review_confirm",
        "review_stale",
        data=lambda w: {"commitments": [w.id("commitment_unmarked")]},
        expect="login 403 403 W 403 403",
    ),
    row(
        "POST",
        "handoff:review_confirm",
        "review_current",
        data={},
        expect="login 403 403 302 403 403",
        note="a current review: refused with a message",
    ),
    row("GET", "handoff:offer_win", "offer_sent", expect="login 200 404 404 404 404"),
    row("POST", "handoff:offer_win", "offer_sent", data={"pm": ""}, expect=OWNER_ONLY),
]
