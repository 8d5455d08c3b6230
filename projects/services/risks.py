"""Project risks stay alive (SPEC §7.3): the risks copied from what was sold are the PM's to manage.

The project's PM re-scores a risk (probability, impact 1 to 5), changes its
mitigation and owner, moves it along ``RISK_TRANSITIONS`` (closing needs a
reason) and adds new risks. What was sold stays in ``sold_probability`` and
``sold_impact`` (and in the snapshot, which never changes). A closed project's
risks no longer change, and neither does a closed risk.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.activity import log_activity
from core.errors import TransitionNotAllowed
from handoff.models import RiskCategory
from projects.models import RISK_TRANSITIONS, Project, ProjectRisk, RiskStatus
from projects.services.projects import CLOSED_STATUSES, can_edit_project, in_sentence

TITLE_MAX, MITIGATION_MAX, REASON_MAX = 200, 5000, 2000
SCORE_MIN, SCORE_MAX = 1, 5
SCORES = ("probability", "impact")
OWNER_ID_MAX = 2**63 - 1  # ids are 64-bit; a larger number cannot be compared with the column
EDIT_FIELDS = ("probability", "impact", "mitigation", "owner")


# --- Who may do what (the services enforce it; pages use it to show only the forms that work) ----------
def can_manage_project_risks(user: Any, project: Project) -> bool:
    """The project's PM (holding the role) while the project is open (SPEC §7.3)."""
    return can_edit_project(user, project) and project.status not in CLOSED_STATUSES


def allowed_risk_statuses(risk: ProjectRisk) -> list[str]:
    """The current status and every status the risk may move to from it."""
    return [risk.status, *RISK_TRANSITIONS.get(risk.status, ())]


def _ensure_may_manage(actor: Any, project: Project) -> None:
    if not can_edit_project(actor, project):
        raise PermissionDenied(_("Only the project's PM can manage its risks."))
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            _("This project is %(status)s; its risks can no longer change.")
            % {"status": in_sentence(project.get_status_display())},
            status=project.status,
        )


def _ensure_not_closed(risk: ProjectRisk) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise TransitionNotAllowed(
            _("The risk “%(title)s” is closed; it no longer changes.") % {"title": risk.title}, status=risk.status
        )


# --- Input ------------------------------------------------------------------------------------------------
def clean_risk_score(value: Any, *, label: str) -> int:
    """A whole number from 1 to 5: ``3`` and ``"3"`` pass; ``"x"``, ``3.5``, ``True``, ``0`` and ``6`` do not."""
    message = _("Give the %(label)s as a whole number from %(min)d to %(max)d.") % {
        "label": label,
        "min": SCORE_MIN,
        "max": SCORE_MAX,
    }
    if isinstance(value, bool) or value is None:
        raise ValidationError(message)
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("-").isdigit() or len(value) > 3:
            raise ValidationError(message)
        value = int(value)
    if not isinstance(value, int):
        raise ValidationError(message)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ValidationError(
            _("The %(label)s is from %(min)d (lowest) to %(max)d (highest), not %(value)d.")
            % {"label": label, "min": SCORE_MIN, "max": SCORE_MAX, "value": value}
        )
    return value


def _clean_owner(value: Any) -> User | None:
    if value in (None, ""):
        return None
    owner_id = getattr(value, "pk", value)
    if isinstance(owner_id, bool) or not str(owner_id).isdigit() or int(owner_id) > OWNER_ID_MAX:
        raise ValidationError(_("Choose an active user as the risk's owner."))
    owner = User.objects.filter(pk=int(owner_id), is_active=True).first()
    if owner is None:
        raise ValidationError(_("Choose an active user as the risk's owner."))
    return owner


def _clean_text(value: Any, *, limit: int, field: str) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(_("The %(field)s is text.") % {"field": field})
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(
            _("At most %(limit)d characters, please (this one has %(length)d).") % {"limit": limit, "length": len(text)}
        )
    return text


def _clean_fields(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Clean the ``fields`` present in ``data``; every problem at once, by field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    labels = {"probability": _("probability"), "impact": _("impact")}
    for field in fields:
        if field not in data:
            continue
        try:
            if field in SCORES:
                cleaned[field] = clean_risk_score(data[field], label=labels[field])
            elif field == "owner":
                cleaned[field] = _clean_owner(data[field])
            elif field == "mitigation":
                cleaned[field] = _clean_text(data[field], limit=MITIGATION_MAX, field=_("mitigation"))
            elif field == "title":
                title = _clean_text(data[field], limit=TITLE_MAX, field=_("title"))
                if not title:
                    raise ValidationError(_("Name the risk."))
                cleaned[field] = title
            elif field == "category":
                if data[field] not in RiskCategory.values:
                    raise ValidationError(
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(RiskCategory.values)}
                    )
                cleaned[field] = data[field]
        except ValidationError as error:
            errors[field] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_status(status: Any) -> str:
    if status not in RiskStatus.values:
        raise ValidationError(
            {
                "status": _("Unknown risk status. Choose one of: %(choices)s.")
                % {"choices": ", ".join(RiskStatus.values)}
            }
        )
    return status


def _lock(risk: ProjectRisk | int) -> ProjectRisk:
    """Lock the project first (the order every project write takes), then the risk."""
    pk = getattr(risk, "pk", risk)
    project_id = ProjectRisk.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise ProjectRisk.DoesNotExist("No such project risk")
    project = Project.objects.select_for_update().get(pk=project_id)
    locked = ProjectRisk.objects.select_for_update().get(pk=pk)
    locked.project = project
    return locked


def _summary(risk: ProjectRisk) -> str:
    return f"{risk.title} ({risk.probability}x{risk.impact}={risk.score})"


# --- Add, re-score and edit, change status -------------------------------------------------------------------
@transaction.atomic
def project_risk_add(
    *,
    project: Project,
    actor: Any,
    title: Any,
    probability: Any,
    impact: Any,
    category: Any = RiskCategory.OTHER,
    mitigation: Any = "",
    owner: Any = None,
) -> ProjectRisk:
    """A risk found after the sale: open, not sold (its sold scores stay empty)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _ensure_may_manage(actor, project)
    cleaned = _clean_fields(
        {
            "title": title,
            "category": category or RiskCategory.OTHER,
            "probability": probability,
            "impact": impact,
            "mitigation": mitigation,
            "owner": owner,
        },
        ("title", "category", "probability", "impact", "mitigation", "owner"),
    )
    risk = ProjectRisk.objects.create(project=project, created_by=actor, **cleaned)
    log_activity(
        actor=actor,
        verb="project_risk_added",
        target=project,
        changes={"risk": (None, risk.title), "risk.score": (None, risk.score)},
        message=_summary(risk),
    )
    return risk


@transaction.atomic
def project_risk_update(*, risk: ProjectRisk | int, actor: Any, data: dict[str, Any]) -> ProjectRisk:
    """Re-score (probability, impact) and change the mitigation and the owner of a risk that is not closed."""
    risk = _lock(risk)
    _ensure_may_manage(actor, risk.project)
    cleaned = _clean_fields(data, EDIT_FIELDS)
    _ensure_not_closed(risk)
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in cleaned.items():
        old = getattr(risk, field)
        if old != value:
            changes[f"risk.{field}"] = (old, value)
            setattr(risk, field, value)
    if not changes:
        return risk
    risk.save(update_fields=[*cleaned, "updated_at"])
    rescored = any(field in cleaned for field in SCORES)
    log_activity(
        actor=actor,
        verb="project_risk_rescored" if rescored else "project_risk_updated",
        target=risk.project,
        changes=changes,
        message=_summary(risk),
    )
    return risk


@transaction.atomic
def project_risk_set_status(*, risk: ProjectRisk | int, actor: Any, status: Any, reason: Any = "") -> ProjectRisk:
    """Move a risk along ``RISK_TRANSITIONS``; closing needs a reason, the other moves may give one."""
    status = _clean_status(status)
    risk = _lock(risk)
    _ensure_may_manage(actor, risk.project)
    try:
        reason = _clean_text(reason, limit=REASON_MAX, field=_("reason"))
    except ValidationError as error:
        raise ValidationError({"reason": error.messages[0]})
    if status == risk.status:
        return risk
    if status not in RISK_TRANSITIONS[risk.status]:
        raise TransitionNotAllowed(
            _("A risk that is %(current)s cannot become %(target)s.")
            % {"current": in_sentence(risk.get_status_display()), "target": in_sentence(RiskStatus(status).label)},
            status=risk.status,
        )
    if status == RiskStatus.CLOSED and not reason:
        raise ValidationError({"reason": _("Say why the risk is closed.")})
    before = risk.status
    risk.status = status
    update_fields = ["status", "updated_at"]
    if status == RiskStatus.CLOSED:
        risk.closed_reason, risk.closed_by, risk.closed_at = reason, actor, timezone.now()
        update_fields += ["closed_reason", "closed_by", "closed_at"]
    risk.save(update_fields=update_fields)
    log_activity(
        actor=actor,
        verb=f"project_risk_{status}" if status != RiskStatus.OPEN else "project_risk_reopened",
        target=risk.project,
        changes={"risk.status": (before, status)},
        message=risk.title + (f": {reason}" if reason else ""),
    )
    return risk
