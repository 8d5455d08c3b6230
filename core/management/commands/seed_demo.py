from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app seeds its own part, in dependency order; every step is idempotent.
DEMO_MODULES = ["accounts.demo", "clients.demo", "handoff.demo", "projects.demo"]


class Command(BaseCommand):
    help = "Load idempotent demo data: a user per role, clients, offers in every status, handoffs and projects."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready: http://127.0.0.1:8000/"))
