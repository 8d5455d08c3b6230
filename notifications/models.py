"""Notification records (one per recipient and channel) and per-user e-mail preferences.

The rows are written by ``notifications.services.notify`` in the same
transaction as the event that causes them; e-mail delivery is claimed per row
by a compare-and-set on ``status`` so that a task run twice sends one e-mail.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from notifications.events import Event


class Channel(models.TextChoices):
    IN_APP = "in_app", pgettext_lazy("notification delivery", "In-app")
    EMAIL = "email", pgettext_lazy("notification delivery", "E-mail")


class DeliveryStatus(models.TextChoices):
    """The e-mail's delivery state; in-app notices have none (blank)."""

    PENDING = "pending", pgettext_lazy("notification delivery", "Pending")
    SENDING = "sending", pgettext_lazy("notification delivery", "Sending")
    SENT = "sent", pgettext_lazy("notification delivery", "Sent")
    FAILED = "failed", pgettext_lazy("notification delivery", "Failed")
    SKIPPED = "skipped", pgettext_lazy("notification delivery", "Skipped")


def new_event_key() -> str:
    return uuid.uuid4().hex


class Notification(models.Model):
    # A user, or (e-mail only) an outside address: a client contact invited through a client link.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    to_email = models.EmailField(blank=True)
    event = models.CharField(max_length=40, choices=Event.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # One notify() call is one event instance: every row it writes shares the key.
    # A caller may pass its own key to make an event idempotent (the SLA reminder).
    event_key = models.CharField(max_length=120, default=new_event_key)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=5000, blank=True)
    # The target's page, resolved when the event happened (a path, e.g. "/offers/12/").
    url = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The language title, body and e-mail are written in: the recipient's own when the event happened
    # (a client link's invite: the link's), "" for rows written before there was a choice.
    language = models.CharField(max_length=8, blank=True)
    # [{"filename", "content", "mimetype"}]: text attachments of the e-mail (an .ics invitation).
    attachments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # In-app only.
    read_at = models.DateTimeField(null=True, blank=True)
    # E-mail only.
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The sweep re-enqueues a pending e-mail only after this moment: by then the
    # task scheduled on commit (or its retry) should have delivered it.
    sweep_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly once as a database fact: one row per event, recipient and channel;
            # the e-mail row is then claimed by compare-and-set, so it is sent once.
            models.UniqueConstraint(
                fields=["event_key", "recipient", "channel"], name="notification_once_per_event_recipient_channel"
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="notification_channel_valid"),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | (Q(channel=Channel.EMAIL) & ~Q(to_email="")),
                name="notification_has_recipient",
            ),
            models.CheckConstraint(
                condition=(Q(channel=Channel.IN_APP) & Q(status=""))
                | (Q(channel=Channel.EMAIL) & Q(status__in=DeliveryStatus.values)),
                name="notification_status_matches_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(channel="in_app", read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["status", "sweep_after"], name="notification_delivery_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient_id} ({self.channel})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """E-mail for one event type turned on or off; no row means on. In-app notices always exist."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    email_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_preference_once_per_event"),
        ]

    def __str__(self) -> str:
        state = "on" if self.email_enabled else "off"
        return f"{self.user_id}: {self.event} e-mail {state}"
