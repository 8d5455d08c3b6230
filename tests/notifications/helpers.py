"""Small builders shared by the notification tests."""

from __future__ import annotations

import datetime
from smtplib import SMTPServerDisconnected

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from handoff.models import Handoff, OfferStatus
from notifications.events import Event
from notifications.models import Channel, Notification
from notifications.services import notify
from tests.factories import OfferFactory


def make_offer(owner, **kwargs):
    return OfferFactory(owner=owner, client__account_owner=owner, **kwargs)


def make_handoff(*, rep, pm=None, pending_since: datetime.datetime | None = None) -> Handoff:
    offer = make_offer(rep, status=OfferStatus.WON)
    return Handoff.objects.create(offer=offer, pm=pm, pending_since=pending_since or timezone.now())


def email_row(recipient, **filters) -> Notification:
    return Notification.objects.get(recipient=recipient, channel=Channel.EMAIL, **filters)


def inbox_rows(recipient):
    return Notification.objects.filter(recipient=recipient, channel=Channel.IN_APP)


def notify_about_offer(offer, *, recipients, actor=None, event=Event.REVIEW_REQUESTED, **kwargs):
    return notify(event=event, recipients=recipients, target=offer, actor=actor, **kwargs)


class FlakySMTPBackend(LocmemBackend):
    """Fails the first ``failures`` sends like a dropped SMTP connection, then delivers to mail.outbox."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
