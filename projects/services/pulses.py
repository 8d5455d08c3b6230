"""The client pulse: how the client feels about a project, logged by its team; a low mood alerts sales and managers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from accounts.roles import Role
from core.activity import log_activity
from core.i18n import deferred
from notifications.events import Event
from notifications.services import notify
from projects.actors import is_client_actor
from projects.models import ClientPulse, Project
from projects.services.meetings import is_project_team

PULSE_SCORES = ("mood", "urgency", "satisfaction")
SCORE_LABELS = {
    "mood": gettext_lazy("mood"),
    "urgency": gettext_lazy("urgency"),
    "satisfaction": gettext_lazy("satisfaction"),
}
PULSE_MIN, PULSE_MAX = 1, 5
PULSE_NOTE_MAX = 2000


def can_record_pulse(user: Any, project: Project) -> bool:
    """The project's PM, its sales liaison and managers log pulses (SPEC §2); the client answers through a link."""
    if is_client_actor(user):
        return user.may_act_on(project)
    return is_project_team(user, project)


def clean_score(value: Any, *, label: str) -> int:
    """A whole number from 1 to 5: ``3`` and ``"3"`` pass; ``"x"``, ``3.5``, ``True`` and ``6`` do not."""
    label = str(SCORE_LABELS.get(label, label))
    not_a_number = gettext("Give the %(label)s as a whole number from %(min)s to %(max)s.") % {
        "label": label,
        "min": PULSE_MIN,
        "max": PULSE_MAX,
    }
    if isinstance(value, bool) or value is None:
        raise ValidationError(not_a_number)
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("-").isdigit() or len(value) > 3:
            raise ValidationError(not_a_number)
        value = int(value)
    if not isinstance(value, int):
        raise ValidationError(not_a_number)
    if not PULSE_MIN <= value <= PULSE_MAX:
        raise ValidationError(
            gettext("The %(label)s is from %(min)s (worst) to %(max)s (best), not %(value)s.")
            % {"label": label, "min": PULSE_MIN, "max": PULSE_MAX, "value": value}
        )
    return value


def _clean_pulse(data: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in PULSE_SCORES:
        try:
            cleaned[field] = clean_score(data.get(field), label=field)
        except ValidationError as error:
            errors[field] = error.messages[0]
    note = data.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = gettext("The note is text.")
    else:
        note = note.strip()
        if len(note) > PULSE_NOTE_MAX:
            errors["note"] = gettext("Keep the note under %(limit)s characters (it has %(length)s).") % {
                "limit": PULSE_NOTE_MAX,
                "length": len(note),
            }
        cleaned["note"] = note
    if errors:
        raise ValidationError(errors)
    return cleaned


def _low_pulse_recipients(project: Project) -> list[Any]:
    managers = list(User.objects.with_role(Role.MANAGER).distinct())
    return [project.sales_liaison, *managers]


@transaction.atomic
def pulse_record(
    *, project: Project, actor: Any, mood: Any, urgency: Any, satisfaction: Any, note: Any = ""
) -> ClientPulse:
    """Log a pulse; a mood of ``LOW_MOOD`` or less notifies the sales liaison and every manager."""
    if not can_record_pulse(actor, project):
        raise PermissionDenied(gettext("Only the project's PM, its sales liaison and managers log the client pulse."))
    cleaned = _clean_pulse({"mood": mood, "urgency": urgency, "satisfaction": satisfaction, "note": note})
    # The lock orders the pulse after a concurrent reassignment: the alert goes to who is on the project now.
    project = Project.objects.select_for_update().select_related("client", "pm", "sales_liaison").get(pk=project.pk)
    if not can_record_pulse(actor, project):
        raise PermissionDenied(gettext("Only the project's PM, its sales liaison and managers log the client pulse."))
    through_link = is_client_actor(actor)
    pulse = ClientPulse.objects.create(
        project=project,
        recorded_by=None if through_link else actor,
        given_by_contact=actor.contact if through_link else None,
        **cleaned,
    )
    pulse.project = project
    # Lazy: the activity log reads it in the actor's language, each notification in its recipient's.
    scores = deferred(
        gettext_lazy("mood %(mood)s/5, urgency %(urgency)s/5, satisfaction %(satisfaction)s/5"),
        mood=pulse.mood,
        urgency=pulse.urgency,
        satisfaction=pulse.satisfaction,
    )
    log_activity(
        actor=actor,
        verb="pulse_answered" if through_link else "pulse_recorded",
        target=project,
        message=gettext("Client pulse: %(scores)s") % {"scores": scores} + (f". {pulse.note}" if pulse.note else ""),
    )
    if pulse.is_low:
        notify(
            event=Event.LOW_PULSE,
            recipients=_low_pulse_recipients(project),
            target=pulse,
            actor=actor,
            title=deferred(
                gettext_lazy("Low client mood on %(project)s: %(mood)s/5"), project=project.name, mood=pulse.mood
            ),
            body=_low_pulse_body(pulse, project, actor, through_link=through_link, scores=scores),
        )
    return pulse


def _low_pulse_body(pulse: ClientPulse, project: Project, actor: Any, *, through_link: bool, scores: Any) -> Any:
    """The low-pulse notification's body, worded in each recipient's language (SPEC §7.6)."""

    def body() -> str:
        message = (
            gettext("%(actor)s answered a client pulse for %(project)s (%(client)s): %(scores)s.")
            if through_link
            else gettext("%(actor)s logged a client pulse for %(project)s (%(client)s): %(scores)s.")
        )
        text = message % {
            "actor": actor.full_name,
            "project": project.name,
            "client": project.client.name,
            "scores": scores,
        }
        return text + (f"\n\n“{pulse.note}”" if pulse.note else "")

    return body
