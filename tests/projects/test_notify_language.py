"""Project notifications are worded in each recipient's language, amounts and dates included (SPEC §7.6)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from notifications.events import Event
from notifications.models import Notification
from projects.services.changes import _describe, change_request_raise
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db


def in_app(event, user) -> Notification:
    return Notification.objects.get(event=event, recipient=user, channel="in_app")


def in_language(language, build):
    with translation.override(language):
        return build()


def test_a_raised_change_reaches_a_german_pm_and_an_english_sales_liaison_each_in_their_language(rep, pm, manager):
    project = accepted_project(owner=rep, pm=pm)
    pm.language, rep.language, manager.language = "de", "en", "en"
    for user in (pm, rep, manager):
        user.save(update_fields=["language"])

    with translation.override("en"):  # the manager raising it works in English
        change = change_request_raise(
            project=project,
            actor=manager,
            data={"title": "Fleet interface", "cost_impact": "8500.00", "schedule_impact_days": 14},
        )

    def expected():
        title = gettext("Change request on %(project)s: %(title)s") % {"project": project.name, "title": change.title}
        if change.needs_two_signatures:
            message = gettext("%(actor)s raised “%(change)s”. It needs the signature of the PM and the sales liaison.")
        else:
            message = gettext("%(actor)s raised “%(change)s”. It needs the signature of the PM or the sales liaison.")
        return title, message % {"actor": manager.full_name, "change": _describe(change)}

    german_row, english_row = in_app(Event.CHANGE_REQUEST_RAISED, pm), in_app(Event.CHANGE_REQUEST_RAISED, rep)
    assert (german_row.title, german_row.body) == in_language("de", expected)
    assert (english_row.title, english_row.body) == in_language("en", expected)
    # The amount is formatted for the reader whatever the catalogue holds: German groups with a dot.
    assert "8.500,00" in german_row.body
    assert "8,500.00" in english_row.body
    if in_language("de", expected) != in_language("en", expected):
        assert german_row.body != english_row.body
