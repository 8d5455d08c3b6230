"""API: handoffs. Scoped like the pages (reps: own offers; PMs and managers: all)."""

from tests.quality.matrix.base import row

SEEN = "anon 200 404 200 200 200"

ROWS = [
    row("GET", "handoff-list", expect="anon 200 200 200 200 200"),
    row("GET", "handoff-detail", "handoff_pending", expect=SEEN),
    row("GET", "handoff-snapshots", "handoff_pending", expect=SEEN),
    row("POST", "handoff-accept", "handoff_pending", expect="anon 403 404 W 403 403"),
    row(
        "POST",
        "handoff-return-",
        "handoff_pending",
        data={"reason": "The scope is unclear."},
        expect="anon 403 404 W 403 403",
    ),
    row("POST", "handoff-resubmit", "handoff_returned", expect="anon W 404 403 403 403"),
    row(
        "POST",
        "handoff-reassign",
        "handoff_pending",
        data=lambda w: {"pm": w.users["other_pm"].pk},
        expect="anon 403 404 403 403 W",
    ),
]
