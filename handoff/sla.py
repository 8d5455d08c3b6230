"""The handoff SLA clock: working time (Monday to Friday) since a handoff became pending.

One definition for the whole portal: the handoff page, the handoff list, the
dashboard and the notifications engineer's reminder/escalation job all use
these functions, so "overdue" means the same everywhere.

Working time counts every hour of Monday to Friday (in the installation's time
zone, ``settings.TIME_ZONE``) and nothing of Saturday and Sunday. A handoff
pending since Friday 16:00 has used 2.0 working days on Tuesday at 16:00. It is
overdue once its elapsed working time reaches ``settings.HANDOFF_SLA_WORKING_DAYS``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

DAY = datetime.timedelta(days=1)


def _is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _working_days_in(first: datetime.date, stop: datetime.date) -> int:
    """How many Monday-to-Friday dates lie in ``[first, stop)``."""
    days = (stop - first).days
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    return weeks * 5 + sum(1 for offset in range(rest) if (first.weekday() + offset) % 7 < 5)


def working_time_between(start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """Working time (Monday to Friday) in ``[start, end)``; zero when ``end`` is not after ``start``."""
    start, end = _local(start), _local(end)
    if end <= start:
        return datetime.timedelta(0)
    first_day, last_day = start.date(), end.date()
    if first_day == last_day:
        return end - start if _is_working_day(first_day) else datetime.timedelta(0)
    total = datetime.timedelta(0)
    if _is_working_day(first_day):
        total += _day_start(first_day + DAY) - start
    total += DAY * _working_days_in(first_day + DAY, last_day)
    if _is_working_day(last_day):
        total += end - _day_start(last_day)
    return total


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> float:
    """Elapsed working days (fractional) in ``[start, end)``."""
    return working_time_between(start, end) / DAY


def add_working_days(start: datetime.datetime, days: float) -> datetime.datetime:
    """The first moment at which ``days`` working days have elapsed since ``start`` (the SLA deadline)."""
    remaining = datetime.timedelta(days=days)
    moment = _local(start)
    while True:
        day = moment.date()
        next_day = _day_start(day + DAY)
        if _is_working_day(day):
            available = next_day - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        moment = next_day


def subtract_working_days(end: datetime.datetime, days: float) -> datetime.datetime:
    """The latest start from which ``days`` working days have elapsed at ``end``.

    A handoff is overdue at ``end`` exactly when ``pending_since <= subtract_working_days(end, sla)``,
    which lets the reminder job select overdue handoffs in one query.
    """
    remaining = datetime.timedelta(days=days)
    moment = _local(end)
    while True:
        day = moment.date()
        day_start = _day_start(day)
        if moment == day_start:
            # At midnight, the working time before it belongs to the previous day.
            day -= DAY
            day_start = _day_start(day)
        if _is_working_day(day):
            available = moment - day_start
            if remaining <= available:
                return moment - remaining
            remaining -= available
        moment = day_start


def sla_days() -> int:
    return settings.HANDOFF_SLA_WORKING_DAYS


def sla_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Pending handoffs with ``pending_since <= sla_cutoff()`` are past the SLA now."""
    return subtract_working_days(now or timezone.now(), sla_days())


@dataclass(frozen=True)
class SlaState:
    elapsed_days: float
    limit_days: int
    deadline: datetime.datetime
    overdue: bool

    @property
    def remaining_days(self) -> float:
        return max(self.limit_days - self.elapsed_days, 0.0)

    @property
    def level(self) -> str:
        """A badge class: ``ok``, ``warn`` (more than half used) or ``bad`` (overdue)."""
        if self.overdue:
            return "bad"
        return "warn" if self.elapsed_days >= self.limit_days / 2 else "ok"


def sla_state(pending_since: datetime.datetime, now: datetime.datetime | None = None) -> SlaState:
    now = now or timezone.now()
    limit = sla_days()
    elapsed = working_days_between(pending_since, now)
    deadline = add_working_days(pending_since, limit)
    return SlaState(elapsed_days=elapsed, limit_days=limit, deadline=deadline, overdue=now >= deadline)
