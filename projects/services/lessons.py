"""Lessons learned (SPEC §3): what sales should know next time, written once a project is completed.

They are read by client: the client page and the page of every offer of that
client show them, so the next offer starts from what the last project taught.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from core.activity import log_activity
from core.errors import TransitionNotAllowed
from projects.models import LessonLearned, Project, ProjectStatus
from projects.services.followups import is_on_project
from projects.services.projects import in_sentence

TEXT_MAX = 5000


def can_add_lesson(user: Any, project: Project) -> bool:
    """The project's PM, its sales liaison or a manager, once the project is completed."""
    return project.status == ProjectStatus.COMPLETED and is_on_project(user, project)


def _clean_text(text: Any) -> str:
    text = str(text or "").strip()
    if not text:
        raise ValidationError({"text": gettext("Write down what sales should know next time.")})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {
                "text": gettext("At most %(limit)s characters, please (this one has %(length)s).")
                % {"limit": TEXT_MAX, "length": len(text)}
            }
        )
    return text


@transaction.atomic
def lesson_add(*, project: Project, actor: Any, text: str) -> LessonLearned:
    if not is_on_project(actor, project):
        raise PermissionDenied(gettext("Only the project's PM, its sales liaison or a manager can record its lessons."))
    text = _clean_text(text)
    # Locked against a concurrent status change: a lesson belongs to a completed project.
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != ProjectStatus.COMPLETED:
        raise TransitionNotAllowed(
            gettext("This project is %(status)s; lessons are recorded once it is completed.")
            % {"status": in_sentence(project.get_status_display())},
            status=project.status,
        )
    lesson = LessonLearned.objects.create(project=project, client_id=project.client_id, text=text, author=actor)
    log_activity(
        actor=actor,
        verb="lesson_added",
        target=project,
        changes={"lesson": (None, lesson.text[:200])},
        message=lesson.text[:200],
    )
    return lesson
