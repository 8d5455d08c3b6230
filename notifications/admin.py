from django.contrib import admin

from notifications.models import Notification, NotificationPreference


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: looked at, never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "event",
        "channel",
        "recipient",
        "title",
        "status",
        "attempts",
        "read_at",
        "sent_at",
    ]
    list_filter = ["channel", "status", "event", "created_at"]
    search_fields = ["title", "recipient__username", "recipient__email", "event_key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "event", "email_enabled", "updated_at"]
    list_filter = ["event", "email_enabled"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
