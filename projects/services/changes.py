"""Change requests after the signature (SPEC §3 "After the handoff").

Raised by the project's PM or sales liaison (or a manager). A change with a
non-zero cost impact needs the signatures of both the PM and the sales
liaison; a change that costs nothing needs one of them. The last needed
signature approves it and, in the same transaction, rolls its cost into the
project's budget and its schedule impact into the planned end; the snapshot
keeps what was sold. Either signatory can reject, with a comment.

Lock order, everywhere: the project, then the change request.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from core.activity import log_activity
from core.errors import DomainError, FourEyes, TransitionNotAllowed
from core.i18n import deferred, deferred_date, later
from core.money import format_money
from core.versioning import bump_version
from notifications.events import Event
from notifications.services import notify
from projects.models import (
    CHANGE_COMMENT_MAX,
    CHANGE_COST_LIMIT,
    CHANGE_DESCRIPTION_MAX,
    CHANGE_REQUEST_TRANSITIONS,
    CHANGE_SCHEDULE_LIMIT_DAYS,
    CHANGE_TITLE_MAX,
    ChangeRequest,
    ChangeRequestApproval,
    ChangeRequestStatus,
    Project,
    SignatureCapacity,
)
from projects.services.projects import CLOSED_STATUSES, can_edit_project, in_sentence

BUDGET_LIMIT = Decimal("999999999999.99")  # Project.budget: 14 digits, 2 decimals
# The limits live beside the model (projects.models.CHANGE_*); these names stay for the callers that use them.
TITLE_MAX, DESCRIPTION_MAX, COMMENT_MAX = CHANGE_TITLE_MAX, CHANGE_DESCRIPTION_MAX, CHANGE_COMMENT_MAX
SIGNATORIES = (SignatureCapacity.PM, SignatureCapacity.SALES_LIAISON)


# --- Who may do what ----------------------------------------------------------------------------
def signing_capacity(user: Any, project: Project) -> str | None:
    """The capacity in which ``user`` signs this project's changes: its PM, its sales liaison, or none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if can_edit_project(user, project):
        return SignatureCapacity.PM
    if project.sales_liaison_id == user.pk:
        return SignatureCapacity.SALES_LIAISON
    return None


def can_raise_change(user: Any, project: Project) -> bool:
    if project.status in CLOSED_STATUSES:
        return False
    return signing_capacity(user, project) is not None or bool(getattr(user, "is_manager", False))


def needed_capacities(change_request: ChangeRequest) -> tuple[str, ...]:
    """Both signatories for a change that costs (or saves) money; either one for a free change."""
    return SIGNATORIES if change_request.needs_two_signatures else ()


def pending_capacities(change_request: ChangeRequest, approvals: list[ChangeRequestApproval]) -> list[str]:
    """The signatures a proposed change still waits for (``[]`` when it is decided or complete).

    For a free change, "either" is returned as both capacities while nobody has signed.
    """
    if change_request.status != ChangeRequestStatus.PROPOSED:
        return []
    signed = {approval.capacity for approval in approvals}
    if change_request.needs_two_signatures:
        return [capacity for capacity in SIGNATORIES if capacity not in signed]
    return [] if signed else list(SIGNATORIES)


def can_sign(user: Any, change_request: ChangeRequest, approvals: list[ChangeRequestApproval]) -> bool:
    """Whether ``user`` may approve now (uses the approvals the caller already loaded)."""
    project = change_request.project
    capacity = signing_capacity(user, project)
    if capacity is None or change_request.status != ChangeRequestStatus.PROPOSED:
        return False
    if project.status in CLOSED_STATUSES:
        return False
    return all(approval.user_id != user.pk and approval.capacity != capacity for approval in approvals)


def can_reject(user: Any, change_request: ChangeRequest) -> bool:
    return (
        change_request.status == ChangeRequestStatus.PROPOSED
        and signing_capacity(user, change_request.project) is not None
    )


# --- Input -----------------------------------------------------------------------------------------
def _clean_text(value: Any, *, field: str, limit: int, required: str = "") -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError(
            {
                field: gettext("Keep it under %(limit)s characters (now %(length)s).")
                % {"limit": limit, "length": len(text)}
            }
        )
    return text


def _clean_cost(value: Any) -> Decimal:
    if value is None or str(value).strip() == "":
        return Decimal("0.00")
    try:
        cost = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"cost_impact": gettext("Enter the cost impact as an amount, e.g. 2500.00 or -800.")})
    if not cost.is_finite() or abs(cost) > CHANGE_COST_LIMIT:
        raise ValidationError(
            {
                "cost_impact": gettext("The cost impact is between -%(limit)s and %(limit)s.")
                % {"limit": CHANGE_COST_LIMIT}
            }
        )
    if cost != cost.quantize(Decimal("0.01")):
        raise ValidationError({"cost_impact": gettext("Use at most two decimal places.")})
    return cost.quantize(Decimal("0.01"))


def _clean_days(value: Any) -> int:
    if value is None or str(value).strip() == "":
        return 0
    if isinstance(value, bool):
        raise ValidationError({"schedule_impact_days": gettext("Enter the schedule impact as a whole number of days.")})
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValidationError({"schedule_impact_days": gettext("Enter the schedule impact as a whole number of days.")})
    if abs(days) > CHANGE_SCHEDULE_LIMIT_DAYS:
        raise ValidationError(
            {
                "schedule_impact_days": gettext("The schedule impact is between -%(limit)s and %(limit)s days.")
                % {"limit": CHANGE_SCHEDULE_LIMIT_DAYS}
            }
        )
    return days


def _clean_change(data: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, clean in (
        ("title", lambda v: _clean_text(v, field="title", limit=TITLE_MAX, required=gettext("Name the change."))),
        ("description", lambda v: _clean_text(v, field="description", limit=DESCRIPTION_MAX)),
        ("cost_impact", _clean_cost),
        ("schedule_impact_days", _clean_days),
    ):
        try:
            cleaned[field] = clean(data.get(field))
        except ValidationError as error:
            errors.update({key: value[0] for key, value in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _rolled_forward(project: Project, change_request: ChangeRequest) -> tuple[Decimal, datetime.date | None]:
    """The budget and planned end after the change, or a domain error when they would be impossible."""
    budget = project.budget + change_request.cost_impact
    if budget < 0:
        raise TransitionNotAllowed(
            gettext("Approving would bring the budget below zero (%(budget)s).") % {"budget": format_money(budget)},
            code="budget_out_of_range",
        )
    if budget > BUDGET_LIMIT:
        raise TransitionNotAllowed(
            gettext("Approving would bring the budget beyond what can be recorded."), code="budget_out_of_range"
        )
    end = project.planned_end
    if end is not None and change_request.schedule_impact_days:
        try:
            end = end + datetime.timedelta(days=change_request.schedule_impact_days)
        except OverflowError:
            raise TransitionNotAllowed(
                gettext("Approving would move the end date out of range."), code="end_out_of_range"
            )
        if project.planned_start is not None and end < project.planned_start:
            raise TransitionNotAllowed(
                gettext("Approving would move the planned end (%(end)s) before the start (%(start)s).")
                % {"end": date_format(end, "d M Y"), "start": date_format(project.planned_start, "d M Y")},
                code="end_before_start",
            )
    return budget, end


def _describe(change_request: ChangeRequest) -> str:
    parts = []
    if change_request.cost_impact:
        parts.append(format_money(change_request.cost_impact, signed=True))
    if change_request.schedule_impact_days:
        parts.append(gettext("%(days)s days") % {"days": f"{change_request.schedule_impact_days:+d}"})
    if not parts:
        return gettext("%(title)s (no cost or schedule impact)") % {"title": change_request.title}
    return gettext("%(title)s (%(impact)s)") % {"title": change_request.title, "impact": ", ".join(parts)}


def _parties(project: Project) -> list[Any]:
    return [project.pm, project.sales_liaison]


def _lock(change_request: ChangeRequest | int) -> tuple[Project, ChangeRequest]:
    pk = getattr(change_request, "pk", change_request)
    project_id = ChangeRequest.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise ChangeRequest.DoesNotExist("No such change request")
    project = Project.objects.select_for_update().select_related("pm", "sales_liaison").get(pk=project_id)
    locked = ChangeRequest.objects.select_for_update().get(pk=pk)
    locked.project = project
    return project, locked


# --- Writes -----------------------------------------------------------------------------------------
@transaction.atomic
def change_request_raise(*, project: Project, actor: Any, data: dict[str, Any]) -> ChangeRequest:
    """Propose a change (title, description, cost impact, schedule impact in days)."""
    project = Project.objects.select_for_update().select_related("pm", "sales_liaison").get(pk=project.pk)
    if signing_capacity(actor, project) is None and not getattr(actor, "is_manager", False):
        raise PermissionDenied(
            gettext("Only the project's PM, its sales liaison or a manager can raise a change request.")
        )
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            gettext("This project is %(status)s; it takes no more change requests.")
            % {"status": in_sentence(project.get_status_display())},
            status=project.status,
        )
    cleaned = _clean_change(data)
    change_request = ChangeRequest.objects.create(project=project, raised_by=actor, **cleaned)
    log_activity(
        actor=actor,
        verb="change_request_raised",
        target=project,
        changes={"change_request": (None, _describe(change_request))},
    )
    # The amount and the wording of the impact are the reader's (SPEC §7.6): described again per recipient.
    placeholders = {"actor": actor.full_name, "change": later(_describe, change_request)}
    if change_request.needs_two_signatures:
        body = gettext_lazy("%(actor)s raised “%(change)s”. It needs the signature of the PM and the sales liaison.")
    else:
        body = gettext_lazy("%(actor)s raised “%(change)s”. It needs the signature of the PM or the sales liaison.")
    notify(
        event=Event.CHANGE_REQUEST_RAISED,
        recipients=_parties(project),
        target=change_request,
        actor=actor,
        title=deferred(
            gettext_lazy("Change request on %(project)s: %(title)s"), project=project.name, title=change_request.title
        ),
        body=deferred(body, **placeholders),
    )
    return change_request


@transaction.atomic
def change_request_approve(*, change_request: ChangeRequest | int, actor: Any, comment: str = "") -> ChangeRequest:
    """Sign a proposed change as its PM or sales liaison; the last needed signature approves it."""
    comment = _clean_text(comment, field="comment", limit=COMMENT_MAX)
    project, change_request = _lock(change_request)
    capacity = signing_capacity(actor, project)
    if capacity is None:
        raise PermissionDenied(gettext("Only the project's PM and its sales liaison sign its change requests."))
    if ChangeRequestStatus.APPROVED not in CHANGE_REQUEST_TRANSITIONS[change_request.status]:
        raise TransitionNotAllowed(
            gettext("This change request is already %(status)s.")
            % {"status": in_sentence(change_request.get_status_display())},
            status=change_request.status,
        )
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            gettext("This project is %(status)s; its changes can no longer be approved.")
            % {"status": in_sentence(project.get_status_display())},
            status=project.status,
        )
    approvals = list(change_request.approvals.select_related("user"))
    for approval in approvals:
        if approval.user_id == actor.pk:
            # Four eyes (SPEC §7.2): the second signature comes from another person, whatever their roles.
            raise FourEyes(
                gettext(
                    "You already signed this change request on %(date)s; the other signature must come "
                    "from someone else (four eyes)."
                )
                % {"date": date_format(timezone.localtime(approval.created_at), "d M Y")}
            )
        if approval.capacity == capacity:
            raise DomainError(
                gettext("%(person)s already signed as %(capacity)s.")
                % {"person": approval.user.full_name, "capacity": in_sentence(approval.get_capacity_display())},
                code="already_signed",
            )
    signed = {approval.capacity for approval in approvals} | {capacity}
    complete = all(needed in signed for needed in needed_capacities(change_request))
    if complete:
        # Refuse before writing anything: an impossible budget or end date keeps the change proposed.
        budget, end = _rolled_forward(project, change_request)
    try:
        with transaction.atomic():
            approval = ChangeRequestApproval.objects.create(
                change_request=change_request, user=actor, capacity=capacity, comment=comment
            )
    except IntegrityError:  # the constraint backs the checks above
        raise DomainError(gettext("This change request already carries that signature."), code="already_signed")
    if not complete:
        log_activity(
            actor=actor,
            verb="change_request_signed",
            target=project,
            changes={"signature": (None, f"{actor.full_name} ({approval.get_capacity_display().lower()})")},
            message=change_request.title,
        )
        return change_request
    changes: dict[str, tuple[Any, Any]] = {
        "change_request": (ChangeRequestStatus.PROPOSED, ChangeRequestStatus.APPROVED)
    }
    if budget != project.budget:
        changes["budget"] = (project.budget, budget)
    if end != project.planned_end:
        changes["planned_end"] = (project.planned_end, end)
    change_request.status = ChangeRequestStatus.APPROVED
    change_request.decided_at = timezone.now()
    change_request.decision_comment = comment
    change_request.save(update_fields=["status", "decided_at", "decision_comment"])
    if budget != project.budget or end != project.planned_end:
        project.budget, project.planned_end = budget, end
        bump_version(project)
        project.save(update_fields=["budget", "planned_end", "version", "updated_at"])
    log_activity(
        actor=actor, verb="change_request_approved", target=project, changes=changes, message=_describe(change_request)
    )
    _notify_decided(change_request, project, actor)
    return change_request


@transaction.atomic
def change_request_reject(*, change_request: ChangeRequest | int, actor: Any, comment: str) -> ChangeRequest:
    """Either signatory rejects a proposed change, saying why."""
    comment = _clean_text(
        comment, field="comment", limit=COMMENT_MAX, required=gettext("Say why the change is rejected.")
    )
    project, change_request = _lock(change_request)
    if signing_capacity(actor, project) is None:
        raise PermissionDenied(gettext("Only the project's PM and its sales liaison can reject its change requests."))
    if ChangeRequestStatus.REJECTED not in CHANGE_REQUEST_TRANSITIONS[change_request.status]:
        raise TransitionNotAllowed(
            gettext("This change request is already %(status)s.")
            % {"status": in_sentence(change_request.get_status_display())},
            status=change_request.status,
        )
    change_request.status = ChangeRequestStatus.REJECTED
    change_request.decided_at = timezone.now()
    change_request.decision_comment = comment
    change_request.save(update_fields=["status", "decided_at", "decision_comment"])
    log_activity(
        actor=actor,
        verb="change_request_rejected",
        target=project,
        changes={"change_request": (ChangeRequestStatus.PROPOSED, ChangeRequestStatus.REJECTED)},
        message=f"{change_request.title}: {comment}",
    )
    _notify_decided(change_request, project, actor)
    return change_request


def _notify_decided(change_request: ChangeRequest, project: Project, actor: Any) -> None:
    # Amounts, dates and the impact's wording in each recipient's language (SPEC §7.6).
    placeholders = {
        "actor": actor.full_name,
        "change": later(_describe, change_request),
        "title": change_request.title,
        "budget": later(format_money, project.budget),
        "end": deferred_date(project.planned_end, "d M Y") if project.planned_end else gettext_lazy("not set"),
    }
    if change_request.status == ChangeRequestStatus.APPROVED:
        title = deferred(gettext_lazy("Change request approved: %(title)s"), **placeholders)
        message = deferred(
            gettext_lazy("%(actor)s approved “%(change)s”. The budget is now %(budget)s, the planned end %(end)s."),
            **placeholders,
        )
    else:
        title = deferred(gettext_lazy("Change request rejected: %(title)s"), **placeholders)
        message = deferred(gettext_lazy("%(actor)s rejected “%(change)s”."), **placeholders)
    comment = change_request.decision_comment

    def body() -> str:
        return f"{message}\n\n{comment}" if comment else str(message)

    notify(
        event=Event.CHANGE_REQUEST_DECIDED,
        recipients=_parties(project),
        target=change_request,
        actor=actor,
        title=title,
        body=body,
    )
