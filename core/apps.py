from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # The request id into Celery tasks (signals), and Sentry when SENTRY_DSN is set.
        from django.conf import settings

        from config import observability

        if settings.SENTRY_DSN:
            observability.init_sentry(settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT)
