"""The SLA clock counts Monday-to-Friday working time (handoff/sla.py, shared with the reminder job)."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from handoff.sla import add_working_days, sla_cutoff, sla_state, subtract_working_days, working_days_between


def at(day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A local time in the week of Monday 2 March 2026 (day 2 = Monday ... day 8 = Sunday)."""
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour, minute))


def test_it_counts_hours_within_a_working_day():
    assert working_days_between(at(2, 9), at(2, 21)) == pytest.approx(0.5)


def test_it_skips_the_weekend():
    assert working_days_between(at(6, 16), at(10, 16)) == pytest.approx(2.0)


def test_it_counts_nothing_over_a_weekend_alone():
    assert working_days_between(at(7, 8), at(8, 20)) == 0


def test_it_counts_whole_weeks_as_five_days():
    assert working_days_between(at(2, 10), at(2, 10) + datetime.timedelta(weeks=3)) == pytest.approx(15.0)


def test_it_finds_the_deadline_across_the_weekend():
    assert add_working_days(at(6, 16), 2) == at(10, 16)


def test_a_deadline_from_the_weekend_starts_on_monday():
    assert add_working_days(at(7, 12), 2) == at(11, 0)


def test_the_cutoff_is_the_inverse_of_the_deadline():
    assert subtract_working_days(at(10, 16), 2) == at(6, 16)
    assert add_working_days(subtract_working_days(at(12, 9, 30), 2), 2) == at(12, 9, 30)


@override_settings(HANDOFF_SLA_WORKING_DAYS=2)
def test_a_handoff_is_overdue_once_the_sla_has_passed():
    assert not sla_state(at(6, 16), now=at(10, 15, 59)).overdue
    assert sla_state(at(6, 16), now=at(10, 16)).overdue


@override_settings(HANDOFF_SLA_WORKING_DAYS=2)
def test_the_cutoff_selects_exactly_the_overdue_handoffs():
    now = at(10, 16)
    cutoff = sla_cutoff(now)

    assert at(6, 16) <= cutoff
    assert not at(6, 16, 1) <= cutoff
    for start in (at(5, 9), at(6, 12), at(7, 10), at(9, 3)):
        assert (start <= cutoff) == sla_state(start, now=now).overdue


@override_settings(HANDOFF_SLA_WORKING_DAYS=3)
def test_it_reads_the_sla_from_the_settings():
    state = sla_state(at(2, 0), now=at(4, 12))

    assert state.limit_days == 3
    assert state.elapsed_days == pytest.approx(2.5)
    assert state.level == "warn"
    assert not state.overdue
