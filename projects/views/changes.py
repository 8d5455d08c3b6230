"""Change requests on the project page: raise inline, sign or reject in a modal (htmx), PRG without JavaScript.

Every write is one call of ``projects.services.changes``. An htmx request gets
the change-request section back, with the sold-vs-now table, the timeline and
the messages swapped out of band (an approval moves the budget and the end
date); a plain POST redirects to the project page with a message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from core.errors import DomainError
from core.forms import add_service_errors
from projects.models import (
    CHANGE_COST_LIMIT,
    CHANGE_SCHEDULE_LIMIT_DAYS,
    ChangeRequest,
    Project,
    SignatureCapacity,
)
from projects.selectors import project_get
from projects.services import changes as change_services


# --- Forms ---------------------------------------------------------------------------------------------
class ChangeRequestForm(forms.Form):
    title = forms.CharField(max_length=change_services.TITLE_MAX)
    description = forms.CharField(
        max_length=change_services.DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cost_impact = forms.DecimalField(
        label="Cost impact",
        max_digits=14,
        decimal_places=2,
        min_value=-CHANGE_COST_LIMIT,
        max_value=CHANGE_COST_LIMIT,
        initial=Decimal("0"),
        help_text="Negative when the change saves money. Any cost needs both the PM's and the sales liaison's signature.",
    )
    schedule_impact_days = forms.IntegerField(
        label="Schedule impact (days)",
        min_value=-CHANGE_SCHEDULE_LIMIT_DAYS,
        max_value=CHANGE_SCHEDULE_LIMIT_DAYS,
        initial=0,
        help_text="Days the planned end moves (negative: earlier).",
    )


class SignForm(forms.Form):
    comment = forms.CharField(
        max_length=change_services.COMMENT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectForm(forms.Form):
    comment = forms.CharField(
        label="Why is it rejected?", max_length=change_services.COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Helpers shared with the deliverable views -------------------------------------------------------
def is_fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def load_project(request: HttpRequest, pk: int) -> Project:
    try:
        return project_get(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise Http404("No such project")


def render_section(request: HttpRequest, project_pk: int, template: str, anchor: str, **extra: Any) -> HttpResponse:
    """The section after a change (htmx, with out-of-band updates), or the project page after PRG."""
    if not is_fragment(request):
        return redirect(reverse("projects:detail", args=[project_pk]) + f"#{anchor}")
    from projects.views import _detail_context

    project = load_project(request, project_pk)
    context = {**_detail_context(request, project), **extra, "oob": True}
    return render(request, template, context)


def close_modal(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, "closeModal")


def modal_form(
    request: HttpRequest,
    project: Project,
    form: forms.Form,
    *,
    title: str,
    submit: str,
    action: str,
    target: str,
    **extra,
) -> HttpResponse:
    """A small form in the modal (htmx) or on a page of its own; an invalid htmx POST goes back into the modal."""
    context = {
        "project": project,
        "form": form,
        "title": title,
        "submit": submit,
        "action": action,
        "target": target,
        **extra,
    }
    if not is_fragment(request):
        return render(request, "projects/_change_form_page.html", {**context, "in_page": True})
    response = render(request, "projects/_change_form_modal.html", context)
    if request.method == "POST":
        response = reswap(retarget(response, "#modal-body"), "innerHTML")
    return response


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
        raise Http404("No such change request")
    return change_request


SECTION = "projects/_change_requests.html"


# --- Views -----------------------------------------------------------------------------------------------
@require_POST
def change_request_raise_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)
    if change_services.signing_capacity(request.user, project) is None and not request.user.is_manager:
        raise PermissionDenied("Only the project's PM, its sales liaison or a manager can raise a change request.")
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
            return render_section(request, project.pk, SECTION, "change-requests")
        else:
            messages.success(request, f"Change request “{change_request.title}” raised.")
            return render_section(request, project.pk, SECTION, "change-requests")
    if not is_fragment(request):
        messages.error(request, "Not raised: " + "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(reverse("projects:detail", args=[project.pk]) + "#change-requests")
    return render_section(request, project.pk, SECTION, "change-requests", change_form=form, change_form_open=True)


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    change_request = _change_request(request, pk)
    project = load_project(request, change_request.project_id)
    change_request.project = project
    if change_services.signing_capacity(request.user, project) is None:
        raise PermissionDenied("Only the project's PM and its sales liaison sign or reject its change requests.")
    form_class = SignForm if approve else RejectForm
    action = reverse("projects:change_request_approve" if approve else "projects:change_request_reject", args=[pk])
    title = f"{'Approve' if approve else 'Reject'} “{change_request.title}”"
    if not approve:
        intro = "The change request is closed as rejected; the PM and the sales liaison are told."
    elif change_request.needs_two_signatures:
        intro = "Your signature is recorded with your name and the time. This change has a cost impact: it is "
        intro += "approved once both the PM and the sales liaison signed."
    else:
        intro = "Your signature is recorded with your name and the time. This change costs nothing: one signature "
        intro += "approves it."
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
            return close_modal(render_section(request, project.pk, SECTION, "change-requests"))
        else:
            if not approve:
                messages.success(request, f"“{change_request.title}” rejected.")
            elif change_request.status == "approved":
                messages.success(
                    request, f"“{change_request.title}” approved: the budget and the planned end now include it."
                )
            else:
                messages.success(request, f"You signed “{change_request.title}”; it waits for the other signature.")
            return close_modal(render_section(request, project.pk, SECTION, "change-requests"))
    return modal_form(
        request,
        project,
        form,
        title=title,
        submit="Sign and approve" if approve else "Reject the change",
        action=action,
        target="#change-requests",
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
