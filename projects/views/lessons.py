"""Lessons learned on the project page: the list, and the add form once the project is completed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import add_service_errors
from projects.models import Project
from projects.selectors import project_get
from projects.services.followups import is_on_project
from projects.services.lessons import TEXT_MAX, can_add_lesson, lesson_add


class LessonForm(forms.Form):
    text = forms.CharField(
        label="What should sales know next time?", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "lesson_%s")  # unique ids beside the page's other forms
        super().__init__(*args, **kwargs)


def lesson_panel(user: Any, project: Project, form: LessonForm | None = None) -> dict[str, Any]:
    """What the project page's lessons section shows this user (uses the prefetched lessons)."""
    can_add = can_add_lesson(user, project)
    return {
        "project": project,
        "lessons": list(project.lessons.all()),
        "can_add": can_add,
        "form": (form or LessonForm()) if can_add else None,
    }


def _is_fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _project(request: HttpRequest, pk: int) -> Project:
    try:
        return project_get(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise Http404("No such project")


@require_POST
def lesson_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not is_on_project(request.user, project):
        raise PermissionDenied("Only the project's PM, its sales liaison or a manager can record its lessons.")
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
            messages.success(request, "Lesson recorded: it shows on the client's page and its new offers.")
            if not _is_fragment(request):
                return redirect(back)
            project = _project(request, pk)
            form = LessonForm()
    if not _is_fragment(request):
        messages.error(request, "Not recorded: " + "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    # A refused add on a project that is not completed: show the message, there is no form to keep.
    panel = lesson_panel(request.user, project, form)
    if panel["form"] is None and form.errors:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return render(request, "projects/_lessons.html", {"panel": panel, "oob_messages": True})
