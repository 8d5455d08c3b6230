"""notify(): the rows it records; deliver_email: one e-mail, retries; the sweep."""

from __future__ import annotations

import datetime
import socket
import time
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.events import Event
from notifications.models import Channel, DeliveryStatus, Notification, NotificationPreference
from notifications.tasks import deliver_email
from tests.factories import UserFactory
from tests.notifications.helpers import FlakySMTPBackend, email_row, inbox_rows, make_offer, notify_about_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(rep):
    return make_offer(rep, title="Roll-out for ACME")


# --- Recording -----------------------------------------------------------------------
def test_it_records_an_in_app_and_an_email_notification_per_recipient(offer, rep, pm, manager):
    notify_about_offer(offer, recipients=[pm, manager], actor=rep, title="Please review")

    for user in (pm, manager):
        assert inbox_rows(user).count() == 1
        email = email_row(user)
        assert email.status == DeliveryStatus.PENDING
        assert email.title == "Please review"
        assert email.target == offer
        assert email.actor == rep
    assert Notification.objects.count() == 4


def test_it_leaves_out_the_actor(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm, rep], actor=rep)

    assert not Notification.objects.filter(recipient=rep).exists()
    assert Notification.objects.filter(recipient=pm).count() == 2


def test_it_notifies_a_recipient_named_twice_once(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm, pm, None], actor=rep)

    assert Notification.objects.filter(recipient=pm, channel=Channel.IN_APP).count() == 1
    assert Notification.objects.filter(recipient=pm, channel=Channel.EMAIL).count() == 1


def test_it_leaves_out_inactive_users(offer, rep):
    gone = UserFactory(roles=["pm"], is_active=False)

    notify_about_offer(offer, recipients=[gone], actor=rep)

    assert not Notification.objects.exists()


def test_it_rolls_back_with_the_callers_transaction(offer, rep, pm):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_about_offer(offer, recipients=[pm], actor=rep)
        raise RuntimeError("the event failed")

    assert not Notification.objects.exists()


def test_it_records_the_email_a_recipient_turned_off_as_skipped(offer, rep, pm, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=pm, event=Event.REVIEW_REQUESTED, email_enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        notify_about_offer(offer, recipients=[pm], actor=rep)

    assert email_row(pm).status == DeliveryStatus.SKIPPED
    assert inbox_rows(pm).count() == 1
    assert mail.outbox == []


def test_it_still_emails_other_events_when_one_is_turned_off(offer, rep, pm):
    NotificationPreference.objects.create(user=pm, event=Event.HANDOFF_RETURNED, email_enabled=False)

    notify_about_offer(offer, recipients=[pm], actor=rep, event=Event.REVIEW_REQUESTED)

    assert email_row(pm).status == DeliveryStatus.PENDING


def test_it_skips_the_email_of_a_user_without_an_address(offer, rep):
    silent = UserFactory(roles=["pm"], email="")

    notify_about_offer(offer, recipients=[silent], actor=rep)

    assert email_row(silent).status == DeliveryStatus.SKIPPED


def test_it_refuses_an_unknown_event(offer, rep, pm):
    with pytest.raises(ValueError):
        notify_about_offer(offer, recipients=[pm], actor=rep, event="no_such_event")

    assert not Notification.objects.exists()


def test_it_notifies_once_per_key(offer, rep, pm):
    for _ in range(2):
        notify_about_offer(offer, recipients=[pm], actor=rep, key="reminder:1")

    assert Notification.objects.filter(recipient=pm).count() == 2


def test_it_titles_the_notification_after_the_event_and_target_by_default(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)

    assert inbox_rows(pm).get().title == "Feasibility review requested: Roll-out for ACME"


# --- Linking to the object ---------------------------------------------------------------
def test_it_links_to_the_page_of_the_target(offer, rep, pm, monkeypatch):
    monkeypatch.setattr(type(offer), "get_absolute_url", lambda o: f"/offers/{o.pk}/")

    notify_about_offer(offer, recipients=[pm], actor=rep)

    assert inbox_rows(pm).get().url == f"/offers/{offer.pk}/"


def test_it_links_to_home_when_the_target_has_no_page(rep, pm):
    notify_about_offer(rep, recipients=[pm], actor=None)

    assert inbox_rows(pm).get().url == "/"


def test_it_links_to_the_url_the_caller_gives(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep, url="/somewhere/")

    assert inbox_rows(pm).get().url == "/somewhere/"


# --- Delivery --------------------------------------------------------------------------
def test_it_sends_the_email_only_after_commit(offer, rep, pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_about_offer(offer, recipients=[pm], actor=rep)
        assert mail.outbox == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert email_row(pm).status == DeliveryStatus.SENT


def test_it_sends_html_and_plain_text_with_a_link_to_the_object(
    offer, rep, pm, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.com"
    monkeypatch.setattr(type(offer), "get_absolute_url", lambda o: f"/offers/{o.pk}/")

    with django_capture_on_commit_callbacks(execute=True):
        notify_about_offer(offer, recipients=[pm], actor=rep, title="Review wanted", body="By Friday, please.")

    message = mail.outbox[0]
    link = f"https://portal.example.com/offers/{offer.pk}/"
    assert message.subject == "Review wanted"
    assert message.to == [pm.email]
    assert "By Friday, please." in message.body
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html


def test_it_attaches_the_attachments(offer, rep, pm, django_capture_on_commit_callbacks):
    invite = {"filename": "kickoff.ics", "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "mimetype": "text/calendar"}

    with django_capture_on_commit_callbacks(execute=True):
        notify_about_offer(offer, recipients=[pm], actor=rep, attachments=[invite])

    filename, content, mimetype = mail.outbox[0].attachments[0]
    assert (filename, mimetype) == ("kickoff.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in content


def test_it_sends_one_email_when_delivery_runs_twice(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)

    first = deliver_email.delay(email.pk).get()
    second = deliver_email.delay(email.pk).get()

    assert (first, second) == ("sent", "skipped")
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert email.attempts == 1
    assert email.sent_at is not None


def test_it_does_not_send_a_skipped_email(offer, rep, pm):
    NotificationPreference.objects.create(user=pm, event=Event.REVIEW_REQUESTED, email_enabled=False)
    notify_about_offer(offer, recipients=[pm], actor=rep)

    assert deliver_email.delay(email_row(pm).pk).get() == "skipped"
    assert mail.outbox == []


def test_it_skips_an_email_turned_off_after_it_was_recorded(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)
    assert email.status == DeliveryStatus.PENDING
    services.notification_preferences_set(user=pm, email_enabled={Event.REVIEW_REQUESTED: False})

    assert deliver_email.delay(email.pk).get() == "skipped"

    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.sent_at) == (DeliveryStatus.SKIPPED, None)
    assert email.last_error == "turned off in the recipient's preferences"


def test_it_skips_an_email_whose_recipient_was_deactivated_meanwhile(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    pm.is_active = False
    pm.save()

    assert deliver_email.delay(email_row(pm).pk).get() == "skipped"

    assert mail.outbox == []
    assert email_row(pm).status == DeliveryStatus.SKIPPED


def test_it_gives_the_email_a_message_id_derived_from_the_notification(offer, rep, pm, settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "portal.example.com"
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)

    deliver_email.delay(email.pk).get()

    expected = f"<notification-{email.pk}-email@portal.example.com>"
    assert mail.outbox[0].message()["Message-ID"] == expected


def test_a_resend_after_a_crash_is_the_same_message(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)
    deliver_email.delay(email.pk).get()
    # The worker died between the SMTP send and the "sent" update: the sweep puts the row back.
    Notification.objects.filter(pk=email.pk).update(status=DeliveryStatus.PENDING, sent_at=None)

    deliver_email.delay(email.pk).get()

    first, second = (message.message()["Message-ID"] for message in mail.outbox)
    assert first == second == services.email_message_id(email)


def test_it_returns_quietly_when_the_notification_is_gone():
    assert deliver_email.delay(987654).get() == "skipped"
    assert mail.outbox == []


def test_it_does_not_email_an_in_app_notification(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)

    assert deliver_email.delay(inbox_rows(pm).get().pk).get() == "skipped"
    assert mail.outbox == []


def test_it_retries_an_smtp_error_then_sends(offer, rep, pm, settings):
    settings.EMAIL_BACKEND = "tests.notifications.helpers.FlakySMTPBackend"
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 1, 0
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)

    # throw=False: eager apply() then runs the retry the way a worker would.
    deliver_email.apply(args=[email.pk], throw=False)

    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert email.attempts == 2
    assert FlakySMTPBackend.calls == 2
    assert len(mail.outbox) == 1


def test_it_retries_smtp_and_socket_errors_with_backoff():
    assert issubclass(SMTPServerDisconnected, deliver_email.autoretry_for)
    assert issubclass(ConnectionRefusedError, deliver_email.autoretry_for)
    assert deliver_email.retry_backoff == services.RETRY_BACKOFF
    assert deliver_email.max_retries == services.MAX_EMAIL_ATTEMPTS - 1
    assert deliver_email.acks_late is True


def test_it_marks_the_email_failed_after_the_last_attempt(offer, rep, pm, settings):
    settings.EMAIL_BACKEND = "tests.notifications.helpers.FlakySMTPBackend"
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 100, 0
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)

    for _ in range(services.MAX_EMAIL_ATTEMPTS - 1):
        with pytest.raises(SMTPServerDisconnected):
            services.notification_deliver_email(notification_id=email.pk)
    outcome = services.notification_deliver_email(notification_id=email.pk)

    email.refresh_from_db()
    assert outcome == "failed"
    assert email.status == DeliveryStatus.FAILED
    assert email.attempts == services.MAX_EMAIL_ATTEMPTS
    assert "SMTPServerDisconnected" in email.last_error
    assert mail.outbox == []


def test_it_puts_an_email_back_to_pending_between_retries(offer, rep, pm, settings):
    settings.EMAIL_BACKEND = "tests.notifications.helpers.FlakySMTPBackend"
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 1, 0
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)

    with pytest.raises(OSError):
        services.notification_deliver_email(notification_id=email.pk)

    email.refresh_from_db()
    assert email.status == DeliveryStatus.PENDING
    # The task's own retry comes first; the sweep waits for it.
    assert email.sweep_after > timezone.now() + datetime.timedelta(seconds=services.RETRY_BACKOFF)


# --- The sweep ---------------------------------------------------------------------------
def test_it_reenqueues_old_pending_emails_and_not_fresh_ones(offer, rep, pm, manager):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    old = email_row(pm)
    Notification.objects.filter(pk=old.pk).update(sweep_after=timezone.now() - datetime.timedelta(seconds=1))
    notify_about_offer(offer, recipients=[manager], actor=rep)
    fresh = email_row(manager)

    published = services.notifications_sweep_undelivered()

    assert published == [old.pk]
    assert [message.to for message in mail.outbox] == [[pm.email]]
    fresh.refresh_from_db()
    assert fresh.status == DeliveryStatus.PENDING


def test_it_waits_a_minute_before_sweeping_a_new_email(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    created = email_row(pm).created_at

    assert services.notifications_sweep_undelivered(now=created + datetime.timedelta(seconds=59)) == []
    assert services.notifications_sweep_undelivered(now=created + datetime.timedelta(seconds=61)) == [email_row(pm).pk]


def test_it_reenqueues_an_email_stuck_in_sending_past_the_time_limit(offer, rep, pm, settings):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    stuck = email_row(pm)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    Notification.objects.filter(pk=stuck.pk).update(status=DeliveryStatus.SENDING, claimed_at=long_ago, attempts=1)

    assert services.notifications_sweep_undelivered() == [stuck.pk]

    stuck.refresh_from_db()
    assert stuck.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_it_leaves_an_email_being_sent_right_now_alone(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    sending = email_row(pm)
    Notification.objects.filter(pk=sending.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now(), sweep_after=timezone.now()
    )

    assert services.notifications_sweep_undelivered() == []
    assert mail.outbox == []


def test_it_does_not_sweep_sent_failed_or_skipped_emails(offer, rep, pm):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = email_row(pm)
    for status in (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED):
        Notification.objects.filter(pk=email.pk).update(status=status, sweep_after=timezone.now())

        assert services.notifications_sweep_undelivered() == []


# --- Broker down at commit (no Redis needed: publishing goes to a closed port) ---------------
@pytest.mark.django_db(transaction=True)
def test_it_commits_quickly_when_the_broker_is_unreachable(rep, pm, broker_unreachable):
    from config.celery_app import app

    offer = make_offer(rep)
    app.conf.task_always_eager = False  # restored by the autouse _eager_celery fixture
    with broker_unreachable():
        started = time.monotonic()
        with transaction.atomic():
            notify_about_offer(offer, recipients=[pm, UserFactory(roles=["manager"])], actor=rep)
        elapsed = time.monotonic() - started

    assert elapsed < 3
    assert Notification.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.PENDING).count() == 2
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_it_commits_within_one_broker_timeout_when_the_broker_hangs(rep, pm, broker_unreachable):
    """A broker that accepts connections and never answers costs one timeout, not one per e-mail."""
    from config.celery_app import app

    offer = make_offer(rep)
    recipients = [pm, *(UserFactory(roles=["manager"]) for _ in range(3))]
    app.conf.task_always_eager = False  # restored by the autouse _eager_celery fixture
    with socket.socket() as hung, broker_unreachable(f"redis://127.0.0.1:{_listen(hung)}/0"):
        started = time.monotonic()
        with transaction.atomic():
            notify_about_offer(offer, recipients=recipients, actor=rep)
        elapsed = time.monotonic() - started

    assert elapsed < 3
    assert Notification.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.PENDING).count() == 4


def _listen(sock: socket.socket) -> int:
    """Listen without ever accepting: connections succeed (the backlog) and then hang."""
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock.getsockname()[1]


def test_it_links_an_offer_a_review_and_a_handoff_to_their_pages(rep, pm):
    from django.urls import reverse

    from tests.factories import FeasibilityReviewFactory
    from tests.notifications.helpers import make_handoff

    handoff = make_handoff(rep=rep, pm=pm)
    review = FeasibilityReviewFactory(offer=handoff.offer, reviewer=pm)

    assert services.target_url(handoff.offer) == reverse("handoff:offer_detail", args=[handoff.offer.pk])
    assert services.target_url(review) == reverse("handoff:offer_detail", args=[handoff.offer.pk])
    assert services.target_url(handoff) == reverse("handoff:handoff_detail", args=[handoff.pk])
