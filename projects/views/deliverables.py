"""Deliverables and commitments on the project page: add and submit inline, edit and record the client's
decision in a modal, move a commitment's status with a one-line form. Same pattern as the change requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import add_service_errors, errors_text
from core.htmx import is_fragment
from projects.forms import DecisionForm, DeliverableForm
from projects.models import CommitmentStatus, Deliverable, DeliverableStatus, Project, ProjectCommitment
from projects.services import deliverables as deliverable_services
from projects.services.projects import can_edit_project
from projects.views.sections import close_modal, load_project, modal_form, render_section

SECTION = "projects/_deliverables.html"
COMMITMENTS = "projects/_commitments.html"


# --- Context for the project page ---------------------------------------------------------------------------
def deliverable_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The deliverables with their overdue flag, from the prefetched rows (no query)."""
    user = request.user
    today = timezone.localdate()
    deliverables = list(project.deliverables.all())
    for deliverable in deliverables:
        deliverable.overdue = deliverable_services.is_overdue(deliverable, today)
    can_manage = deliverable_services.can_manage_deliverables(user, project)
    return {
        "deliverables": deliverables,
        "overdue_count": sum(deliverable.overdue for deliverable in deliverables),
        "can_manage_deliverables": can_manage,
        "can_record_decision": deliverable_services.can_record_decision(user, project),
        "deliverable_form": DeliverableForm() if can_manage else None,
    }


def _deliverable(pk: int) -> Deliverable:
    deliverable = Deliverable.objects.filter(pk=pk).first()
    if deliverable is None:
        raise Http404(_("No such deliverable"))
    return deliverable


def _refuse_unless_pm(request: HttpRequest, project: Project, refusal: str) -> None:
    if not can_edit_project(request.user, project):
        raise PermissionDenied(refusal)


def _section(request: HttpRequest, project_pk: int, **extra: Any) -> HttpResponse:
    return render_section(request, project_pk, SECTION, "deliverables", deliverable_context, **extra)


def commitment_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The commitments with the status choices the user may move each to (no query)."""
    labels = dict(CommitmentStatus.choices)
    commitments = list(project.commitments.all())
    for commitment in commitments:
        commitment.status_choices = [
            (value, labels[value]) for value in deliverable_services.allowed_commitment_statuses(commitment)
        ]
    return {
        "commitments": commitments,
        "can_set_commitments": deliverable_services.can_set_commitment_status(request.user, project),
    }


# --- Deliverables ----------------------------------------------------------------------------------------
@require_POST
def deliverable_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)
    _refuse_unless_pm(request, project, _("Only the project's PM can plan its deliverables."))
    form = DeliverableForm(request.POST)
    if form.is_valid():
        try:
            deliverable = deliverable_services.deliverable_add(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _section(request, project.pk)
        else:
            messages.success(request, _("Deliverable “%(name)s” added.") % {"name": deliverable.name})
            return _section(request, project.pk)
    if not is_fragment(request):
        messages.error(request, _("Not added: %(errors)s") % {"errors": errors_text(form)})
        return redirect(reverse("projects:detail", args=[project.pk]) + "#deliverables")
    return _section(request, project.pk, deliverable_form=form)


@require_http_methods(["GET", "POST"])
def deliverable_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _deliverable(pk)
    project = load_project(request, deliverable.project_id)
    _refuse_unless_pm(request, project, _("Only the project's PM can edit its deliverables."))
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
                return close_modal(_section(request, project.pk))
            else:
                messages.success(request, _("Deliverable saved."))
                return close_modal(_section(request, project.pk))
    else:
        form = DeliverableForm(initial={"name": deliverable.name, "due": deliverable.due})
    return modal_form(
        request,
        project,
        form,
        title=_("Edit “%(name)s”") % {"name": deliverable.name},
        submit=_("Save deliverable"),
        action=reverse("projects:deliverable_edit", args=[deliverable.pk]),
        target="#deliverables",
    )


@require_POST
def deliverable_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _deliverable(pk)
    project = load_project(request, deliverable.project_id)
    _refuse_unless_pm(request, project, _("Only the project's PM can submit its deliverables."))
    try:
        deliverable = deliverable_services.deliverable_submit(deliverable=deliverable, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(name)s” submitted to the client.") % {"name": deliverable.name})
    return _section(request, project.pk)


@require_http_methods(["GET", "POST"])
def deliverable_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the client's acceptance or rejection (the PM or the sales liaison)."""
    deliverable = _deliverable(pk)
    project = load_project(request, deliverable.project_id)
    if not deliverable_services.can_record_decision(request.user, project):
        raise PermissionDenied(_("Only the project's PM or its sales liaison records the client's decisions."))
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
            return close_modal(_section(request, project.pk))
        else:
            if deliverable.status == DeliverableStatus.ACCEPTED:
                text = _("Recorded: %(contact)s accepted “%(name)s”.")
            else:
                text = _("Recorded: %(contact)s rejected “%(name)s”.")
            messages.success(request, text % {"contact": deliverable.decided_by.name, "name": deliverable.name})
            return close_modal(_section(request, project.pk))
    return modal_form(
        request,
        project,
        form,
        title=_("The client's decision on “%(name)s”") % {"name": deliverable.name},
        submit=_("Record the decision"),
        action=reverse("projects:deliverable_decide", args=[deliverable.pk]),
        target="#deliverables",
        intro=_("The PM and the sales liaison are told of the decision."),
    )


# --- Commitments -----------------------------------------------------------------------------------------
@require_POST
def commitment_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = ProjectCommitment.objects.filter(pk=pk).first()
    if commitment is None:
        raise Http404(_("No such commitment"))
    project = load_project(request, commitment.project_id)
    _refuse_unless_pm(request, project, _("Only the project's PM can change the status of its commitments."))
    try:
        commitment = deliverable_services.commitment_set_status(
            commitment=commitment, actor=request.user, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(text)s” is now %(status)s.")
            % {"text": commitment.text[:60], "status": commitment.get_status_display().lower()},
        )
    return render_section(request, project.pk, COMMITMENTS, "commitments", commitment_context)
