"""Which objects documents attach to, and who may attach to them: declared by the apps that own them.

``documents`` sits below ``clients``, ``handoff`` and ``projects``, so it does
not import them: each of those apps registers its parent kinds in its
``AppConfig.ready`` with dotted paths to its own rules, resolved on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ParentKind:
    kind: str  # the API field and the Document foreign key: "client", "offer", ...
    model: str  # "app_label.ModelName"
    client_path: str  # attribute path from the parent to its client id: "pk", "client_id", "project.client_id"
    can_write: str  # dotted path of ``(user, parent) -> bool``: who may attach documents to it
    select_related: tuple[str, ...] = ()

    @cached_property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def may_write(self, user: Any, parent: Model) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and import_string(self.can_write)(user, parent)

    def client_id_of(self, parent: Model) -> int:
        value: Any = parent
        for part in self.client_path.split("."):
            value = getattr(value, part)
        return value

    def readable(self, user: Any) -> QuerySet:
        """Every authenticated user reads clients, offers and projects (SPEC §2), so every parent."""
        manager = self.model_class._default_manager
        if not getattr(user, "is_authenticated", False):
            return manager.none()
        return manager.select_related(*self.select_related)


@dataclass(frozen=True)
class ConfidentialRule:
    visible: str  # dotted path of ``(*, user, client) -> bool``
    client_ids: str  # dotted path of ``(user) -> QuerySet`` of the client ids whose confidential items the user sees


PARENTS: dict[str, ParentKind] = {}
_confidential: list[ConfidentialRule] = []


def register_parent(parent: ParentKind) -> None:
    PARENTS[parent.kind] = parent


def register_confidential_rule(rule: ConfidentialRule) -> None:
    _confidential[:] = [rule]


def confidential_rule() -> ConfidentialRule:
    if not _confidential:  # pragma: no cover - clients always registers it
        raise LookupError("No app registered the confidential-visibility rule.")
    return _confidential[0]


def parent_kind(kind: str) -> ParentKind:
    return PARENTS[kind]
