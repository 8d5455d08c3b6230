from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from accounts.user_annotations import register_user_annotation
        from notifications.selectors import UNREAD_ANNOTATION, unread_count_subquery

        # The inbox badge's unread count comes with the request's user, in its one query (accounts.backends).
        register_user_annotation(UNREAD_ANNOTATION, unread_count_subquery)
