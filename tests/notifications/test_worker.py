"""With a real Celery worker and Redis: e-mail reaches the outbox, also after a broker outage, once."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Channel, DeliveryStatus, Notification
from notifications.tasks import deliver_email
from tests.notifications.helpers import FlakySMTPBackend, email_row, make_offer, notify_about_offer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def all_delivered() -> bool:
    return not Notification.objects.filter(
        channel=Channel.EMAIL, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).exists()


def settle(seconds: float = 1.0) -> None:
    """Give the worker time to do what it should not do (a second e-mail)."""
    time.sleep(seconds)


def test_it_delivers_the_email_of_an_event_through_the_worker(celery_worker, rep, pm):
    offer = make_offer(rep)

    with transaction.atomic():
        notify_about_offer(offer, recipients=[pm], actor=rep, title="Please review")

    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [pm.email]
    assert wait_for(lambda: email_row(pm).status == DeliveryStatus.SENT)


def test_it_sends_one_email_when_the_task_is_enqueued_twice(celery_worker, rep, pm):
    offer = make_offer(rep)
    with transaction.atomic():
        notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)
    deliver_email.delay(email.pk)

    assert wait_for(lambda: email_row(pm).status == DeliveryStatus.SENT)
    settle()
    assert len(mail.outbox) == 1


def test_it_delivers_once_after_the_broker_comes_back(celery_worker, broker_unreachable, rep, pm):
    offer = make_offer(rep)

    with broker_unreachable():
        started = time.monotonic()
        with transaction.atomic():
            notify_about_offer(offer, recipients=[pm], actor=rep)
        elapsed = time.monotonic() - started
        settle(0.5)
        assert mail.outbox == []
        assert email_row(pm).status == DeliveryStatus.PENDING
        # Still down when the sweep runs: nothing lost, nothing marked.
        assert services.notifications_sweep_undelivered(now=timezone.now() + datetime.timedelta(minutes=2)) == []

    assert elapsed < 3
    published = services.notifications_sweep_undelivered(now=timezone.now() + datetime.timedelta(minutes=2))
    assert published == [email_row(pm).pk]
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert wait_for(lambda: email_row(pm).status == DeliveryStatus.SENT)
    # Later sweeps find nothing left to deliver.
    assert services.notifications_sweep_undelivered(now=timezone.now() + datetime.timedelta(minutes=30)) == []
    settle()
    assert len(mail.outbox) == 1


def test_it_retries_an_smtp_error_through_the_worker(celery_worker, rep, pm, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.notifications.helpers.FlakySMTPBackend"
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 1, 0
    # Retry at once instead of after the exponential backoff (up to 30 s for the first retry).
    monkeypatch.setattr("celery.app.autoretry.get_exponential_backoff_interval", lambda **kwargs: 0)
    offer = make_offer(rep)

    with transaction.atomic():
        notify_about_offer(offer, recipients=[pm], actor=rep)

    assert wait_for(lambda: email_row(pm).status == DeliveryStatus.SENT)
    assert email_row(pm).attempts == 2
    assert len(mail.outbox) == 1


# --- The "done when", through the handoff services -------------------------------------
def test_it_emails_the_pm_when_an_offer_is_won(celery_worker, rep, pm, manager):
    from handoff.services.handoffs import offer_win
    from tests.projects.factories import sent_offer

    offer = sent_offer(owner=rep, reviewer=pm)
    assert wait_for(all_delivered)
    mail.outbox.clear()  # the review e-mails of the set-up

    handoff = offer_win(offer=offer, actor=rep)

    assert wait_for(lambda: {tuple(message.to) for message in mail.outbox} == {(pm.email,), (manager.email,)})
    pm_mail = next(message for message in mail.outbox if message.to == [pm.email])
    assert f"/handoffs/{handoff.pk}/" in pm_mail.body


def test_it_accepts_with_the_broker_down_and_emails_the_rep_once_it_is_back(celery_worker, broker_unreachable, rep, pm):
    from handoff.services.handoffs import handoff_accept
    from notifications.events import Event
    from tests.projects.factories import won_handoff

    handoff = won_handoff(owner=rep, reviewer=pm)
    assert wait_for(all_delivered)  # the review and "offer won" e-mails of the set-up
    mail.outbox.clear()

    with broker_unreachable():
        started = time.monotonic()
        project = handoff_accept(handoff=handoff, actor=pm)
        elapsed = time.monotonic() - started
        settle(0.5)

    assert project.pk is not None
    assert elapsed < 3
    assert mail.outbox == []
    accepted = email_row(rep, event=Event.HANDOFF_ACCEPTED)
    assert accepted.status == DeliveryStatus.PENDING
    assert services.notifications_sweep_undelivered(now=timezone.now() + datetime.timedelta(minutes=2)) == [accepted.pk]
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [rep.email]
    assert services.notifications_sweep_undelivered(now=timezone.now() + datetime.timedelta(minutes=30)) == []
    settle()
    assert len(mail.outbox) == 1
