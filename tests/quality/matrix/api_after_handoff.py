"""API: after the handoff. The same rules as the pages (tests/quality/matrix/after_handoff.py)."""

import datetime

from django.utils import timezone

from tests.quality.matrix.base import row

READ = "anon 200 200 200 200 200"
TEAM = "anon W 403 W 403 W"
PM_ONLY = "anon 403 403 W 403 403"
SIGNERS = "anon W 403 W 403 403"
ACCOUNT_OWNER = "anon W 403 403 403 403"


def _issue(world):
    return {
        "client": world.id("client"),
        "project": world.id("project"),
        "title": "Reports are slow",
        "severity": "high",
        "reported_through": "client",
        "assignees": [world.users["pm"].pk],
    }


ROWS = [
    row("GET", "change-request-list", expect=READ),
    row(
        "POST",
        "change-request-list",
        data=lambda w: {"project": w.id("project"), "title": "Extra report", "cost_impact": "500.00"},
        expect=TEAM,
    ),
    row("GET", "change-request-detail", "change_request", expect=READ),
    row("POST", "change-request-approve", "change_request", data={"comment": "OK"}, expect=SIGNERS),
    row("POST", "change-request-reject", "change_request", data={"comment": "Too dear."}, expect=SIGNERS),
    row("GET", "deliverable-list", expect=READ),
    row("POST", "deliverable-list", data=lambda w: {"project": w.id("project"), "name": "Training"}, expect=PM_ONLY),
    row("GET", "deliverable-detail", "deliverable", expect=READ),
    row("PATCH", "deliverable-detail", "deliverable", data={"name": "Design, v2"}, expect=PM_ONLY),
    row("POST", "deliverable-submit", "deliverable", expect=PM_ONLY),
    row(
        "POST",
        "deliverable-decide",
        "deliverable_submitted",
        data=lambda w: {"decision": "accepted", "contact": w.id("decision_maker")},
        expect=SIGNERS,
    ),
    row("GET", "project-commitment-list", expect=READ),
    row("GET", "project-commitment-detail", "project_commitment", expect=READ),
    row("PATCH", "project-commitment-detail", "project_commitment", data={"status": "kept"}, expect=PM_ONLY),
    # Project risks (SPEC §7.3): everyone reads them, the project's PM adds, re-scores and moves them.
    row("GET", "project-risk-list", expect=READ),
    row(
        "POST",
        "project-risk-list",
        data=lambda w: {"project": w.id("project"), "title": "Supplier insolvency", "probability": 2, "impact": 3},
        expect=PM_ONLY,
    ),
    row("GET", "project-risk-detail", "project_risk", expect=READ),
    row(
        "PATCH",
        "project-risk-detail",
        "project_risk",
        data={"probability": 1, "impact": 1, "status": "closed", "reason": "Resolved."},
        expect=PM_ONLY,
    ),
    row("GET", "issue-list", expect=READ),
    row("POST", "issue-list", data=_issue, expect=TEAM),
    row("GET", "issue-detail", "issue", expect=READ),
    row("PATCH", "issue-detail", "issue", data={"severity": "critical"}, expect=TEAM),
    row(
        "POST",
        "issue-assign",
        "issue",
        data=lambda w: {"assignees": [w.users["pm"].pk, w.users["rep"].pk]},
        expect=TEAM,
    ),
    row("GET", "issue-comments", "issue", expect=READ),
    row("POST", "issue-comments", "issue", data={"body": "Looking into it."}, expect=TEAM),
    row("POST", "issue-transition", "issue", data={"status": "in_progress"}, expect=TEAM),
    row("GET", "follow-up-list", expect=READ),
    row(
        "POST",
        "follow-up-list",
        data=lambda w: {"project": w.id("project"), "title": "Second plant", "estimated_value": "20000.00"},
        expect=TEAM,
    ),
    row("GET", "follow-up-detail", "follow_up", expect=READ),
    row("POST", "follow-up-convert", "follow_up", expect=ACCOUNT_OWNER),
    row("POST", "follow-up-dismiss", "follow_up", data={"reason": "No budget."}, expect=ACCOUNT_OWNER),
    row("GET", "lesson-list", expect=READ),
    row("POST", "lesson-list", data=lambda w: {"project": w.id("project_done"), "text": "Ask early."}, expect=TEAM),
    row("GET", "lesson-detail", "lesson", expect=READ),
    row("GET", "pulse-list", expect=READ),
    row(
        "POST",
        "pulse-list",
        data=lambda w: {"project": w.id("project"), "mood": 3, "urgency": 2, "satisfaction": 4},
        expect=TEAM,
    ),
    row("GET", "pulse-detail", "pulse", expect=READ),
    row("PATCH", "meeting-detail", "meeting", data={"notes": "Discussed the interfaces."}, expect=TEAM),
    row("POST", "meeting-join", "meeting", expect="anon 200 W 200 W 403"),
    row("POST", "meeting-leave", "meeting", expect="anon W 200 W 200 403"),
    row("GET", "action-item-list", expect=READ),
    row(
        "POST",
        "action-item-list",
        data=lambda w: {
            "meeting": w.id("meeting"),
            "text": "Book the room",
            "owner": w.users["pm"].pk,
            "due": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        },
        expect=TEAM,
    ),
    row("GET", "action-item-detail", "action_item", expect=READ),
    row("PATCH", "action-item-detail", "action_item", data={"done": True}, expect=TEAM),
]
