from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_role_groups(sender, using="default", **kwargs) -> None:
    """Create the role groups after every ``migrate`` (and every test-database flush).

    The data migration creates them once; this keeps them present after
    ``flush`` too, which empties every table and then sends ``post_migrate``
    (transactional and live-server tests flush after each test).
    """
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    for role in Role.values:
        Group.objects.using(using).get_or_create(name=role)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="accounts.ensure_role_groups")
