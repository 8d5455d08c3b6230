"""API: projects and meetings. Everyone signed in reads; the project's PM changes it; a manager reassigns."""

import datetime

from django.utils import timezone

from projects.models import Project
from tests.quality.matrix.base import row

READ = "anon 200 200 200 200 200"


def _meeting(world):
    return {
        "project": world.id("project"),
        "title": "Matrix status call",
        "starts_at": (timezone.now() + datetime.timedelta(days=5)).isoformat(),
        "duration_minutes": 30,
        "attendees": [world.users["pm"].pk, world.users["rep"].pk],
    }


ROWS = [
    row("GET", "project-list", expect=READ),
    row("GET", "project-detail", "project", expect=READ),
    row(
        "PATCH",
        "project-detail",
        "project",
        data=lambda w: {"health": "at_risk", "version": Project.objects.get(pk=w.id("project")).version},
        expect="anon 403 403 W 403 403",
    ),
    row(
        "POST",
        "project-reassign",
        "project",
        data=lambda w: {"pm": w.users["other_pm"].pk},
        expect="anon 403 403 403 403 W",
    ),
    row("GET", "meeting-list", expect=READ),
    row("POST", "meeting-list", data=_meeting, expect="anon 403 403 W 403 403"),
    row("GET", "meeting-detail", "meeting", expect=READ),
    row("GET", "meeting-ics", "meeting", expect=READ),
]
