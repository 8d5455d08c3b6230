"""Thin Celery tasks: take ids, call a service, retry transient errors with backoff."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from notifications import services


@shared_task(
    bind=True,
    name="notifications.deliver_email",
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=services.RETRY_BACKOFF,
    retry_backoff_max=services.RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=services.MAX_EMAIL_ATTEMPTS - 1,
)
def deliver_email(self, notification_id: int) -> str:
    """Send one e-mail notification; a second run (or a second worker) sends nothing."""
    return services.notification_deliver_email(notification_id=notification_id)


@shared_task(name="notifications.sweep_undelivered", acks_late=True)
def sweep_undelivered() -> int:
    """Beat, every minute: re-enqueue e-mails still undelivered (broker outage, dead worker)."""
    return len(services.notifications_sweep_undelivered())
