"""Deliverables and commitments on the project page: add and submit inline, edit and record the client's
decision in a modal, move a commitment's status with a one-line form. Same pattern as the change requests."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clients.models import Contact
from core.errors import DomainError
from core.forms import add_service_errors
from handoff.forms import DateInput
from projects.models import CommitmentStatus, Deliverable, DeliverableStatus, Project, ProjectCommitment
from projects.services import deliverables as deliverable_services
from projects.views.changes import close_modal, is_fragment, load_project, modal_form, render_section

SECTION = "projects/_deliverables.html"
COMMITMENTS = "projects/_commitments.html"


# --- Forms -----------------------------------------------------------------------------------------------
class DeliverableForm(forms.Form):
    name = forms.CharField(max_length=deliverable_services.NAME_MAX)
    due = forms.DateField(label="Due date", required=False, widget=DateInput())


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.title})" if obj.title else obj.name


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="The client's decision",
        choices=[(DeliverableStatus.ACCEPTED, "Accepted"), (DeliverableStatus.REJECTED, "Rejected")],
        widget=forms.RadioSelect,
    )
    contact = ContactChoiceField(queryset=Contact.objects.none(), label="Who decided (client contact)")
    decided_on = forms.DateField(
        label="Decided on", required=False, widget=DateInput(), help_text="Leave empty for today."
    )
    reason = forms.CharField(
        label="Reason (required on a rejection)",
        max_length=deliverable_services.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(client_id=project.client_id).order_by("name")

    def decided_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("decided_on")
        if day is None or day == timezone.localdate():
            return None  # now
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


# --- Context for the project page ---------------------------------------------------------------------------
def deliverable_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """Deliverables with their overdue flag and the commitments' status choices, from prefetched rows."""
    user = request.user
    today = timezone.localdate()
    deliverables = list(project.deliverables.all())
    for deliverable in deliverables:
        deliverable.overdue = deliverable_services.is_overdue(deliverable, today)
    can_manage = deliverable_services.can_manage_deliverables(user, project)
    can_set = deliverable_services.can_set_commitment_status(user, project)
    labels = dict(CommitmentStatus.choices)
    commitments = list(project.commitments.all())
    for commitment in commitments:
        commitment.status_choices = [
            (value, labels[value]) for value in deliverable_services.allowed_commitment_statuses(commitment)
        ]
    return {
        "deliverables": deliverables,
        "overdue_count": sum(deliverable.overdue for deliverable in deliverables),
        "can_manage_deliverables": can_manage,
        "can_record_decision": deliverable_services.can_record_decision(user, project),
        "deliverable_form": DeliverableForm() if can_manage else None,
        "commitments": commitments,
        "can_set_commitments": can_set,
    }


def _deliverable(pk: int) -> Deliverable:
    deliverable = Deliverable.objects.filter(pk=pk).first()
    if deliverable is None:
        raise Http404("No such deliverable")
    return deliverable


def _refuse_unless_pm(request: HttpRequest, project: Project, doing: str) -> None:
    from projects.services import can_edit_project

    if not can_edit_project(request.user, project):
        raise PermissionDenied(f"Only the project's PM can {doing}.")


def _errors(form: forms.Form) -> str:
    return "; ".join(str(error) for errors in form.errors.values() for error in errors)


# --- Deliverables ----------------------------------------------------------------------------------------
@require_POST
def deliverable_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)
    _refuse_unless_pm(request, project, "plan its deliverables")
    form = DeliverableForm(request.POST)
    if form.is_valid():
        try:
            deliverable = deliverable_services.deliverable_add(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return render_section(request, project.pk, SECTION, "deliverables")
        else:
            messages.success(request, f"Deliverable “{deliverable.name}” added.")
            return render_section(request, project.pk, SECTION, "deliverables")
    if not is_fragment(request):
        messages.error(request, "Not added: " + _errors(form))
        return redirect(reverse("projects:detail", args=[project.pk]) + "#deliverables")
    return render_section(request, project.pk, SECTION, "deliverables", deliverable_form=form)


@require_http_methods(["GET", "POST"])
def deliverable_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _deliverable(pk)
    project = load_project(request, deliverable.project_id)
    _refuse_unless_pm(request, project, "edit its deliverables")
    if request.method == "POST":
        form = DeliverableForm(request.POST)
        if form.is_valid():
            try:
                deliverable_services.deliverable_edit(
                    deliverable=deliverable, actor=request.user, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return close_modal(render_section(request, project.pk, SECTION, "deliverables"))
            else:
                messages.success(request, "Deliverable saved.")
                return close_modal(render_section(request, project.pk, SECTION, "deliverables"))
    else:
        form = DeliverableForm(initial={"name": deliverable.name, "due": deliverable.due})
    return modal_form(
        request,
        project,
        form,
        title=f"Edit “{deliverable.name}”",
        submit="Save deliverable",
        action=reverse("projects:deliverable_edit", args=[deliverable.pk]),
        target="#deliverables",
    )


@require_POST
def deliverable_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _deliverable(pk)
    project = load_project(request, deliverable.project_id)
    _refuse_unless_pm(request, project, "submit its deliverables")
    try:
        deliverable = deliverable_services.deliverable_submit(deliverable=deliverable, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{deliverable.name}” submitted to the client.")
    return render_section(request, project.pk, SECTION, "deliverables")


@require_http_methods(["GET", "POST"])
def deliverable_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the client's acceptance or rejection (the PM or the sales liaison)."""
    deliverable = _deliverable(pk)
    project = load_project(request, deliverable.project_id)
    if not deliverable_services.can_record_decision(request.user, project):
        raise PermissionDenied("Only the project's PM or its sales liaison records the client's decisions.")
    form = DecisionForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            deliverable = deliverable_services.deliverable_decide(
                deliverable=deliverable,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                contact=form.cleaned_data["contact"],
                reason=form.cleaned_data["reason"],
                decided_at=form.decided_at(),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                field = "decided_on" if field == "decided_at" else field
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            messages.error(request, error.message)
            return close_modal(render_section(request, project.pk, SECTION, "deliverables"))
        else:
            messages.success(
                request,
                f"Recorded: {deliverable.decided_by.name} {deliverable.get_status_display().lower()} "
                f"“{deliverable.name}”.",
            )
            return close_modal(render_section(request, project.pk, SECTION, "deliverables"))
    return modal_form(
        request,
        project,
        form,
        title=f"The client's decision on “{deliverable.name}”",
        submit="Record the decision",
        action=reverse("projects:deliverable_decide", args=[deliverable.pk]),
        target="#deliverables",
        intro="The PM and the sales liaison are told of the decision.",
    )


# --- Commitments -----------------------------------------------------------------------------------------
@require_POST
def commitment_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = ProjectCommitment.objects.filter(pk=pk).first()
    if commitment is None:
        raise Http404("No such commitment")
    project = load_project(request, commitment.project_id)
    _refuse_unless_pm(request, project, "change the status of its commitments")
    try:
        commitment = deliverable_services.commitment_set_status(
            commitment=commitment, actor=request.user, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{commitment.text[:60]}” is now {commitment.get_status_display().lower()}.")
    return render_section(request, project.pk, COMMITMENTS, "commitments")
