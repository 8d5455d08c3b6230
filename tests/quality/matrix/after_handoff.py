"""After the handoff (projects/): change requests, deliverables, commitments, client issues, follow-ups, pulses,
meetings, action items and lessons (SPEC §2, §3).

Who: the project's PM and its sales liaison (the rep) and managers change project records; deliverables and
commitments are the PM's (the client's decision is recorded by the PM or the liaison); change requests are
signed by the PM and the liaison; issues also by their assignees and the client's account owner; a follow-up
is converted or dismissed by the account owner; any rep or PM joins a recurring meeting.
"""

import datetime

from django.utils import timezone

from tests.quality.matrix.base import row

READ = "login 200 200 200 200 200"
TEAM = "login W 403 W 403 W"  # the PM, the sales liaison, managers
PM_ONLY = "login 403 403 W 403 403"
SIGNERS = "login W 403 W 403 403"  # the PM and the sales liaison


def _soon(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _meeting(world):
    return {
        "title": "Steering committee",
        "starts_at": _soon(4),
        "duration_minutes": 45,
        "recurrence": "monthly",
        "attendees": [world.users["pm"].pk, world.users["rep"].pk],
    }


def _notes(world):
    return {
        "starts_at": _soon(2),
        "attendees": [world.users["pm"].pk, world.users["rep"].pk],
        "notes": "Discussed the interfaces.",
        "decisions": "Go ahead.",
    }


def _issue(world):
    return {
        "client": world.id("client"),
        "project": world.id("project"),
        "title": "Reports are slow",
        "severity": "high",
        "reported_through": "client",
        "assignees": [world.users["pm"].pk],
        "description": "Since the upgrade.",
    }


def _decision(world):
    return {
        "decision": "accepted",
        "contact": world.id("decision_maker"),
        "decided_on": timezone.localdate().isoformat(),
    }


ROWS = [
    # --- Change requests --------------------------------------------------------------------------
    row(
        "POST",
        "projects:change_request_raise",
        "project",
        data={"title": "Extra report", "description": "", "cost_impact": "500", "schedule_impact_days": "3"},
        expect=TEAM,
    ),
    row("GET", "projects:change_request_approve", "change_request", expect="login 200 403 200 403 403"),
    row("POST", "projects:change_request_approve", "change_request", data={"comment": "OK"}, expect=SIGNERS),
    row("GET", "projects:change_request_reject", "change_request", expect="login 200 403 200 403 403"),
    row("POST", "projects:change_request_reject", "change_request", data={"comment": "Too dear."}, expect=SIGNERS),
    # --- Deliverables and commitments ---------------------------------------------------------------
    row("POST", "projects:deliverable_add", "project", data={"name": "Training", "due": ""}, expect=PM_ONLY),
    row("GET", "projects:deliverable_edit", "deliverable", expect="login 403 403 200 403 403"),
    row("POST", "projects:deliverable_edit", "deliverable", data={"name": "Design, v2", "due": ""}, expect=PM_ONLY),
    row("POST", "projects:deliverable_submit", "deliverable", expect=PM_ONLY),
    row("GET", "projects:deliverable_decide", "deliverable_submitted", expect="login 200 403 200 403 403"),
    row("POST", "projects:deliverable_decide", "deliverable_submitted", data=_decision, expect=SIGNERS),
    row("POST", "projects:commitment_status", "project_commitment", data={"status": "kept"}, expect=PM_ONLY),
    # --- Project risks (SPEC §7.3): the project's PM ----------------------------------------------------
    row(
        "POST",
        "projects:risk_add",
        "project",
        data={
            "risk-title": "Supplier insolvency",
            "risk-category": "other",
            "risk-probability": "2",
            "risk-impact": "3",
        },
        expect=PM_ONLY,
    ),
    row("POST", "projects:risk_rescore", "project_risk", data={"probability": "1", "impact": "1"}, expect=PM_ONLY),
    row(
        "POST", "projects:risk_status", "project_risk", data={"status": "closed", "reason": "Resolved."}, expect=PM_ONLY
    ),
    row("GET", "projects:risk_edit", "project_risk", expect="login 403 403 200 403 403"),
    row(
        "POST",
        "projects:risk_edit",
        "project_risk",
        data={"probability": "1", "impact": "1", "mitigation": "Workshop in week 1.", "owner": ""},
        expect=PM_ONLY,
    ),
    # --- Client issues ------------------------------------------------------------------------------
    row("GET", "projects:issue_list", expect=READ),
    row("GET", "projects:issue_create", expect="login 200 200 200 200 200"),
    row("POST", "projects:issue_create", data=_issue, expect=TEAM),
    row("GET", "projects:issue_detail", "issue", expect=READ),
    row(
        "POST",
        "projects:issue_edit",
        "issue",
        data={"title": "Invoices print twice", "severity": "critical", "description": ""},
        expect=TEAM,
    ),
    row("POST", "projects:issue_transition", "issue", data={"status": "in_progress"}, expect=TEAM),
    row(
        "POST",
        "projects:issue_assign",
        "issue",
        data=lambda w: {"assignees": [w.users["pm"].pk, w.users["rep"].pk]},
        expect=TEAM,
    ),
    row("POST", "projects:issue_comment", "issue", data={"body": "Looking into it."}, expect=TEAM),
    # The panels are htmx fragments; a plain GET is sent to the page that shows them.
    row("GET", "projects:issue_client_panel", "client", expect="login 302 302 302 302 302"),
    row("POST", "projects:issue_client_panel", "client", data=_issue, expect=TEAM),
    row("GET", "projects:issue_project_panel", "project", expect="login 302 302 302 302 302"),
    # Projects' sections of the client and offer pages (loaded there with hx-get): everyone signed in reads.
    row("GET", "projects:client_pulse_panel", "client", expect=READ),
    row("GET", "projects:client_lessons_panel", "client", expect=READ),
    row("GET", "projects:client_projects_panel", "client", expect=READ),
    row("GET", "projects:client_projects_panel", 999999, expect="login 404 404 404 404 404", note="no such client"),
    row("GET", "projects:client_lessons_panel", 999999, expect="login 404 404 404 404 404", note="no such client"),
    row("GET", "projects:offer_origin_panel", "offer_draft", expect=READ),
    row("GET", "projects:offer_origin_panel", "other_offer", expect=READ),
    # --- Follow-ups -----------------------------------------------------------------------------------
    row(
        "POST",
        "projects:follow_up_raise",
        "project",
        data={"title": "Second plant", "description": "", "estimated_value": "20000"},
        expect=TEAM,
    ),
    row("POST", "projects:follow_up_convert", "follow_up", expect="login W 403 403 403 403"),
    row(
        "POST",
        "projects:follow_up_dismiss",
        "follow_up",
        data={"reason": "No budget this year."},
        expect="login W 403 403 403 403",
    ),
    # --- Pulses, meetings, action items, lessons -----------------------------------------------------------
    row(
        "POST",
        "projects:pulse_record",
        "project",
        data={"mood": "3", "urgency": "2", "satisfaction": "4", "note": ""},
        expect=TEAM,
    ),
    row("GET", "projects:meeting_create", "project", expect="login 200 403 200 403 200"),
    row("POST", "projects:meeting_create", "project", data=_meeting, expect=TEAM),
    row("GET", "projects:meeting_detail", "meeting", expect=READ),
    row("POST", "projects:meeting_notes", "meeting", data=_notes, expect=TEAM),
    row(
        "POST",
        "projects:action_item_add",
        "meeting",
        data=lambda w: {"text": "Book the room", "owner": w.users["pm"].pk, "due": ""},
        expect=TEAM,
    ),
    # Joining twice or leaving a meeting one is not in changes nothing (sent back to the meeting).
    row("POST", "projects:meeting_join", "meeting", expect="login 302 W 302 W 403"),
    row("POST", "projects:meeting_leave", "meeting", expect="login W 302 W 302 403"),
    row("POST", "projects:action_item_done", "action_item", expect=TEAM),
    row(
        "POST",
        "projects:lesson_add",
        "project_done",
        data={"text": "Ask for the legacy documentation first."},
        expect=TEAM,
    ),
    row(
        "POST",
        "projects:lesson_add",
        "project",
        data={"text": "Too early."},
        expect="login 302 403 302 403 302",
        note="the project is not completed: refused with a message",
    ),
]
