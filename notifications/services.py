"""The one door through which every event notifies people (SPEC §3 "Notifications").

Services call ``notify`` inside their own transaction, so the notification
rows commit or roll back with the event; delivery is scheduled on commit.
E-mail delivery (``notification_deliver_email``) claims its row by
compare-and-set, so a task that runs twice, or two workers at once, send one
e-mail. ``notifications_sweep_undelivered`` re-enqueues what the broker never
received.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string, select_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.i18n import Text, render_in
from core.middleware import user_language
from notifications.events import Event
from notifications.models import Channel, DeliveryStatus, Notification, NotificationPreference, new_event_key

logger = logging.getLogger(__name__)

# A pending e-mail whose task has not delivered it within this grace is re-enqueued by the sweep.
SWEEP_GRACE = datetime.timedelta(minutes=1)
# After the sweep re-enqueued an e-mail, it leaves it alone this long (a backlog is not a loss).
SWEEP_REENQUEUE_BACKOFF = datetime.timedelta(minutes=5)
SWEEP_BATCH = 500
# Every claim counts as an attempt; after this many the e-mail is marked failed.
MAX_EMAIL_ATTEMPTS = 6
# deliver_email's retry_backoff (seconds) and its cap: the sweep waits at least this long.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 600


# --- Where a notification links to -----------------------------------------------------
def target_url(target: models.Model) -> str:
    """The page of ``target`` (its model's ``get_absolute_url``), else home."""
    get_absolute_url = getattr(target, "get_absolute_url", None)
    if get_absolute_url is not None:
        try:
            return get_absolute_url()
        except NoReverseMatch:
            logger.warning("No page for %s %s: linking notifications to home", target._meta.label, target.pk)
    return reverse("home")


# --- Recording -----------------------------------------------------------------------
def recipient_language(user: Any) -> str:
    """The language ``user`` reads the portal in when they are not here: their own, else the default."""
    return user_language(user) or settings.LANGUAGE_CODE


def _default_title(event: Event, target: models.Model) -> Callable[[], str]:
    return lambda: gettext("%(event)s: %(target)s") % {"event": event.label, "target": target}


def _distinct_active_recipients(recipients: Iterable[Any], actor: Any) -> list[Any]:
    actor_id = getattr(actor, "pk", None)
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user is None or user.pk is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if user.pk == actor_id or not user.is_active:
            continue
        users.append(user)
    return users


def _clean_attachments(attachments: list[dict[str, str]] | None) -> list[dict[str, str]]:
    cleaned = []
    for attachment in attachments or []:
        if not attachment.get("filename") or not isinstance(attachment.get("content"), str):
            raise ValueError("an attachment needs a filename and text content")
        cleaned.append(
            {
                "filename": str(attachment["filename"])[:200],
                "content": attachment["content"],
                "mimetype": str(attachment.get("mimetype") or "application/octet-stream"),
            }
        )
    return cleaned


def email_disabled_user_ids(*, event: str, user_ids: Iterable[int]) -> set[int]:
    return set(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), event=event, email_enabled=False).values_list(
            "user_id", flat=True
        )
    )


def notify(
    *,
    event: Event,
    recipients: Iterable[Any],
    target: models.Model,
    actor: Any = None,
    title: Text = "",
    body: Text = "",
    attachments: list[dict[str, str]] | None = None,
    url: str | None = None,
    key: str | None = None,
) -> list[Notification]:
    """Record an in-app and an e-mail notification of ``event`` about ``target`` for each recipient.

    Runs inside the caller's transaction: the rows commit or roll back with the
    event. The actor, duplicates and inactive users are left out; an e-mail
    the recipient turned off for this event is recorded as skipped. Delivery is
    enqueued after commit; if the broker is down then, the sweep delivers later.

    ``attachments``: ``[{"filename", "content", "mimetype"}]`` of text content
    (an .ics invitation) attached to the e-mail. ``url``: the page to link to
    (default: the target's page). ``key``: makes the event idempotent, a second
    call with the same key notifies nobody twice.

    ``title`` and ``body`` are written once per recipient, in the recipient's language (SPEC §7.6):
    pass lazy messages (``core.i18n.deferred(gettext_lazy("... %(x)s"), x=...)``) or functions, not
    text already translated in the actor's language. A plain string is stored as it is.
    """
    # Refuse a programming error before writing anything: the caller's transaction stays usable.
    event = Event(event)
    clean_attachments = _clean_attachments(attachments)
    if target.pk is None:
        raise ValueError("notify() needs a saved target")
    users = _distinct_active_recipients(recipients, actor)
    if not users:
        return []
    with transaction.atomic(savepoint=False):
        return _record(
            event=event,
            users=users,
            target=target,
            actor=actor,
            title=title,
            body=body,
            attachments=clean_attachments,
            url=url,
            key=key,
        )


def _record(
    *,
    event: Event,
    users: list[Any],
    target: models.Model,
    actor: Any,
    title: Text,
    body: Text,
    attachments: list[dict[str, str]],
    url: str | None,
    key: str | None,
) -> list[Notification]:
    now = timezone.now()
    common = {
        "event": event,
        "target_type": ContentType.objects.get_for_model(target),
        "target_id": target.pk,
        "url": url if url is not None else target_url(target),
        "actor": actor if getattr(actor, "is_authenticated", False) else None,
        "created_at": now,
    }
    common["event_key"] = key or new_event_key()
    email_off = email_disabled_user_ids(event=event, user_ids=[user.pk for user in users])
    rows = []
    for user in users:
        # Written in the recipient's language, whoever caused the event.
        language = recipient_language(user)
        common["language"] = language
        common["title"] = render_in(language, title or _default_title(event, target))[:200]
        common["body"] = render_in(language, body)[:5000]
        rows.append(Notification(recipient=user, channel=Channel.IN_APP, status="", **common))
        email_status = DeliveryStatus.PENDING
        last_error = ""
        if user.pk in email_off:
            email_status, last_error = DeliveryStatus.SKIPPED, "turned off in the recipient's preferences"
        elif not user.email:
            email_status, last_error = DeliveryStatus.SKIPPED, "the recipient has no e-mail address"
        rows.append(
            Notification(
                recipient=user,
                channel=Channel.EMAIL,
                status=email_status,
                last_error=last_error,
                attachments=attachments,
                sweep_after=now + SWEEP_GRACE,
                **common,
            )
        )
    created = Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    if key:
        # Rows that already existed were not created again; deliver what is still pending.
        email_ids = list(
            Notification.objects.filter(
                event_key=key, channel=Channel.EMAIL, status=DeliveryStatus.PENDING
            ).values_list("id", flat=True)
        )
    else:
        email_ids = [row.pk for row in created if row.channel == Channel.EMAIL and row.status == DeliveryStatus.PENDING]
    if email_ids:
        transaction.on_commit(lambda: enqueue_email_delivery(notification_ids=email_ids))
    return created


def enqueue_email_delivery(*, notification_ids: list[int]) -> list[int]:
    """Publish a delivery task per e-mail; never raises. Returns the ids that reached the broker.

    A broker outage must not fail or slow the web request: the settings give
    the broker a short connect timeout and no publish retries, the first
    failure stops the loop and opens the process's Redis breaker
    (``core.breaker``), and while it is open nothing is published (the sweep
    enqueues the rest once Redis is back). So a request that notifies several
    people, or whose page cache already waited for Redis, pays one timeout.
    """
    from kombu.exceptions import OperationalError

    from core.breaker import redis as breaker
    from notifications.tasks import deliver_email

    published = []
    eager = deliver_email.app.conf.task_always_eager
    for notification_id in notification_ids:
        if not eager and not breaker.allows():
            logger.info("Redis breaker open; %d e-mail(s) left for the sweep", len(notification_ids) - len(published))
            break
        try:
            deliver_email.delay(notification_id)
        except (OperationalError, OSError) as exc:
            breaker.trip("broker publish", exc)
            logger.warning(
                "Broker unreachable (%s); %d e-mail(s) left for the sweep",
                exc,
                len(notification_ids) - len(published),
            )
            break
        except Exception:
            # Only eager mode runs the task here; its failure is on the row already.
            logger.exception("Delivering notification %s failed", notification_id)
        else:
            published.append(notification_id)
    return published


def notify_address(
    *,
    event: Event,
    email: str,
    target: models.Model,
    actor: Any = None,
    title: Text,
    body: Text = "",
    url: str = "",
    language: str = "",
) -> Notification:
    """Record an e-mail to an address outside the portal (a client contact), delivered like every other.

    Runs inside the caller's transaction; delivery is enqueued after commit and the sweep
    retries it. ``url`` may be a secret (a client link): it is wiped from the row once sent.
    ``language``: the one the e-mail is written in (a client link's); default ``LANGUAGE_CODE``.
    """
    event = Event(event)
    if target.pk is None:
        raise ValueError("notify_address() needs a saved target")
    if not email:
        raise ValueError("notify_address() needs an e-mail address")
    now = timezone.now()
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with transaction.atomic(savepoint=False):
        row = Notification.objects.create(
            language=language,
            recipient=None,
            to_email=email,
            event=event,
            channel=Channel.EMAIL,
            status=DeliveryStatus.PENDING,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            title=render_in(language, title)[:200],
            body=render_in(language, body)[:5000],
            url=url,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
            sweep_after=now + SWEEP_GRACE,
        )
    transaction.on_commit(lambda: enqueue_email_delivery(notification_ids=[row.pk]))
    return row


# --- Delivering e-mail -----------------------------------------------------------------
def _claim(notification_id: int, now: datetime.datetime) -> bool:
    return bool(
        Notification.objects.filter(pk=notification_id, channel=Channel.EMAIL, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def email_message_id(notification: Notification) -> str:
    """The e-mail's ``Message-ID``, derived from the notification: a resend after a crash between the
    SMTP send and the "sent" update is the same message to mail clients and servers, not a second one."""
    return f"<notification-{notification.pk}-email@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def _email_turned_off(notification: Notification) -> str:
    """Why the e-mail must not go out now (the recipient changed their mind since it was recorded), or ``""``."""
    recipient = notification.recipient
    if recipient is None:  # addressed to an e-mail address (a client link's invite), not to a user
        return ""
    if not recipient.is_active:
        return "the recipient's account is deactivated"
    if not recipient.email:
        return "the recipient has no e-mail address"
    if email_disabled_user_ids(event=notification.event, user_ids=[recipient.pk]):
        return "turned off in the recipient's preferences"
    return ""


def _email_language(notification: Notification) -> str:
    """The e-mail's language: the one its title was written in, else the recipient's own."""
    if notification.language in dict(settings.LANGUAGES):
        return notification.language
    return recipient_language(notification.recipient)


def _build_email(notification: Notification) -> EmailMultiAlternatives:
    # Rendered here, in the worker, in the recipient's language: never the actor's, nor the worker's.
    with translation.override(_email_language(notification)):
        return _build_email_in_language(notification)


def _build_email_in_language(notification: Notification) -> EmailMultiAlternatives:
    link = settings.SITE_URL + (notification.url or "/")
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "event_label": notification.get_event_display(),
        "link": link,
        "preferences_link": settings.SITE_URL + reverse("notifications:preferences"),
        "site_url": settings.SITE_URL,
    }
    names = [f"notifications/email/{notification.event}", "notifications/email/default"]
    text = select_template([f"{name}.txt" for name in names]).render(context)
    html = select_template([f"{name}.html" for name in names]).render(context)
    subject = render_to_string("notifications/email/subject.txt", context).strip().replace("\n", " ")[:200]
    address = notification.recipient.email if notification.recipient_id else notification.to_email
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Message-ID": email_message_id(notification)},
    )
    message.attach_alternative(html, "text/html")
    for attachment in notification.attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    return message


def _retry_bound(attempts: int) -> datetime.timedelta:
    """The longest countdown deliver_email's retry can choose after ``attempts`` attempts."""
    return datetime.timedelta(seconds=min(RETRY_BACKOFF_MAX, RETRY_BACKOFF * 2 ** max(attempts - 1, 0)))


def notification_deliver_email(*, notification_id: int) -> str:
    """Send one e-mail notification, at most once. Returns what happened.

    Quietly does nothing when the row is gone, already sent, skipped or being
    sent by someone else: the compare-and-set on ``status`` lets one caller in.
    A transient error (SMTP, socket) puts the row back to pending and
    re-raises for the task to retry; after ``MAX_EMAIL_ATTEMPTS`` it fails.
    """
    if not _claim(notification_id, timezone.now()):
        return "skipped"
    notification = Notification.objects.select_related("recipient", "actor").get(pk=notification_id)
    # The preference is read when sending too: turned off since the event, the e-mail is skipped, not sent.
    reason = _email_turned_off(notification)
    if reason:
        Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.SKIPPED, last_error=reason
        )
        return "skipped"
    try:
        _build_email(notification).send()
    except OSError as exc:  # smtplib.SMTPException and socket errors are OSErrors
        final = notification.attempts >= MAX_EMAIL_ATTEMPTS
        Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            last_error=f"{exc.__class__.__name__}: {exc}"[:500],
            sweep_after=timezone.now() + _retry_bound(notification.attempts) + SWEEP_GRACE,
        )
        if final:
            logger.error(
                "Giving up on notification %s after %d attempts: %s", notification_id, notification.attempts, exc
            )
            return "failed"
        raise
    except Exception as exc:
        # Not transient (a template or data error): retrying would not help.
        Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED, last_error=f"{exc.__class__.__name__}: {exc}"[:500]
        )
        logger.exception("Notification %s could not be sent", notification_id)
        return "failed"
    sent: dict[str, Any] = {"status": DeliveryStatus.SENT, "sent_at": timezone.now(), "last_error": ""}
    if notification.recipient_id is None:
        # An outside address got a secret link (a client link): the row keeps no working copy of it.
        sent["url"] = ""
    Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(**sent)
    return "sent"


def notifications_sweep_undelivered(*, now: datetime.datetime | None = None) -> list[int]:
    """Re-enqueue e-mails nobody delivered: pending past their grace, or stuck in "sending".

    "Sending" for longer than the task's hard time limit means the worker died
    mid-task; the row goes back to pending (compare-and-set) and is enqueued
    again. Returns the ids that reached the broker.
    """
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - SWEEP_GRACE
    Notification.objects.filter(
        channel=Channel.EMAIL, status=DeliveryStatus.SENDING, claimed_at__lte=stuck_before
    ).update(status=DeliveryStatus.PENDING, sweep_after=now, last_error="the worker stopped while sending")
    due = list(
        Notification.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.PENDING, sweep_after__lte=now)
        .order_by("sweep_after", "id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    if not due:
        return []
    published = enqueue_email_delivery(notification_ids=due)
    if published:
        Notification.objects.filter(pk__in=published, status=DeliveryStatus.PENDING).update(
            sweep_after=now + SWEEP_REENQUEUE_BACKOFF
        )
    if len(published) < len(due):
        logger.warning("Sweep re-enqueued %d of %d undelivered e-mail(s)", len(published), len(due))
    return published


# --- Inbox -------------------------------------------------------------------------------
def notification_mark_read(*, user: Any, notification: Notification) -> Notification:
    """Mark one of ``user``'s in-app notifications read (idempotent)."""
    if notification.recipient_id != user.pk or notification.channel != Channel.IN_APP:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user: Any) -> int:
    """Mark every unread in-app notification of ``user`` read; returns how many."""
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, user: Any, email_enabled: dict[str, bool]) -> None:
    """Turn e-mail on or off per event type for ``user`` (events not named keep their setting)."""
    for event, enabled in email_enabled.items():
        NotificationPreference.objects.update_or_create(
            user=user, event=Event(event), defaults={"email_enabled": bool(enabled)}
        )
