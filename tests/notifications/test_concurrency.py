"""Two workers claiming one e-mail at once, on the real database: one e-mail."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.db import connection

from notifications import services
from notifications.models import DeliveryStatus
from tests.notifications.helpers import email_row, make_offer, notify_about_offer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_it_sends_one_email_when_two_workers_deliver_at_once(rep, pm, monkeypatch):
    # Record the notification without enqueueing it: the threads below are the "workers".
    monkeypatch.setattr(services, "enqueue_email_delivery", lambda **kwargs: [])
    offer = make_offer(rep)
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)
    # Widen the window between claim and send so a missing claim would show.
    real_build = services._build_email

    def slow_build(notification):
        time.sleep(0.2)
        return real_build(notification)

    monkeypatch.setattr(services, "_build_email", slow_build)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def deliver() -> None:
        try:
            start.wait()
            outcomes.append(services.notification_deliver_email(notification_id=email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["sent"] + ["skipped"] * 7
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert email.attempts == 1
