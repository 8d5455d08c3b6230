"""Project pages: everyone signed in reads; the project's PM changes status, health and effort and schedules
the kickoff; a manager reassigns."""

import datetime

from django.utils import timezone

from projects.models import Project
from tests.quality.matrix.base import row

READ = "login 200 200 200 200 200"


def _state(world):
    project = Project.objects.get(pk=world.id("project"))
    return {"status": "active", "health": "at_risk", "actual_effort_days": "5", "version": project.version}


def _kickoff(world):
    starts = timezone.localtime() + datetime.timedelta(days=3)
    return {
        "title": "Kickoff",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "attendees": [world.users["pm"].pk, world.users["rep"].pk],
    }


ROWS = [
    row("GET", "projects:list", expect=READ),
    row("GET", "projects:list", query="status=planning&health=on_track", expect=READ, note="filtered"),
    row("GET", "projects:detail", "project", expect=READ),
    row("GET", "projects:detail", 999999, expect="login 404 404 404 404 404", note="no such project"),
    # The page's lower sections, loaded after it with hx-get: whoever reads the page reads them.
    row("GET", "projects:meeting_section", "project", expect=READ),
    row("GET", "projects:meeting_section", 999999, expect="login 404 404 404 404 404", note="no such project"),
    row("GET", "projects:pulse_section", "project", expect=READ),
    row("GET", "projects:pulse_section", 999999, expect="login 404 404 404 404 404", note="no such project"),
    row("GET", "projects:follow_up_section", "project", expect=READ),
    row("GET", "projects:follow_up_section", 999999, expect="login 404 404 404 404 404", note="no such project"),
    row("GET", "projects:lesson_section", "project", expect=READ),
    row("GET", "projects:lesson_section", 999999, expect="login 404 404 404 404 404", note="no such project"),
    row("GET", "projects:activity_section", "project", expect=READ),
    row("GET", "projects:activity_section", 999999, expect="login 404 404 404 404 404", note="no such project"),
    row("GET", "projects:state", "project", expect=READ),
    row("POST", "projects:state", "project", data=_state, expect="login 403 403 W 403 403"),
    row("GET", "projects:reassign", "project", expect=READ),
    row(
        "POST",
        "projects:reassign",
        "project",
        data=lambda w: {"pm": w.users["other_pm"].pk},
        expect="login 403 403 403 403 W",
    ),
    row("GET", "projects:kickoff", "project", expect=READ),
    row("POST", "projects:kickoff", "project", data=_kickoff, expect="login 403 403 W 403 403"),
    row("GET", "projects:meeting_ics", "meeting", expect=READ),
]
