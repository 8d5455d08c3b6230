"""Handoff notifications are worded in each recipient's language, not the actor's (SPEC §7.6)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from handoff.services.sla_sweep import handoff_sla_sweep
from notifications.events import Event
from notifications.models import Notification
from tests.projects.factories import won_handoff

pytestmark = pytest.mark.django_db


def in_app(event, user) -> Notification:
    return Notification.objects.get(event=event, recipient=user, channel="in_app")


def in_language(language, build):
    with translation.override(language):
        return build()


@pytest.fixture
def readers(rep, pm, other_pm):
    rep.language, pm.language, other_pm.language = "en", "de", "en"
    for user in (rep, pm, other_pm):
        user.save(update_fields=["language"])
    return pm, other_pm


def test_a_win_reaches_a_german_and_an_english_pm_each_in_their_language(rep, readers):
    german, english = readers
    with translation.override("en"):  # the rep works in English
        handoff = won_handoff(owner=rep)  # unassigned: every PM is told

    offer = handoff.offer

    def expected():
        title = gettext("Offer won: %(title)s is waiting for a PM") % {"title": offer.title}
        body = gettext("%(rep)s won %(title)s for %(client)s. It is not assigned to a PM yet.") % {
            "rep": rep.full_name,
            "title": offer.title,
            "client": offer.client.name,
        }
        return title, body

    german_row, english_row = in_app(Event.HANDOFF_PENDING, german), in_app(Event.HANDOFF_PENDING, english)
    assert (german_row.title, german_row.body) == in_language("de", expected)
    assert (english_row.title, english_row.body) == in_language("en", expected)
    assert (german_row.language, english_row.language) == ("de", "en")
    if in_language("de", expected) != in_language("en", expected):  # the catalogue translates it
        assert german_row.title != english_row.title


def test_the_sla_reminder_is_worded_and_dated_in_each_pms_language(rep, readers):
    german, english = readers
    with translation.override("en"):
        handoff = won_handoff(owner=rep)
    with translation.override("en"):  # the worker's language is nobody's
        result = handoff_sla_sweep(now=timezone.now() + datetime.timedelta(days=30))
    assert result["reminded"] == [handoff.pk]

    offer = handoff.offer
    days = settings.HANDOFF_SLA_WORKING_DAYS

    def expected():
        placeholders = {
            "offer": str(offer),
            "client": str(offer.client),
            "since": date_format(timezone.localtime(handoff.pending_since), "D d M Y H:i"),
            "days": days,
        }
        title = gettext("Reminder: handoff of %(offer)s is waiting for you") % placeholders
        body = (
            ngettext(
                "The handoff of %(offer)s (%(client)s) is pending since %(since)s, longer than the %(days)s working "
                "day agreed. Please accept or return it.",
                "The handoff of %(offer)s (%(client)s) is pending since %(since)s, longer than the %(days)s working "
                "days agreed. Please accept or return it.",
                days,
            )
            % placeholders
        )
        return title, body

    german_row = in_app(Event.HANDOFF_SLA_REMINDER, german)
    english_row = in_app(Event.HANDOFF_SLA_REMINDER, english)
    assert (german_row.title, german_row.body) == in_language("de", expected)
    assert (english_row.title, english_row.body) == in_language("en", expected)
    assert "{" not in german_row.body and "%(" not in german_row.body
    # The weekday is Django's own German ("Do", not "Thu") even where this branch's catalogue lacks the sentence.
    assert german_row.body != english_row.body
