from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import pagecache

        # Every write through any connection bumps its table's generation for the page cache.
        connection_created.connect(pagecache.install, dispatch_uid="core.pagecache.install")
