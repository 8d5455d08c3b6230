"""Project risks on the project page (SPEC §7.3): the sold score beside the current one, inline re-score,
status with a reason, an edit of mitigation and owner in the modal, and a new risk. Same pattern as the
deliverables: every write is one call of ``projects.services.risks``; htmx gets the section back."""

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
from projects.forms import RISK_LEVELS, ProjectRiskAddForm, ProjectRiskEditForm
from projects.models import Project, ProjectRisk, RiskStatus
from projects.services import risks as risk_services
from projects.services.projects import can_edit_project
from projects.views.sections import close_modal, load_project, modal_form, render_section

SECTION = "projects/_project_risks.html"
ANCHOR = "project-risks"


# --- Context for the project page ---------------------------------------------------------------------------
def risk_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The risks (prefetched, no query) with their status choices; the heatmap shows the open ones only."""
    risks = list(project.risks.all())
    can_manage = risk_services.can_manage_project_risks(request.user, project)
    labels = dict(RiskStatus.choices)
    for risk in risks:
        risk.status_choices = [(value, labels[value]) for value in risk_services.allowed_risk_statuses(risk)]
    return {
        "risks": risks,
        "open_risks": [risk for risk in risks if risk.status == RiskStatus.OPEN],
        "can_manage_risks": can_manage,
        "risk_levels": [value for value, _label in RISK_LEVELS],
        "risk_form": ProjectRiskAddForm(prefix="risk") if can_manage else None,
    }


def _risk(pk: int) -> ProjectRisk:
    risk = ProjectRisk.objects.filter(pk=pk).first()
    if risk is None:
        raise Http404(_("No such project risk"))
    return risk


def _refuse_unless_pm(request: HttpRequest, project: Project) -> None:
    if not can_edit_project(request.user, project):
        raise PermissionDenied(_("Only the project's PM can manage its risks."))


def _section(request: HttpRequest, project: Project, **extra: Any) -> HttpResponse:
    return render_section(request, project.pk, SECTION, ANCHOR, risk_context, **extra)


def _say(request: HttpRequest, error: ValidationError | DomainError, sentence: str) -> None:
    """``sentence`` has a ``%(reason)s`` for the service's refusal."""
    text = error.message if isinstance(error, DomainError) else " ".join(error.messages)
    messages.error(request, sentence % {"reason": text})


# --- Views ---------------------------------------------------------------------------------------------------
@require_POST
def risk_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = load_project(request, pk)
    _refuse_unless_pm(request, project)
    form = ProjectRiskAddForm(request.POST, prefix="risk")
    if form.is_valid():
        try:
            risk = risk_services.project_risk_add(
                project=project, actor=request.user, owner=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _section(request, project)
        else:
            messages.success(request, _("Risk “%(title)s” added.") % {"title": risk.title})
            return _section(request, project)
    if not is_fragment(request):
        messages.error(request, _("Not added: %(errors)s") % {"errors": errors_text(form)})
        return redirect(reverse("projects:detail", args=[project.pk]) + f"#{ANCHOR}")
    return _section(request, project, risk_form=form)


@require_POST
def risk_rescore_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The inline re-score: probability and impact straight to the service, which says what is wrong."""
    risk = _risk(pk)
    project = load_project(request, risk.project_id)
    _refuse_unless_pm(request, project)
    data = {field: request.POST.get(field) for field in risk_services.SCORES}
    try:
        risk = risk_services.project_risk_update(risk=risk, actor=request.user, data=data)
    except (ValidationError, DomainError) as error:
        _say(request, error, _("Not re-scored: %(reason)s"))
    else:
        messages.success(
            request,
            _("“%(title)s” now scores %(probability)d x %(impact)d = %(score)d.")
            % {"title": risk.title, "probability": risk.probability, "impact": risk.impact, "score": risk.score},
        )
    return _section(request, project)


@require_POST
def risk_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The inline status change, with a reason (required to close)."""
    risk = _risk(pk)
    project = load_project(request, risk.project_id)
    _refuse_unless_pm(request, project)
    try:
        risk = risk_services.project_risk_set_status(
            risk=risk, actor=request.user, status=request.POST.get("status", ""), reason=request.POST.get("reason", "")
        )
    except (ValidationError, DomainError) as error:
        _say(request, error, _("Status not changed: %(reason)s"))
    else:
        messages.success(
            request, _("“%(title)s” is now %(status)s.") % {"title": risk.title, "status": risk.get_status_display()}
        )
    return _section(request, project)


@require_http_methods(["GET", "POST"])
def risk_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-score, mitigation and owner in the modal."""
    risk = _risk(pk)
    project = load_project(request, risk.project_id)
    _refuse_unless_pm(request, project)
    if request.method == "POST":
        form = ProjectRiskEditForm(request.POST)
        if form.is_valid():
            try:
                risk_services.project_risk_update(risk=risk, actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return close_modal(_section(request, project))
            else:
                messages.success(request, _("Risk saved."))
                return close_modal(_section(request, project))
    else:
        form = ProjectRiskEditForm(
            initial={
                "probability": risk.probability,
                "impact": risk.impact,
                "mitigation": risk.mitigation,
                "owner": risk.owner_id,
            }
        )
    return modal_form(
        request,
        project,
        form,
        title=_("Edit “%(title)s”") % {"title": risk.title},
        submit=_("Save risk"),
        action=reverse("projects:risk_edit", args=[risk.pk]),
        target=f"#{ANCHOR}",
    )
