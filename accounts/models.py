from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Case, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# user.roles as bits of one number: with_roles() loads it in the user's own query.
_ROLE_MASK = "_role_mask"
_ROLE_BITS = {role: 1 << position for position, role in enumerate(Role.values)}


class UserQuerySet(models.QuerySet):
    def with_role(self, role: str) -> UserQuerySet:
        return self.filter(groups__name=role, is_active=True)

    def with_roles(self) -> UserQuerySet:
        """Each user's portal roles in the same query (one subquery): ``user.roles`` then costs none.

        The signed-in user is loaded this way on every request (``accounts.backends``), so a role
        granted or taken away counts from the very next request.
        """
        role_bit = Case(
            *(When(group__name=role, then=Value(bit)) for role, bit in _ROLE_BITS.items()), default=Value(0)
        )
        mask = (
            User.groups.through.objects.filter(user=OuterRef("pk"))
            .order_by()
            .values("user")
            .annotate(mask=Sum(role_bit))
            .values("mask")
        )
        return self.annotate(**{_ROLE_MASK: Subquery(mask, output_field=IntegerField())})


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class Language(models.TextChoices):
    """The languages the portal speaks (``settings.LANGUAGES``). Each is named in itself, as language
    pickers do: a German reader looks for "Deutsch" whatever the page's language."""

    EN = "en", "English"
    DE = "de", "Deutsch"


class User(AbstractUser):
    """The portal's user. Custom from the first migration so it can grow."""

    # Blank: not chosen, the browser's Accept-Language decides (core.middleware.LocaleMiddleware).
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)

    objects = PortalUserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """The portal roles (``Role``) this user holds; other groups, if any, are not roles."""
        if _ROLE_MASK in self.__dict__:  # loaded by UserQuerySet.with_roles(); None: no groups
            mask = self.__dict__[_ROLE_MASK] or 0
            return frozenset(role for role, bit in _ROLE_BITS.items() if mask & bit)
        # Otherwise from the groups (prefetched when the queryset prefetched them).
        return frozenset(group.name for group in self.groups.all() if group.name in Role.values)

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
