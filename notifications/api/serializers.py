from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    event_label = serializers.CharField(source="get_event_display", read_only=True)
    target_type = serializers.SerializerMethodField()
    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    actor_name = serializers.SerializerMethodField()
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "event_label",
            "title",
            "body",
            "url",
            "target_type",
            "target_id",
            "actor",
            "actor_name",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields

    def get_target_type(self, notification: Notification) -> str:
        """``app_label.model`` of the object, e.g. ``handoff.handoff``."""
        # ContentType's own cache: no query per row once warm.
        content_type = ContentType.objects.get_for_id(notification.target_type_id)
        return f"{content_type.app_label}.{content_type.model}"

    def get_actor_name(self, notification: Notification) -> str | None:
        return notification.actor.full_name if notification.actor else None


class MarkAllReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
