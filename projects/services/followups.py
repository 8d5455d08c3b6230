"""Follow-up opportunities (SPEC §3 "After the handoff"): raised on a project, decided by the account owner.

Anyone on the project (its PM, its sales liaison, a manager) raises one with a
description and an estimated value; it goes to the client's account owner, who
converts it into a new draft offer (prefilled, linked both ways, made by the one
offer-creation service) or dismisses it with a reason. Both decisions lock the
row and move along ``FOLLOW_UP_TRANSITIONS``: a decided follow-up is never
decided again.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.roles import Role
from core.activity import log_activity
from core.errors import TransitionNotAllowed
from core.i18n import deferred, later
from core.money import format_money
from handoff.models import Offer
from handoff.services.offers import MAX_OFFER_VALUE, offer_create
from notifications.events import Event
from notifications.services import notify
from projects.models import FOLLOW_UP_TRANSITIONS, FollowUp, FollowUpStatus, Project
from projects.services.projects import in_sentence

TITLE_MAX = 200
DESCRIPTION_MAX = 10000
REASON_MAX = 2000
# A follow-up becomes an offer: its estimate obeys the offer's limit, so a conversion never fails on it.
VALUE_MAX = MAX_OFFER_VALUE


# --- Who may do what (the services enforce it; pages use it to show only the forms that work) ----
def is_on_project(user: Any, project: Project) -> bool:
    """The project's PM, its sales liaison, or a manager."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.pk in (project.pm_id, project.sales_liaison_id) or user.has_role(Role.MANAGER)


def can_raise_follow_up(user: Any, project: Project) -> bool:
    return is_on_project(user, project)


def is_account_owner(user: Any, project: Project) -> bool:
    """The owner of the project's client: the one who turns follow-up business into offers."""
    return bool(getattr(user, "is_authenticated", False)) and project.client.account_owner_id == user.pk


def can_decide_follow_up(user: Any, follow_up: FollowUp) -> bool:
    return follow_up.status == FollowUpStatus.OPEN and is_account_owner(user, follow_up.project)


def _ensure_transition(follow_up: FollowUp, target: str, *, refusal: str) -> None:
    """``refusal`` names the current status as ``%(status)s``."""
    if target not in FOLLOW_UP_TRANSITIONS[follow_up.status]:
        raise TransitionNotAllowed(
            refusal % {"status": in_sentence(follow_up.get_status_display())},
            status=follow_up.status,
        )


def _ensure_account_owner(actor: Any, follow_up: FollowUp, *, refusal: str) -> None:
    """``refusal`` names the account owner as ``%(owner)s``."""
    if not is_account_owner(actor, follow_up.project):
        raise PermissionDenied(refusal % {"owner": follow_up.project.client.account_owner})


def _lock(follow_up: FollowUp | int) -> FollowUp:
    pk = getattr(follow_up, "pk", follow_up)
    # "of=self": lock the follow-up row only, not the joined project and client.
    return (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("project", "project__client", "project__client__account_owner")
        .get(pk=pk)
    )


# --- Input ------------------------------------------------------------------------------------
def _clean_value(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"estimated_value": gettext("Enter the estimated value as an amount, e.g. 25000.")})
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"estimated_value": gettext("The estimated value is 0 or more.")})
    if amount > VALUE_MAX:
        raise ValidationError(
            {
                "estimated_value": gettext("The estimated value may be at most %(limit)s.")
                % {"limit": f"{VALUE_MAX:,.2f}"}
            }
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"estimated_value": gettext("Use at most two decimal places.")})
    return amount.quantize(Decimal("0.01"))


def _clean_raise(*, title: Any, description: Any, estimated_value: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = str(title or "").strip()
    description = str(description or "").strip()
    if not title:
        errors["title"] = gettext("Name the opportunity.")
    elif len(title) > TITLE_MAX:
        errors["title"] = gettext("At most %(limit)s characters, please.") % {"limit": TITLE_MAX}
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = gettext("At most %(limit)s characters, please (this one has %(length)s).") % {
            "limit": DESCRIPTION_MAX,
            "length": len(description),
        }
    try:
        value = _clean_value(estimated_value)
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
        value = None
    if errors:
        raise ValidationError(errors)
    return {"title": title, "description": description, "estimated_value": value}


# --- Raise, convert, dismiss -------------------------------------------------------------------
@transaction.atomic
def follow_up_raise(
    *, project: Project, actor: Any, title: str, description: str = "", estimated_value: Any = None
) -> FollowUp:
    """Anyone on the project records follow-up business it heard of; the account owner is told."""
    if not can_raise_follow_up(actor, project):
        raise PermissionDenied(gettext("Only the project's PM, its sales liaison or a manager can raise a follow-up."))
    cleaned = _clean_raise(title=title, description=description, estimated_value=estimated_value)
    project = Project.objects.select_related("client", "client__account_owner").get(pk=project.pk)
    follow_up = FollowUp.objects.create(project=project, raised_by=actor, **cleaned)
    log_activity(
        actor=actor,
        verb="follow_up_raised",
        target=project,
        changes={"follow_up": (None, follow_up.title), "estimated_value": (None, follow_up.estimated_value)},
        message=follow_up.title,
    )
    owner = project.client.account_owner
    notify(
        event=Event.FOLLOW_UP_RAISED,
        recipients=[owner] if owner else [],
        target=follow_up,
        actor=actor,
        title=deferred(
            gettext_lazy("Follow-up opportunity at %(client)s: %(title)s"),
            client=project.client.name,
            title=follow_up.title,
        ),
        body=_raised_body(follow_up, project, actor),
    )
    return follow_up


def _raised_body(follow_up: FollowUp, project: Project, actor: Any) -> Any:
    """The raise notification's body, the amount formatted in each recipient's language (SPEC §7.6)."""
    message = deferred(
        gettext_lazy(
            "%(actor)s heard of follow-up business on %(project)s (estimated %(value)s). "
            "Convert it into an offer or dismiss it."
        ),
        actor=actor.full_name,
        project=project.name,
        value=later(format_money, follow_up.estimated_value),
    )
    description = follow_up.description

    def body() -> str:
        return f"{message}\n\n{description}" if description else str(message)

    return body


@transaction.atomic
def follow_up_convert(*, follow_up: FollowUp, actor: Any) -> Offer:
    """Open → converted: a new draft offer of the client, prefilled from the follow-up and owned by the account owner."""
    follow_up = _lock(follow_up)
    _ensure_account_owner(
        actor, follow_up, refusal=gettext("Only the client's account owner (%(owner)s) can convert a follow-up.")
    )
    _ensure_transition(
        follow_up,
        FollowUpStatus.CONVERTED,
        refusal=gettext("This follow-up was already %(status)s; it cannot be converted."),
    )
    project = follow_up.project
    offer = offer_create(
        actor=actor,
        client=project.client,
        title=follow_up.title,
        summary=follow_up.description,
        value=follow_up.estimated_value or None,
    )
    follow_up.offer = offer
    follow_up.status = FollowUpStatus.CONVERTED
    follow_up.decided_by = actor
    follow_up.decided_at = timezone.now()
    follow_up.save(update_fields=["offer", "status", "decided_by", "decided_at"])
    log_activity(
        actor=actor,
        verb="follow_up_converted",
        target=project,
        changes={"status": (FollowUpStatus.OPEN, FollowUpStatus.CONVERTED), "offer": (None, offer)},
        message=follow_up.title,
    )
    log_activity(
        actor=actor,
        verb="created_from_follow_up",
        target=offer,
        changes={"follow_up": (None, follow_up.title), "project": (None, project)},
        message=gettext("From the follow-up “%(title)s” of %(project)s")
        % {"title": follow_up.title, "project": project.name},
    )
    return offer


@transaction.atomic
def follow_up_dismiss(*, follow_up: FollowUp, actor: Any, reason: str) -> FollowUp:
    """Open → dismissed, with the account owner's reason."""
    follow_up = _lock(follow_up)
    _ensure_account_owner(
        actor, follow_up, refusal=gettext("Only the client's account owner (%(owner)s) can dismiss a follow-up.")
    )
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the opportunity is not worth an offer.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": gettext("At most %(limit)s characters, please.") % {"limit": REASON_MAX}})
    _ensure_transition(
        follow_up,
        FollowUpStatus.DISMISSED,
        refusal=gettext("This follow-up was already %(status)s; it cannot be dismissed."),
    )
    follow_up.status = FollowUpStatus.DISMISSED
    follow_up.dismiss_reason = reason
    follow_up.decided_by = actor
    follow_up.decided_at = timezone.now()
    follow_up.save(update_fields=["status", "dismiss_reason", "decided_by", "decided_at"])
    log_activity(
        actor=actor,
        verb="follow_up_dismissed",
        target=follow_up.project,
        changes={"status": (FollowUpStatus.OPEN, FollowUpStatus.DISMISSED)},
        message=f"{follow_up.title}: {reason}",
    )
    return follow_up
