from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project's own start-up wiring, at the top of the layers (README, "Architecture").

    Listed last in INSTALLED_APPS. Error tracking and the request id are the project's concerns, not
    an app's: ``core`` (the bottom layer) may not import ``config``.
    """

    name = "config"
    label = "project"
    verbose_name = "Project"

    def ready(self) -> None:
        from django.conf import settings

        # Imported for its Celery signals: the request id into the tasks a request publishes.
        from config import observability

        if settings.SENTRY_DSN:
            observability.init_sentry(settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT)
