from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The activity log is append-only")

    def delete(self):
        raise TypeError("The activity log is append-only")


class Activity(models.Model):
    """One row per state change or edit: who, when, what, on which object.

    Written only through ``core.activity.log_activity`` from inside the service
    that makes the change, so it commits or rolls back with the change itself.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who acted when it was not a user: "Jane Doe (client, through the link)".
    actor_label = models.CharField(max_length=200, blank=True)
    verb = models.CharField(max_length=64)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    changes = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="activity_target_idx")]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.verb} on {self.target_type_id}:{self.target_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("The activity log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The activity log is append-only")

    @property
    def actor_name(self) -> str:
        """The user's name, the label of a non-user actor (a client through a link), or empty (the system)."""
        if self.actor_id:
            return self.actor.full_name
        return self.actor_label
