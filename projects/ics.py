"""The .ics invitation of a meeting (RFC 5545), built with the ``icalendar`` package."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from projects.models import Meeting

PRODID = "-//Handoff portal//Meetings//EN"
# A recurring meeting repeats from its first date on, without an end (RFC 5545 RRULE).
RRULES = {
    "weekly": {"freq": "weekly"},
    "biweekly": {"freq": "weekly", "interval": 2},
    "monthly": {"freq": "monthly"},
}


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the life of the meeting, so a rescheduled invitation updates the calendar entry."""
    return f"{meeting.uid}@handoff-portal"


def _address(email: str, name: str, *, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def meeting_ics(meeting: Meeting) -> str:
    """The invitation as text; attendees are the meeting's users and contacts that have an e-mail."""
    project = meeting.project
    organizer = project.pm
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (meeting.updated_at or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", meeting.title)
    if meeting.recurrence in RRULES:
        event.add("rrule", RRULES[meeting.recurrence])
    if meeting.location:
        event.add("location", meeting.location)
    link = f"{settings.SITE_URL}/projects/{project.pk}/"
    description = gettext("%(kind)s meeting of the project %(project)s (%(client)s).") % {
        "kind": meeting.get_kind_display(),
        "project": project.name,
        "client": project.client.name,
    }
    description += f"\n{link}"
    if meeting.notes:
        description += f"\n\n{meeting.notes}"
    event.add("description", description)
    event.add("url", link)
    if organizer.email:
        event.add("organizer", _address(organizer.email, organizer.full_name))
    for user in meeting.attendees.all():
        if user.email:
            event.add("attendee", _address(user.email, user.full_name, role="REQ-PARTICIPANT"), encode=0)
    for contact in meeting.contacts.all():
        if contact.email:
            event.add("attendee", _address(contact.email, contact.name, role="REQ-PARTICIPANT"), encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def ics_filename(meeting: Meeting) -> str:
    return "kickoff.ics" if meeting.kind == "kickoff" else f"meeting-{meeting.pk}.ics"
