from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Language, User
from accounts.roles import Role
from core.activity import log_activity


@transaction.atomic
def user_create(
    *,
    username: str,
    roles: Iterable[str],
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    roles = list(dict.fromkeys(roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError(
            {
                "roles": _("Unknown role(s) %(roles)s; choose from %(choices)s.")
                % {"roles": ", ".join(unknown), "choices": ", ".join(Role.values)}
            }
        )
    if not username or len(username) > 150:
        raise ValidationError({"username": _("A username of 1 to 150 characters is required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The username %(username)s is already taken.") % {"username": repr(username)}}
        )
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    log_activity(actor=None, verb="user_created", target=user, changes={"roles": ([], roles)})
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Set ``user``'s own language (``en``, ``de``), or "" to let the browser decide (SPEC §7.6)."""
    language = (language or "").strip()
    if language and language not in Language.values:
        raise ValidationError(
            {
                "language": _("Unknown language %(code)s: choose one of %(choices)s, or leave it empty.")
                % {"code": repr(language), "choices": ", ".join(Language.values)}
            },
            code="invalid_choice",
        )
    if user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)
    return user
