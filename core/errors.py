"""The one domain error that every service raises for a refused state change.

The API turns it into 409 ``{"detail", "code", ...extra}``; views show ``message``
to the user. Invalid input is not a domain error: services raise Django's
``ValidationError`` for that (400 in the API, form errors in the UI).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class DomainError(Exception):
    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}


class TransitionNotAllowed(DomainError):
    code = "illegal_transition"


class NotReady(DomainError):
    code = "not_ready"

    def __init__(self, message: str, *, unmet: list[str], **extra: Any) -> None:
        # ``extra``: what the caller can fix, e.g. ``review_changes`` (SPEC §7.1), in the 409 body.
        super().__init__(message, unmet=unmet, **extra)
        self.unmet = unmet


class StaleVersion(DomainError):
    """Someone else saved the object since the caller read it.

    ``current`` is the object as it is now, so a form can show the newer values.
    """

    code = "stale_version"

    def __init__(self, current: Any) -> None:
        super().__init__(
            # The version number stays out of the text (users see it); the API has it as current_version.
            gettext(
                "This %(object)s was changed by someone else since you opened it. "
                "Review the newer values and save again."
            )
            % {"object": current._meta.verbose_name},
            current_version=current.version,
        )
        self.current = current


class FourEyes(DomainError):
    """Someone would check their own work (SPEC §7.2): accept their own offer's handoff, sign twice."""

    code = "four_eyes"


class ServiceUnavailable(DomainError):
    """A backing service (the document store, say) is down: 503 for this request, nothing half-written."""

    code = "service_unavailable"
