from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import pagecache

        # Every write through any connection bumps its table's generation for the page cache.
        connection_created.connect(pagecache.install, dispatch_uid="core.pagecache.install")

        # The request id into Celery tasks (signals), and Sentry when SENTRY_DSN is set.
        from django.conf import settings

        from config import observability

        if settings.SENTRY_DSN:
            observability.init_sentry(settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT)
