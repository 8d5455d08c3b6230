"""Who acts when it is not a portal user: a client contact, through a client link (SPEC §7.5).

The domain services take an ``actor``; a ``ClientActor`` stands in for a user there. It
is never authenticated (so nothing mistakes it for staff), may act on its link's project
only, and names itself in the activity log and notifications: "Jane Doe (client, through
the link)".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from projects.models import ClientLink


@dataclass(frozen=True)
class ClientActor:
    link: ClientLink

    # Never a user: permission helpers that ask ``is_authenticated`` say no, log_activity stores no user.
    is_authenticated = False
    is_anonymous = False
    is_active = True
    pk = None

    @property
    def contact(self) -> Any:
        return self.link.contact

    @property
    def project_id(self) -> int:
        return self.link.project_id

    @property
    def full_name(self) -> str:
        return gettext("%(name)s (client, through the link)") % {"name": self.link.contact.name}

    @property
    def activity_label(self) -> str:
        return self.full_name

    def has_role(self, role: str) -> bool:
        return False

    def may_act_on(self, project: Any) -> bool:
        """A link is for one project, and only while it is active."""
        return getattr(project, "pk", project) == self.link.project_id and self.link.is_active

    def __str__(self) -> str:
        return self.full_name


def is_client_actor(actor: Any) -> bool:
    return isinstance(actor, ClientActor)
