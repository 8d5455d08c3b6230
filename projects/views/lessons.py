"""Lessons learned on the project page: the list, and the add form once the project is completed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.forms import add_service_errors, errors_text
from core.htmx import is_fragment
from projects.forms import LessonForm
from projects.models import Project
from projects.selectors import project_lessons
from projects.services.followups import is_on_project
from projects.services.lessons import can_add_lesson, lesson_add
from projects.views.sections import load_project, render_project_panel


def lesson_panel(user: Any, project: Project, form: LessonForm | None = None) -> dict[str, Any]:
    """What the project page's lessons section shows this user: one query."""
    can_add = can_add_lesson(user, project)
    return {
        "project": project,
        "lessons": project_lessons(project),
        "can_add": can_add,
        "form": (form or LessonForm()) if can_add else None,
    }


@require_GET
def lesson_section_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page's lessons section, loaded after the page: session, user, project, lessons."""
    project = load_project(request, pk)
    context = {"panel": lesson_panel(request.user, project), "oob_messages": False}
    return render_project_panel(request, project, "projects/_lessons.html", context, title=_("Lessons learned"))


@require_POST
def lesson_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)
    if not is_on_project(request.user, project):
        raise PermissionDenied(_("Only the project's PM, its sales liaison or a manager can record its lessons."))
    back = reverse("projects:detail", args=[project.pk]) + "#lessons"
    form = LessonForm(request.POST)
    if form.is_valid():
        try:
            lesson_add(project=project, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Lesson recorded: it shows on the client's page and its new offers."))
            if not is_fragment(request):
                return redirect(back)
            project = load_project(request, pk)
            form = LessonForm()
    if not is_fragment(request):
        messages.error(request, _("Not recorded: %(errors)s") % {"errors": errors_text(form)})
        return redirect(back)
    # A refused add on a project that is not completed: show the message, there is no form to keep.
    panel = lesson_panel(request.user, project, form)
    if panel["form"] is None and form.errors:
        messages.error(request, errors_text(form))
    return render(request, "projects/_lessons.html", {"panel": panel, "oob_messages": True})
