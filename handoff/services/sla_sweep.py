"""The handoff SLA sweep: remind the PM of a handoff pending past the SLA, then escalate to managers.

Run by beat every 15 minutes (``handoff.tasks.handoff_sla_sweep``); the SLA clock is ``handoff.sla``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

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
    waiting = f"pending since {timezone.localtime(handoff.pending_since):%a %d %b %Y %H:%M}"
    if escalate:
        event = Event.HANDOFF_SLA_ESCALATION
        recipients = list(User.objects.with_role("manager"))
        who = handoff.pm.full_name if handoff.pm else "no PM (unassigned)"
        title = f"Escalation: handoff of {handoff.offer} still waiting"
        body = f"The handoff of {handoff.offer} ({handoff.offer.client}) is {waiting}, assigned to {who}."
    else:
        event = Event.HANDOFF_SLA_REMINDER
        # Every PM while unassigned, but never the offer's owner (four eyes, SPEC §7.2).
        recipients = (
            [handoff.pm] if handoff.pm else list(User.objects.with_role("pm").exclude(pk=handoff.offer.owner_id))
        )
        title = f"Reminder: handoff of {handoff.offer} is waiting for you"
        body = (
            f"The handoff of {handoff.offer} ({handoff.offer.client}) is {waiting}, longer than the "
            f"{settings.HANDOFF_SLA_WORKING_DAYS} working days agreed. Please accept or return it."
        )
    notify(
        event=event,
        recipients=recipients,
        target=handoff,
        title=title,
        body=body,
        key=f"{event}:{handoff.pk}:{handoff.pending_since.isoformat()}",
    )
    log_activity(actor=None, verb="sla_escalated" if escalate else "sla_reminded", target=handoff, message=title)
    return True
