"""The handoff SLA job: a reminder to the PM, then an escalation to managers, once each."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from handoff.models import HandoffStatus
from handoff.services.sla_sweep import handoff_sla_sweep
from handoff.tasks import handoff_sla_sweep as handoff_sla_sweep_task
from notifications.events import Event
from notifications.models import Channel, Notification
from tests.notifications.helpers import make_handoff

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in March 2025 (Friday the 7th, Tuesday the 11th, Thursday the 13th), local time."""
    return timezone.make_aware(datetime.datetime(2025, 3, day, hour, minute))


FRIDAY_10 = at(7, 10)
# Two working days after Friday 10:00: the weekend does not count.
TUESDAY_10 = at(11, 10)
# A further two working days after the reminder.
THURSDAY_10 = at(13, 10)


@pytest.fixture(autouse=True)
def _eager_celery():
    """The beat task runs in the test's process (as in tests/notifications/conftest.py)."""
    from config.celery_app import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _two_working_days(settings):
    settings.HANDOFF_SLA_WORKING_DAYS = 2


@pytest.fixture
def handoff(rep, pm):
    return make_handoff(rep=rep, pm=pm, pending_since=FRIDAY_10)


def received(user, event) -> int:
    return Notification.objects.filter(recipient=user, event=event, channel=Channel.IN_APP).count()


def test_it_does_not_remind_before_the_sla_has_passed(handoff, pm):
    assert handoff_sla_sweep(now=TUESDAY_10 - datetime.timedelta(minutes=1)) == {"reminded": [], "escalated": []}

    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 0


def test_it_does_not_count_the_weekend(handoff, pm):
    handoff_sla_sweep(now=at(10, 9))  # Monday 09:00: three calendar days, under two working days

    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 0


def test_it_reminds_the_pm_when_the_sla_has_passed(handoff, pm, manager):
    result = handoff_sla_sweep(now=TUESDAY_10)

    assert result["reminded"] == [handoff.pk]
    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 1
    assert Notification.objects.get(recipient=pm, event=Event.HANDOFF_SLA_REMINDER, channel=Channel.EMAIL)
    assert received(manager, Event.HANDOFF_SLA_REMINDER) == 0
    handoff.refresh_from_db()
    assert handoff.reminded_at == TUESDAY_10


def test_it_reminds_once(handoff, pm):
    handoff_sla_sweep(now=TUESDAY_10)
    handoff_sla_sweep(now=TUESDAY_10 + datetime.timedelta(minutes=15))
    handoff_sla_sweep(now=TUESDAY_10 + datetime.timedelta(hours=5))

    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 1


def test_it_reminds_every_pm_when_the_handoff_is_unassigned(rep, pm, other_pm, manager):
    make_handoff(rep=rep, pm=None, pending_since=FRIDAY_10)

    handoff_sla_sweep(now=TUESDAY_10)

    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 1
    assert received(other_pm, Event.HANDOFF_SLA_REMINDER) == 1
    assert received(manager, Event.HANDOFF_SLA_REMINDER) == 0


def test_it_escalates_to_managers_a_further_sla_period_after_the_reminder(handoff, pm, manager):
    handoff_sla_sweep(now=TUESDAY_10)

    early = handoff_sla_sweep(now=THURSDAY_10 - datetime.timedelta(minutes=1))
    due = handoff_sla_sweep(now=THURSDAY_10)

    assert early["escalated"] == []
    assert due["escalated"] == [handoff.pk]
    assert received(manager, Event.HANDOFF_SLA_ESCALATION) == 1
    assert received(pm, Event.HANDOFF_SLA_ESCALATION) == 0
    handoff.refresh_from_db()
    assert handoff.escalated_at == THURSDAY_10


def test_it_escalates_once(handoff, manager):
    handoff_sla_sweep(now=TUESDAY_10)
    handoff_sla_sweep(now=THURSDAY_10)
    handoff_sla_sweep(now=THURSDAY_10 + datetime.timedelta(minutes=15))
    handoff_sla_sweep(now=THURSDAY_10 + datetime.timedelta(days=7))

    assert received(manager, Event.HANDOFF_SLA_ESCALATION) == 1


def test_it_never_escalates_without_a_reminder_first(handoff, pm, manager):
    # The job was down for a week: the first run reminds; the escalation waits its own SLA period.
    result = handoff_sla_sweep(now=THURSDAY_10 + datetime.timedelta(days=7))

    assert result == {"reminded": [handoff.pk], "escalated": []}
    assert received(manager, Event.HANDOFF_SLA_ESCALATION) == 0


def test_it_leaves_decided_handoffs_alone(handoff, pm):
    handoff.status = HandoffStatus.ACCEPTED
    handoff.save()

    assert handoff_sla_sweep(now=THURSDAY_10) == {"reminded": [], "escalated": []}


def test_it_starts_a_new_clock_when_the_handoff_is_resubmitted(handoff, pm):
    handoff_sla_sweep(now=TUESDAY_10)
    # Returned and resubmitted on Wednesday 12:00: pending again, reminded in the earlier period.
    handoff.pending_since = at(12, 12)
    handoff.save()

    assert handoff_sla_sweep(now=at(14, 11))["reminded"] == []  # Friday 11:00: under two working days
    assert handoff_sla_sweep(now=at(14, 12))["reminded"] == [handoff.pk]
    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 2


def test_it_records_the_reminder_in_the_activity_log(handoff):
    from core.activity import activity_for

    handoff_sla_sweep(now=TUESDAY_10)

    assert [entry.verb for entry in activity_for(handoff)] == ["sla_reminded"]


def test_it_runs_as_a_beat_task(rep, pm):
    make_handoff(rep=rep, pm=pm, pending_since=timezone.now() - datetime.timedelta(days=10))

    handoff_sla_sweep_task.delay()

    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 1


def test_it_is_scheduled_by_beat(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["handoff.sla_sweep"] == 15 * 60
    assert schedule["notifications.sweep_undelivered"] == 60


def test_a_reassignment_starts_a_new_sla_period_and_its_escalation_reaches_the_managers(
    handoff, pm, other_pm, manager, monkeypatch
):
    from core.activity import activity_for
    from handoff.services.handoffs import handoff_reassign

    handoff_sla_sweep(now=TUESDAY_10)
    handoff_sla_sweep(now=THURSDAY_10)
    thursday_11 = at(13, 11)
    monkeypatch.setattr("django.utils.timezone.now", lambda: thursday_11)
    handoff_reassign(handoff=handoff, actor=manager, pm=other_pm)
    monkeypatch.undo()

    handoff.refresh_from_db()
    assert handoff.pending_since == thursday_11
    # Two working days for the new PM (the weekend does not count), then a further two for the managers.
    assert handoff_sla_sweep(now=at(17, 10, 59))["reminded"] == []
    assert handoff_sla_sweep(now=at(17, 11))["reminded"] == [handoff.pk]
    assert handoff_sla_sweep(now=at(19, 11))["escalated"] == [handoff.pk]

    assert received(other_pm, Event.HANDOFF_SLA_REMINDER) == 1
    assert received(manager, Event.HANDOFF_SLA_ESCALATION) == 2
    # The log says "escalated" exactly as often as the managers were told.
    assert [entry.verb for entry in activity_for(handoff)].count("sla_escalated") == 2


def test_it_never_reminds_the_offers_owner_of_an_unassigned_handoff(pm):
    from tests.factories import UserFactory

    seller = UserFactory(username="seller_pm", roles=["sales", "pm"])
    make_handoff(rep=seller, pm=None, pending_since=FRIDAY_10)

    handoff_sla_sweep(now=TUESDAY_10)

    assert received(pm, Event.HANDOFF_SLA_REMINDER) == 1
    assert received(seller, Event.HANDOFF_SLA_REMINDER) == 0
