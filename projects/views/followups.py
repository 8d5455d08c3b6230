"""Follow-up opportunities on the project page and on the account owner's home page.

Thin: every write is one service call. An htmx POST answers with the part that
changed (the project's follow-up section, or the one follow-up) and the
messages out of band; a plain POST redirects with a message (PRG). A
conversion sends the browser to the new draft offer.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.forms import add_service_errors, errors_text
from core.htmx import is_fragment, redirect_after
from projects.forms import DismissForm, FollowUpForm
from projects.models import FollowUp, Project
from projects.selectors import follow_ups_visible_to, project_follow_ups
from projects.services.followups import (
    can_raise_follow_up,
    follow_up_convert,
    follow_up_dismiss,
    follow_up_raise,
    is_account_owner,
)
from projects.views.sections import load_project, render_project_panel


def follow_up_panel(user: Any, project: Project, form: FollowUpForm | None = None) -> dict[str, Any]:
    """What the project page's follow-up section shows this user: one query."""
    can_raise = can_raise_follow_up(user, project)
    return {
        "project": project,
        "follow_ups": project_follow_ups(project),
        "can_raise": can_raise,
        "can_decide": is_account_owner(user, project),
        "form": (form or FollowUpForm()) if can_raise else None,
    }


@require_GET
def follow_up_section_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page's follow-up section, loaded after the page: session, user, project, follow-ups."""
    project = load_project(request, pk)
    context = {"panel": follow_up_panel(request.user, project), "oob_messages": False}
    return render_project_panel(
        request, project, "projects/_follow_ups.html", context, title=_("Follow-up opportunities")
    )


def _follow_up(request: HttpRequest, pk: int) -> FollowUp:
    follow_up = follow_ups_visible_to(request.user).select_related("project__client__account_owner").filter(pk=pk)
    found = follow_up.first()
    if found is None:
        raise Http404(_("No such follow-up"))
    return found


@require_POST
def follow_up_raise_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)
    if not can_raise_follow_up(request.user, project):
        raise PermissionDenied(_("Only the project's PM, its sales liaison or a manager can raise a follow-up."))
    back = reverse("projects:detail", args=[project.pk]) + "#follow-ups"
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            follow_up_raise(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Follow-up raised; the account owner is told."))
            if not is_fragment(request):
                return redirect(back)
            project = load_project(request, pk)
            form = FollowUpForm()
    if not is_fragment(request):
        messages.error(request, _("The follow-up was not raised: %(errors)s") % {"errors": errors_text(form)})
        return redirect(back)
    context = {"panel": follow_up_panel(request.user, project, form), "oob_messages": True}
    return render(request, "projects/_follow_ups.html", context)


def _back(request: HttpRequest, follow_up: FollowUp) -> str:
    if request.POST.get("from") == "home":
        return reverse("home") + "#follow-ups"
    return reverse("projects:detail", args=[follow_up.project_id]) + f"#follow-up-{follow_up.pk}"


def _item(request: HttpRequest, follow_up: FollowUp, **extra: Any) -> HttpResponse:
    follow_up = _follow_up(request, follow_up.pk)
    context = {
        "follow_up": follow_up,
        "can_decide": is_account_owner(request.user, follow_up.project),
        "show_project": request.POST.get("from") == "home",
        "origin": "home" if request.POST.get("from") == "home" else "project",
        "oob_messages": True,
        **extra,
    }
    return render(request, "projects/_follow_up.html", context)


@require_POST
def follow_up_convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    try:
        offer = follow_up_convert(follow_up=follow_up, actor=request.user)
    except (DomainError, ValidationError) as error:
        text = error.message if isinstance(error, DomainError) else "; ".join(error.messages)
        messages.error(request, _("Not converted: %(reason)s") % {"reason": text})
        if is_fragment(request):
            return _item(request, follow_up)
        return redirect(_back(request, follow_up))
    messages.success(
        request,
        _("Draft offer “%(title)s” created from the follow-up: complete it and get it ready.") % {"title": offer.title},
    )
    return redirect_after(request, reverse("handoff:offer_detail", args=[offer.pk]))


@require_POST
def follow_up_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    if not is_account_owner(request.user, follow_up.project):
        raise PermissionDenied(_("Only the client's account owner can dismiss a follow-up."))
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            follow_up_dismiss(follow_up=follow_up, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Follow-up “%(title)s” dismissed.") % {"title": follow_up.title})
            if is_fragment(request):
                return _item(request, follow_up)
            return redirect(_back(request, follow_up))
    if is_fragment(request):
        return _item(request, follow_up, dismiss_form=form)
    messages.error(request, _("Not dismissed: %(errors)s") % {"errors": errors_text(form)})
    return redirect(_back(request, follow_up))
