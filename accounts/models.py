from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property

from accounts.roles import Role


class UserQuerySet(models.QuerySet):
    def with_role(self, role: str) -> UserQuerySet:
        return self.filter(groups__name=role, is_active=True)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """The portal's user. Custom from the first migration so it can grow."""

    objects = PortalUserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        # Uses prefetched groups when the queryset prefetched them.
        return frozenset(group.name for group in self.groups.all())

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles

    @property
    def is_sales(self) -> bool:
        return self.has_role(Role.SALES)

    @property
    def is_pm(self) -> bool:
        return self.has_role(Role.PM)

    @property
    def is_manager(self) -> bool:
        return self.has_role(Role.MANAGER)
