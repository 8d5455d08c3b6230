"""The handoff SLA sweep: remind the PM of a handoff pending past the SLA, then escalate to managers.

Run by beat every 15 minutes (``handoff.tasks.handoff_sla_sweep``); the SLA clock is ``handoff.sla``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.i18n import deferred, deferred_date
from notifications.events import Event
from notifications.services import notify


def handoff_sla_sweep(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Remind the PM of handoffs pending longer than the SLA, then escalate to managers.

    The reminder goes once per pending period (to the assigned PM, or every PM
    when unassigned) when ``HANDOFF_SLA_WORKING_DAYS`` working days have passed
    since ``pending_since``; the escalation to managers once, a further SLA
    period after the reminder. Both are claimed by compare-and-set on
    ``reminded_at`` / ``escalated_at``, so overlapping runs notify once. A
    resubmitted handoff starts a new pending period and a new clock.
    """
    from handoff.models import Handoff, HandoffStatus
    from handoff.sla import sla_cutoff

    now = now or timezone.now()
    cutoff = sla_cutoff(now)
    not_reminded = Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("pending_since"))
    not_escalated = Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("pending_since"))
    pending = Handoff.objects.filter(status=HandoffStatus.PENDING)

    reminded = []
    for handoff_id in pending.filter(not_reminded, pending_since__lte=cutoff).values_list("id", flat=True):
        if _handoff_sla_notify(handoff_id=handoff_id, now=now, escalate=False):
            reminded.append(handoff_id)
    escalated = []
    due = pending.filter(not_escalated, reminded_at__gte=F("pending_since"), reminded_at__lte=cutoff)
    for handoff_id in due.values_list("id", flat=True):
        if _handoff_sla_notify(handoff_id=handoff_id, now=now, escalate=True):
            escalated.append(handoff_id)
    return {"reminded": reminded, "escalated": escalated}


@transaction.atomic
def _handoff_sla_notify(*, handoff_id: int, now: datetime.datetime, escalate: bool) -> bool:
    from accounts.models import User
    from core.activity import log_activity
    from handoff.models import Handoff, HandoffStatus

    field = "escalated_at" if escalate else "reminded_at"
    not_yet = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": F("pending_since")})
    claimed = Handoff.objects.filter(not_yet, pk=handoff_id, status=HandoffStatus.PENDING).update(**{field: now})
    if not claimed:
        return False
    handoff = Handoff.objects.select_related("offer", "offer__client", "pm").get(pk=handoff_id)
    # Worded once per recipient, in their language (SPEC §7.6); the date too.
    placeholders = {
        "offer": str(handoff.offer),
        "client": str(handoff.offer.client),
        "since": deferred_date(handoff.pending_since, "D d M Y H:i"),
    }
    if escalate:
        event = Event.HANDOFF_SLA_ESCALATION
        recipients = list(User.objects.with_role("manager"))
        title = deferred(gettext_lazy("Escalation: handoff of %(offer)s still waiting"), **placeholders)
        body = (
            deferred(
                gettext_lazy("The handoff of %(offer)s (%(client)s) is pending since %(since)s, assigned to %(pm)s."),
                pm=handoff.pm.full_name,
                **placeholders,
            )
            if handoff.pm
            else deferred(
                gettext_lazy("The handoff of %(offer)s (%(client)s) is pending since %(since)s and assigned to no PM."),
                **placeholders,
            )
        )
    else:
        event = Event.HANDOFF_SLA_REMINDER
        # Every PM while unassigned, but never the offer's owner (four eyes, SPEC §7.2).
        recipients = (
            [handoff.pm] if handoff.pm else list(User.objects.with_role("pm").exclude(pk=handoff.offer.owner_id))
        )
        title = deferred(gettext_lazy("Reminder: handoff of %(offer)s is waiting for you"), **placeholders)
        days = settings.HANDOFF_SLA_WORKING_DAYS
        body = deferred(
            ngettext_lazy(
                "The handoff of %(offer)s (%(client)s) is pending since %(since)s, longer than the %(days)s working "
                "day agreed. Please accept or return it.",
                "The handoff of %(offer)s (%(client)s) is pending since %(since)s, longer than the %(days)s working "
                "days agreed. Please accept or return it.",
                days,
            ),
            days=days,
            **placeholders,
        )
    notify(
        event=event,
        recipients=recipients,
        target=handoff,
        title=title,
        body=body,
        key=f"{event}:{handoff.pk}:{handoff.pending_since.isoformat()}",
    )
    log_activity(actor=None, verb="sla_escalated" if escalate else "sla_reminded", target=handoff, message=str(title))
    return True
