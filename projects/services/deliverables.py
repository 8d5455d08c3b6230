"""Deliverables the client approves, and the fate of the commitments made during the sale (SPEC §3).

Deliverables: the PM plans, edits and submits them; the client accepts or
rejects a submitted one, and the PM or the sales liaison records which client
contact decided, when, and why on a rejection. A rejected deliverable is
reworked and submitted again. The sales liaison is told of every decision.

Commitments: the PM moves each through open / kept / at risk / renegotiated /
broken. Kept and broken are outcomes: final.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from clients.models import Contact
from core.activity import log_activity
from core.errors import TransitionNotAllowed
from core.i18n import deferred, deferred_date
from notifications.events import Event
from notifications.services import notify
from projects.actors import is_client_actor
from projects.models import (
    DELIVERABLE_TRANSITIONS,
    CommitmentStatus,
    Deliverable,
    DeliverableStatus,
    Project,
    ProjectCommitment,
    ProjectStatus,
)
from projects.services.projects import CLOSED_STATUSES, can_edit_project, in_sentence

NAME_MAX, REASON_MAX = 200, 2000
DECISIONS = (DeliverableStatus.ACCEPTED, DeliverableStatus.REJECTED)

COMMITMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CommitmentStatus.OPEN: (
        CommitmentStatus.KEPT,
        CommitmentStatus.AT_RISK,
        CommitmentStatus.RENEGOTIATED,
        CommitmentStatus.BROKEN,
    ),
    CommitmentStatus.AT_RISK: (
        CommitmentStatus.OPEN,
        CommitmentStatus.KEPT,
        CommitmentStatus.RENEGOTIATED,
        CommitmentStatus.BROKEN,
    ),
    CommitmentStatus.RENEGOTIATED: (CommitmentStatus.KEPT, CommitmentStatus.AT_RISK, CommitmentStatus.BROKEN),
    CommitmentStatus.KEPT: (),
    CommitmentStatus.BROKEN: (),
}
OPEN_PROJECT_STATUSES = [status for status in ProjectStatus.values if status not in CLOSED_STATUSES]
# What the sales liaison must hear about on their home page.
TROUBLED_COMMITMENTS = (CommitmentStatus.AT_RISK, CommitmentStatus.BROKEN)


# --- Who may do what ------------------------------------------------------------------------------------
def can_manage_deliverables(user: Any, project: Project) -> bool:
    """Planning, editing and submitting deliverables belongs to the project's PM."""
    return can_edit_project(user, project) and project.status not in CLOSED_STATUSES


def can_record_decision(user: Any, project: Project) -> bool:
    """The client tells the PM or the sales liaison; either records the decision."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return can_edit_project(user, project) or project.sales_liaison_id == user.pk


def can_set_commitment_status(user: Any, project: Project) -> bool:
    return can_edit_project(user, project) and project.status not in CLOSED_STATUSES


def is_overdue(deliverable: Deliverable, today: datetime.date | None = None) -> bool:
    """Due in the past and not accepted by the client."""
    today = today or timezone.localdate()
    return deliverable.due is not None and deliverable.due < today and deliverable.status != DeliverableStatus.ACCEPTED


def allowed_commitment_statuses(commitment: ProjectCommitment) -> list[str]:
    return [commitment.status, *COMMITMENT_TRANSITIONS.get(commitment.status, ())]


# --- Reads -----------------------------------------------------------------------------------------
def troubled_commitments_for_liaison(*, user: Any) -> QuerySet[ProjectCommitment]:
    """Commitments at risk or broken on the open projects ``user`` is the sales liaison of (their home page)."""
    if not getattr(user, "is_authenticated", False):
        return ProjectCommitment.objects.none()
    return (
        ProjectCommitment.objects.filter(
            project__sales_liaison=user, status__in=TROUBLED_COMMITMENTS, project__status__in=OPEN_PROJECT_STATUSES
        )
        .select_related("project", "project__client", "project__pm")
        .order_by("-status", "due", "id")
    )


# --- Input -------------------------------------------------------------------------------------------
def _clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValidationError({"name": gettext("Name the deliverable.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": gettext("Keep the name under %(limit)s characters.") % {"limit": NAME_MAX}})
    return name


def _clean_due(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({"due": gettext("Give the due date as a date (YYYY-MM-DD).")})
    return value


def _clean_deliverable(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, clean in (("name", _clean_name), ("due", _clean_due)):
        if partial and field not in data:
            continue
        try:
            cleaned[field] = clean(data.get(field))
        except ValidationError as error:
            errors.update({key: value[0] for key, value in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock_project(project: Project | int) -> Project:
    pk = getattr(project, "pk", project)
    return Project.objects.select_for_update().select_related("pm", "sales_liaison", "client").get(pk=pk)


def _lock_deliverable(deliverable: Deliverable | int) -> tuple[Project, Deliverable]:
    pk = getattr(deliverable, "pk", deliverable)
    project_id = Deliverable.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise Deliverable.DoesNotExist("No such deliverable")
    project = _lock_project(project_id)
    locked = Deliverable.objects.select_for_update().get(pk=pk)
    locked.project = project
    return project, locked


def _ensure_pm(actor: Any, project: Project, refusal: str) -> None:
    if not can_edit_project(actor, project):
        raise PermissionDenied(refusal)
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            gettext("This project is %(status)s; its deliverables can no longer change.")
            % {"status": in_sentence(project.get_status_display())},
            status=project.status,
        )


def _refuse_move(deliverable: Deliverable, to: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        gettext("A deliverable that is %(status)s cannot become %(new_status)s.")
        % {
            "status": in_sentence(deliverable.get_status_display()),
            "new_status": in_sentence(DeliverableStatus(to).label),
        },
        status=deliverable.status,
    )


# --- Deliverables -------------------------------------------------------------------------------------
@transaction.atomic
def deliverable_add(*, project: Project, actor: Any, name: str, due: datetime.date | None = None) -> Deliverable:
    project = _lock_project(project)
    _ensure_pm(actor, project, gettext("Only the project's PM can plan its deliverables."))
    cleaned = _clean_deliverable({"name": name, "due": due}, partial=False)
    deliverable = Deliverable.objects.create(project=project, **cleaned)
    log_activity(
        actor=actor,
        verb="deliverable_added",
        target=project,
        changes={"deliverable": (None, deliverable.name)},
        message=gettext("Due %(date)s") % {"date": date_format(deliverable.due, "d M Y")} if deliverable.due else "",
    )
    return deliverable


@transaction.atomic
def deliverable_edit(*, deliverable: Deliverable | int, actor: Any, data: dict[str, Any]) -> Deliverable:
    """Rename or reschedule a deliverable the client has not accepted yet."""
    project, deliverable = _lock_deliverable(deliverable)
    _ensure_pm(actor, project, gettext("Only the project's PM can edit its deliverables."))
    cleaned = _clean_deliverable(data, partial=True)
    if deliverable.status == DeliverableStatus.ACCEPTED:
        raise TransitionNotAllowed(
            gettext("The client accepted this deliverable; it can no longer be changed."), status=deliverable.status
        )
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in cleaned.items():
        if getattr(deliverable, field) != value:
            changes[f"deliverable.{field}"] = (getattr(deliverable, field), value)
            setattr(deliverable, field, value)
    if not changes:
        return deliverable
    deliverable.save(update_fields=list(cleaned))
    log_activity(actor=actor, verb="deliverable_edited", target=project, changes=changes, message=deliverable.name)
    return deliverable


@transaction.atomic
def deliverable_submit(*, deliverable: Deliverable | int, actor: Any) -> Deliverable:
    """Planned (or reworked after a rejection) → submitted to the client."""
    project, deliverable = _lock_deliverable(deliverable)
    _ensure_pm(actor, project, gettext("Only the project's PM can submit its deliverables."))
    if DeliverableStatus.SUBMITTED not in DELIVERABLE_TRANSITIONS[deliverable.status]:
        raise _refuse_move(deliverable, DeliverableStatus.SUBMITTED)
    before = deliverable.status
    deliverable.status = DeliverableStatus.SUBMITTED
    deliverable.submitted_at = timezone.now()
    # The previous rejection stays in the activity log; the row shows the current round.
    deliverable.decided_by, deliverable.decided_at, deliverable.rejection_reason = None, None, ""
    deliverable.decided_via_link = False
    deliverable.save(
        update_fields=["status", "submitted_at", "decided_by", "decided_at", "decided_via_link", "rejection_reason"]
    )
    log_activity(
        actor=actor,
        verb="deliverable_resubmitted" if before == DeliverableStatus.REJECTED else "deliverable_submitted",
        target=project,
        changes={"deliverable.status": (before, deliverable.status)},
        message=deliverable.name,
    )
    return deliverable


def _clean_decision(
    *, project: Project, decision: Any, contact: Any, reason: Any, decided_at: Any
) -> tuple[str, Contact, str, datetime.datetime]:
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = gettext("Choose accepted or rejected.")
    contact_id = getattr(contact, "pk", contact)
    found = None
    if contact_id in (None, ""):
        errors["contact"] = gettext("Say which client contact decided.")
    elif isinstance(contact_id, bool) or not str(contact_id).isdigit():
        errors["contact"] = gettext("Choose a contact of the client.")
    else:
        found = Contact.objects.filter(pk=int(contact_id), client_id=project.client_id).first()
        if found is None:
            errors["contact"] = gettext("Choose a contact of %(client)s.") % {"client": project.client.name}
    reason = str(reason or "").strip()
    if decision == DeliverableStatus.REJECTED and not reason:
        errors["reason"] = gettext("Say why the client rejected the deliverable.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = gettext("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX}
    now = timezone.now()
    if decided_at in (None, ""):
        decided_at = now
    elif not isinstance(decided_at, datetime.datetime):
        errors["decided_at"] = gettext("Give the date and time of the decision.")
    else:
        if timezone.is_naive(decided_at):
            decided_at = timezone.make_aware(decided_at)
        if decided_at > now + datetime.timedelta(minutes=5):
            errors["decided_at"] = gettext("The decision cannot lie in the future.")
    if errors:
        raise ValidationError(errors)
    return decision, found, reason if decision == DeliverableStatus.REJECTED else "", decided_at


@transaction.atomic
def deliverable_decide(
    *,
    deliverable: Deliverable | int,
    actor: Any,
    decision: str,
    contact: Contact | int | None,
    reason: str = "",
    decided_at: datetime.datetime | None = None,
) -> Deliverable:
    """Record the client's acceptance or rejection of a submitted deliverable: who decided, when, and why."""
    project, deliverable = _lock_deliverable(deliverable)
    through_link = is_client_actor(actor)
    if through_link:
        # The contact decides themselves (SPEC §7.5): who and when are theirs, not a choice.
        if not actor.may_act_on(project):
            raise PermissionDenied(gettext("This client link does not give access to this deliverable."))
        contact, decided_at = actor.contact.pk, None
    elif not can_record_decision(actor, project):
        raise PermissionDenied(gettext("Only the project's PM or its sales liaison records the client's decisions."))
    decision, contact, reason, decided_at = _clean_decision(
        project=project, decision=decision, contact=contact, reason=reason, decided_at=decided_at
    )
    if decision not in DELIVERABLE_TRANSITIONS[deliverable.status]:
        if deliverable.status != DeliverableStatus.SUBMITTED:
            raise TransitionNotAllowed(
                gettext(
                    "“%(deliverable)s” is %(status)s, not submitted: the client decides on submitted deliverables only."
                )
                % {"deliverable": deliverable.name, "status": in_sentence(deliverable.get_status_display())},
                status=deliverable.status,
            )
        raise _refuse_move(deliverable, decision)
    if deliverable.submitted_at and decided_at < deliverable.submitted_at - datetime.timedelta(minutes=5):
        raise ValidationError(
            {"decided_at": gettext("The client cannot have decided before the deliverable was submitted.")}
        )
    deliverable.status = decision
    deliverable.decided_by = contact
    deliverable.decided_at = decided_at
    deliverable.rejection_reason = reason
    deliverable.decided_via_link = through_link
    deliverable.save(update_fields=["status", "decided_by", "decided_at", "decided_via_link", "rejection_reason"])
    log_activity(
        actor=actor,
        verb=f"deliverable_{decision}",
        target=project,
        changes={"deliverable.status": (DeliverableStatus.SUBMITTED, decision)},
        message=f"{deliverable.name}: {decision} by {actor.full_name if through_link else contact.name}"
        + (f" — {reason}" if reason else ""),
    )
    placeholders = {
        "contact": contact.name,
        "client": project.client.name,
        "deliverable": deliverable.name,
        "date": deferred_date(decided_at, "d M Y"),
        "recorder": actor.full_name,
    }
    accepted = decision == DeliverableStatus.ACCEPTED

    def body() -> str:
        # Called once per recipient, in their language (SPEC §7.6).
        if accepted and through_link:
            text = gettext("%(contact)s (%(client)s) accepted “%(deliverable)s” on %(date)s, through the client link.")
        elif accepted:
            text = gettext("%(contact)s (%(client)s) accepted “%(deliverable)s” on %(date)s, recorded by %(recorder)s.")
        elif through_link:
            text = gettext("%(contact)s (%(client)s) rejected “%(deliverable)s” on %(date)s, through the client link.")
        else:
            text = gettext("%(contact)s (%(client)s) rejected “%(deliverable)s” on %(date)s, recorded by %(recorder)s.")
        text = text % placeholders
        if reason:
            text += "\n\n" + gettext("Reason: %(reason)s") % {"reason": reason}
        return text

    if accepted:
        title = deferred(gettext_lazy("%(client)s accepted %(deliverable)s"), **placeholders)
    else:
        title = deferred(gettext_lazy("%(client)s rejected %(deliverable)s"), **placeholders)
    notify(
        event=Event.DELIVERABLE_DECIDED,
        recipients=[project.pm, project.sales_liaison],
        target=deliverable,
        actor=actor,
        title=title,
        body=body,
        url=project.get_absolute_url() + f"#deliverable-{deliverable.pk}",
    )
    return deliverable


# --- Commitments ---------------------------------------------------------------------------------------
@transaction.atomic
def commitment_set_status(*, commitment: ProjectCommitment | int, actor: Any, status: str) -> ProjectCommitment:
    """The PM records where a promise made to the client stands."""
    if status not in CommitmentStatus.values:
        raise ValidationError(
            {"status": gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(CommitmentStatus.values)}}
        )
    pk = getattr(commitment, "pk", commitment)
    project_id = ProjectCommitment.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise ProjectCommitment.DoesNotExist("No such commitment")
    project = _lock_project(project_id)
    if not can_edit_project(actor, project):
        raise PermissionDenied(gettext("Only the project's PM can change the status of its commitments."))
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            gettext("This project is %(status)s; its commitments can no longer change.")
            % {"status": in_sentence(project.get_status_display())},
            status=project.status,
        )
    commitment = ProjectCommitment.objects.select_for_update().get(pk=pk)
    commitment.project = project
    if status == commitment.status:
        return commitment
    if status not in COMMITMENT_TRANSITIONS[commitment.status]:
        raise TransitionNotAllowed(
            gettext("This commitment is %(status)s, an outcome that no longer changes.")
            % {"status": in_sentence(commitment.get_status_display())},
            status=commitment.status,
        )
    before = commitment.status
    commitment.status = status
    commitment.save(update_fields=["status", "updated_at"])
    log_activity(
        actor=actor,
        verb="commitment_status_changed",
        target=project,
        changes={"commitment.status": (before, status)},
        message=commitment.text,
    )
    return commitment
