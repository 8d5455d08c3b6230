"""Handoff pages: the assigned PM accepts or returns, the rep resubmits, a manager reassigns. Reps see the
handoffs of their own offers, PMs and managers all (other reps get 404); only the assigned PM decides."""

from tests.quality.matrix.base import row

SEEN = "login 200 404 200 200 200"

ROWS = [
    row("GET", "handoff:handoff_list", expect="login 200 200 200 200 200"),
    row("GET", "handoff:handoff_list", query="status=pending", expect="login 200 200 200 200 200", note="filtered"),
    row("GET", "handoff:handoff_detail", "handoff_pending", expect=SEEN),
    row("GET", "handoff:handoff_detail", "handoff_accepted", expect=SEEN),
    row("POST", "handoff:handoff_accept", "handoff_pending", expect="login 403 404 W 403 403"),
    row("GET", "handoff:handoff_return", "handoff_pending", expect=SEEN),
    row(
        "POST",
        "handoff:handoff_return",
        "handoff_pending",
        data={"reason": "The scope is unclear."},
        expect="login 403 404 W 403 403",
    ),
    row("POST", "handoff:handoff_resubmit", "handoff_returned", expect="login W 404 403 403 403"),
    row("GET", "handoff:handoff_reassign", "handoff_pending", expect=SEEN),
    row(
        "POST",
        "handoff:handoff_reassign",
        "handoff_pending",
        data=lambda w: {"pm": w.users["other_pm"].pk},
        expect="login 403 404 403 403 W",
    ),
]
