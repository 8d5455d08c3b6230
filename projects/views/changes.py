"""Change requests on the project page: raise inline, sign or reject in a modal (htmx), PRG without JavaScript.

Every write is one call of ``projects.services.changes``. An htmx request gets
the change-request section back, with the sold-vs-now table, the timeline and
the messages swapped out of band (an approval moves the budget and the end
date); a plain POST redirects to the project page with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import add_service_errors, errors_text
from core.htmx import is_fragment
from projects.forms import ChangeRequestForm, RejectForm, SignForm
from projects.models import ChangeRequest, Project, SignatureCapacity
from projects.services import changes as change_services
from projects.views.sections import close_modal, load_project, modal_form, render_section

SECTION = "projects/_change_requests.html"
ANCHOR = "change-requests"


def change_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """What the change-request section needs, from the rows ``project_get`` prefetched (no query)."""
    user = request.user
    labels = dict(SignatureCapacity.choices)
    people = {SignatureCapacity.PM: project.pm, SignatureCapacity.SALES_LIAISON: project.sales_liaison}
    change_requests = list(project.change_requests.all())
    for change_request in change_requests:
        change_request.project = project
        approvals = list(change_request.approvals.all())
        change_request.signatures = approvals
        pending = change_services.pending_capacities(change_request, approvals)
        change_request.pending = [
            {"capacity": labels[capacity], "person": people[capacity].full_name} for capacity in pending
        ]
        change_request.pending_either = bool(pending) and not change_request.needs_two_signatures
        change_request.user_can_sign = change_services.can_sign(user, change_request, approvals)
        change_request.user_can_reject = change_services.can_reject(user, change_request)
    can_raise = change_services.can_raise_change(user, project)
    return {
        "change_requests": change_requests,
        "can_raise_change": can_raise,
        "change_form": ChangeRequestForm() if can_raise else None,
    }


def _change_request(request: HttpRequest, pk: int) -> ChangeRequest:
    change_request = ChangeRequest.objects.select_related("project").filter(pk=pk).first()
    if change_request is None:
        raise Http404(_("No such change request"))
    return change_request


def _section(request: HttpRequest, project_pk: int, **extra: Any) -> HttpResponse:
    return render_section(request, project_pk, SECTION, ANCHOR, change_context, **extra)


# --- Views -----------------------------------------------------------------------------------------------
@require_POST
def change_request_raise_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)
    if change_services.signing_capacity(request.user, project) is None and not request.user.is_manager:
        raise PermissionDenied(_("Only the project's PM, its sales liaison or a manager can raise a change request."))
    form = ChangeRequestForm(request.POST)
    if form.is_valid():
        try:
            change_request = change_services.change_request_raise(
                project=project, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _section(request, project.pk)
        else:
            messages.success(request, _("Change request “%(title)s” raised.") % {"title": change_request.title})
            return _section(request, project.pk)
    if not is_fragment(request):
        messages.error(request, _("Not raised: %(errors)s") % {"errors": errors_text(form)})
        return redirect(reverse("projects:detail", args=[project.pk]) + f"#{ANCHOR}")
    return _section(request, project.pk, change_form=form, change_form_open=True)


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    change_request = _change_request(request, pk)
    project = load_project(request, change_request.project_id)
    change_request.project = project
    if change_services.signing_capacity(request.user, project) is None:
        raise PermissionDenied(_("Only the project's PM and its sales liaison sign or reject its change requests."))
    form_class = SignForm if approve else RejectForm
    action = reverse("projects:change_request_approve" if approve else "projects:change_request_reject", args=[pk])
    if approve:
        title = _("Approve “%(title)s”") % {"title": change_request.title}
    else:
        title = _("Reject “%(title)s”") % {"title": change_request.title}
    if not approve:
        intro = _("The change request is closed as rejected; the PM and the sales liaison are told.")
    elif change_request.needs_two_signatures:
        intro = _(
            "Your signature is recorded with your name and the time. This change has a cost impact: it is "
            "approved once both the PM and the sales liaison signed."
        )
    else:
        intro = _(
            "Your signature is recorded with your name and the time. This change costs nothing: one signature "
            "approves it."
        )
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if approve:
                change_request = change_services.change_request_approve(
                    change_request=change_request, actor=request.user, comment=form.cleaned_data["comment"]
                )
            else:
                change_request = change_services.change_request_reject(
                    change_request=change_request, actor=request.user, comment=form.cleaned_data["comment"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return close_modal(_section(request, project.pk))
        else:
            if not approve:
                messages.success(request, _("“%(title)s” rejected.") % {"title": change_request.title})
            elif change_request.status == "approved":
                messages.success(
                    request,
                    _("“%(title)s” approved: the budget and the planned end now include it.")
                    % {"title": change_request.title},
                )
            else:
                messages.success(
                    request,
                    _("You signed “%(title)s”; it waits for the other signature.") % {"title": change_request.title},
                )
            return close_modal(_section(request, project.pk))
    return modal_form(
        request,
        project,
        form,
        title=title,
        submit=_("Sign and approve") if approve else _("Reject the change"),
        action=action,
        target=f"#{ANCHOR}",
        intro=intro,
        danger=not approve,
        summary=change_request,
    )


@require_http_methods(["GET", "POST"])
def change_request_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@require_http_methods(["GET", "POST"])
def change_request_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
